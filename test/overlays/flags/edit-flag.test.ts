import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFlag, setFlag } from '../../../src/overlays/flags/edit-flag.js';
import { planFractions } from '../../../src/overlays/flags/fractional.js';
import { checkFlagSet } from '../../../src/overlays/flags/schema.js';
import { runEditFlag } from '../../../src/overlays/cli-edit.js';
import { CONFIGMAP, FEATURE_FLAG, flagdAccepts, flagSetJson, JSON_FILE, YAML_FILE } from './fixtures.js';

/** The changed lines of an edit, as `-old` / `+new`. */
function changes(before: string, after: string): string[] {
  return diffLines(before, after).flatMap((part) =>
    part.added || part.removed
      ? part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => `${part.added ? '+' : '-'}${l}`)
      : [],
  );
}

function edited(text: string, flag: string, change: Parameters<typeof setFlag>[2]): string {
  const out = setFlag(text, flag, change);
  if (!out.ok) throw new Error(out.message);
  return out.text;
}

describe('edit flag: byte-minimal edits on real flag files, accepted by flagd', () => {
  const rows: {
    name: string;
    text: string;
    flag: string;
    change: Parameters<typeof setFlag>[2];
    diff: string[];
  }[] = [
    {
      name: 'JSON: a first fractional is added on the flag’s own line layout',
      text: JSON_FILE,
      flag: 'new-checkout',
      change: { fractions: [{ variant: 'on', weight: 5 }] },
      diff: [
        '-      "defaultVariant": "off"',
        '+      "defaultVariant": "off",',
        '+      "targeting": {"fractional": [["on", 5], ["off", 95]]}',
      ],
    },
    {
      name: 'JSON: a new variant goes first in a fractional with a bucketing expression, inside an if',
      text: JSON_FILE,
      flag: 'header-color',
      change: { fractions: [{ variant: 'blue', weight: 25 }] },
      diff: [
        '-              ["blue", 10],',
        '-              ["red", 60],',
        '+              ["blue", 25],',
        '+              ["red", 45],',
      ],
    },
    {
      name: 'JSON: state and default variant keep their quotes',
      text: JSON_FILE,
      flag: 'new-checkout',
      change: { state: 'DISABLED', defaultVariant: 'on' },
      diff: [
        '-      "state": "ENABLED",',
        '+      "state": "DISABLED",',
        '-      "defaultVariant": "off"',
        '+      "defaultVariant": "on"',
      ],
    },
    {
      name: 'YAML: raising the first variant’s share, a trailing comment kept',
      text: YAML_FILE,
      flag: 'new-checkout',
      change: { state: 'ENABLED', fractions: [{ variant: 'on', weight: 20 }] },
      diff: [
        '-    state: DISABLED   # not yet',
        '+    state: ENABLED   # not yet',
        '-        - ["on", 0]',
        '-        - ["off", 100]',
        '+        - ["on", 20]',
        '+        - ["off", 80]',
      ],
    },
    {
      name: 'YAML: a flow-style flag gets a targeting pair',
      text: YAML_FILE,
      flag: 'discount-rate',
      change: { fractions: [{ variant: 'small', weight: 10 }] },
      diff: ['+    targeting: {fractional: [["small", 10], ["none", 90]]}'],
    },
    {
      name: 'ConfigMap literal: the JSON inside the block scalar is edited in place',
      text: CONFIGMAP,
      flag: 'new-checkout',
      change: { fractions: [{ variant: 'on', weight: 10 }] },
      diff: [
        '-          "targeting": {}',
        '+          "targeting": {"fractional": [["on", 10], ["off", 90]]}',
      ],
    },
    {
      name: 'FeatureFlag: spec.flagSpec.flags, quoting kept',
      text: FEATURE_FLAG,
      flag: 'new-checkout',
      change: { defaultVariant: 'on', fractions: [{ variant: 'on', weight: 100 }] },
      diff: [
        "-        defaultVariant: 'off'",
        "+        defaultVariant: 'on'",
        '-            - ["on", 10]',
        '-            - ["off", 90]',
        '+            - ["on", 100]',
        '+            - ["off", 0]',
      ],
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      expect(() => flagdAccepts(row.text)).not.toThrow();
      const after = edited(row.text, row.flag, row.change);
      expect(changes(row.text, after)).toEqual(row.diff);
      flagdAccepts(after);
      // Editing again to the same values changes nothing.
      const again = setFlag(after, row.flag, row.change);
      expect(again).toMatchObject({ ok: true, changed: false });
    });
  }

  it('a new variant in a block-style fractional gets its own line, first', () => {
    const text = FEATURE_FLAG.replace('- ["on", 10]\n            - ["off", 90]', '- ["off", 100]');
    const after = edited(text, 'new-checkout', { fractions: [{ variant: 'on', weight: 5 }] });
    expect(changes(text, after)).toEqual([
      '-            - ["off", 100]',
      '+            - ["on", 5]',
      '+            - ["off", 95]',
    ]);
    flagdAccepts(after);
  });

  it('a new variant in a multi-line JSON fractional goes on its own line, first', () => {
    const text = JSON_FILE.replace('              ["blue", 10],\n', '');
    const fixed = text.replace('["red", 60]', '["red", 70]');
    const after = edited(fixed, 'header-color', { fractions: [{ variant: 'blue', weight: 15 }] });
    expect(changes(fixed, after)).toEqual([
      '-              ["red", 70],',
      '+              ["blue", 15],',
      '+              ["red", 55],',
    ]);
    flagdAccepts(after);
  });

  it('keeps CRLF line endings and a ConfigMap’s indentation on inserted lines', () => {
    const crlf = JSON_FILE.replace(/\n/g, '\r\n');
    const after = edited(crlf, 'new-checkout', { fractions: [{ variant: 'on', weight: 5 }] });
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    flagdAccepts(after);
    const cm = CONFIGMAP.replace('"targeting": {}\n', '"targeting": {}\n').replace(
      '          "defaultVariant": "off",\n          "targeting": {}',
      '          "defaultVariant": "off"',
    );
    const cmAfter = edited(cm, 'new-checkout', { fractions: [{ variant: 'on', weight: 5 }] });
    expect(changes(cm, cmAfter)).toEqual([
      '-          "defaultVariant": "off"',
      '+          "defaultVariant": "off",',
      '+          "targeting": {"fractional": [["on", 5], ["off", 95]]}',
    ]);
    flagdAccepts(cmAfter);
  });

  it('reads what a flag shows', () => {
    expect(readFlag(FEATURE_FLAG, 'new-checkout')).toEqual({
      state: 'ENABLED',
      defaultVariant: 'off',
      variants: ['on', 'off'],
      buckets: [
        { variant: 'on', weight: 10 },
        { variant: 'off', weight: 90 },
      ],
      where: 'FeatureFlag checkout-flags, spec.flagSpec',
    });
    expect(readFlag(CONFIGMAP, 'new-checkout')).toMatchObject({
      buckets: undefined,
      where: 'ConfigMap flagd-config, data.flags.flagd.json',
    });
  });
});

describe('edit flag: raising a share only takes from the buckets right after the first', () => {
  it('keeps where every later range ends', () => {
    const current = [
      { variant: 'new', weight: 10 },
      { variant: 'a', weight: 30 },
      { variant: 'b', weight: 60 },
    ];
    expect(planFractions(current, [{ variant: 'new', weight: 50 }], 'a')).toEqual({
      ok: true,
      buckets: [
        { variant: 'new', weight: 50 },
        { variant: 'a', weight: 0 },
        { variant: 'b', weight: 50 },
      ],
    });
    expect(planFractions(current, [{ variant: 'new', weight: 0 }], 'a')).toMatchObject({
      buckets: [{ weight: 0 }, { variant: 'a', weight: 40 }, { weight: 60 }],
    });
  });
});

describe('edit flag: every bad input exits 2 with file:line:col and what to do', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-flag-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const cases: { name: string; text: string; args: string[]; message: RegExp }[] = [
    {
      name: 'unknown flag',
      text: JSON_FILE,
      args: ['nope', '--state', 'ENABLED'],
      message: /:1:1: no flag nope; the flags here are new-checkout, header-color/,
    },
    {
      name: 'unknown variant',
      text: YAML_FILE,
      args: ['new-checkout', '--fraction', 'maybe=5'],
      message: /:6:7: --fraction maybe is not a variant of flag new-checkout; its variants are on, off/,
    },
    {
      name: 'bad state',
      text: YAML_FILE,
      args: ['new-checkout', '--state', 'on'],
      message: /expected ENABLED or DISABLED/,
    },
    {
      name: 'bad percentage',
      text: YAML_FILE,
      args: ['new-checkout', '--fraction', 'on=120'],
      message: /whole percentage from 0 to 100/,
    },
    {
      name: 'a later variant alone',
      text: JSON_FILE,
      args: ['header-color', '--fraction', 'green=40'],
      message: /:\d+:\d+: flag header-color: green is listed after blue in fractional/,
    },
    {
      name: 'a folded block scalar',
      text: CONFIGMAP.replace('flags.flagd.json: |', 'flags.flagd.json: >'),
      args: ['new-checkout', '--state', 'DISABLED'],
      message:
        /:9:21: ConfigMap flagd-config, data.flags.flagd.json holds the flags as a folded \(>\) block string; write it as a literal block/,
    },
    {
      name: 'a file flagd refuses before the edit',
      text: YAML_FILE.replace("defaultVariant: 'off'", 'defaultVariant: maybe'),
      args: ['new-checkout', '--state', 'ENABLED'],
      message:
        /:8:21: .*does not pass flagd's flag schema before the edit; fix it first: flag new-checkout: defaultVariant maybe is not one of the variants/,
    },
    {
      name: 'targeting without fractional',
      text: JSON_FILE.replace(/"if": \[[\s\S]*?null\n {8}\]/, '"==": [1, 1]'),
      args: ['header-color', '--fraction', 'blue=5'],
      message: /flag header-color: its targeting has rules but no fractional; add a fractional/,
    },
    { name: 'nothing to change', text: JSON_FILE, args: ['new-checkout'], message: /nothing to change/ },
    {
      name: 'not flags at all',
      text: 'apiVersion: v1\nkind: Service\n',
      args: ['x', '--state', 'ENABLED'],
      message: /:1:1: no flagd flag definitions here/,
    },
    {
      name: 'broken YAML',
      text: 'flags: [\n',
      args: ['x', '--state', 'ENABLED'],
      message: /:\d+:\d+: YAML error/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const file = join(dir, 'flags.yaml');
      await writeFile(file, c.text);
      const result = await runEditFlag([file, ...c.args]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(c.message);
      expect(await readFile(file, 'utf8')).toBe(c.text);
    });
  }
});

describe('the hand-written schema checks agree with flagd’s validator', () => {
  const bad = [
    { flags: { f: { state: 'ON', variants: { a: true }, defaultVariant: 'a' } } },
    { flags: { f: { state: 'ENABLED', variants: {}, defaultVariant: null } } },
    { flags: { f: { state: 'ENABLED', variants: { a: true, b: 'x' }, defaultVariant: 'a' } } },
    { flags: { f: { state: 'ENABLED', variants: { a: true }, defaultVariant: 'a', metadata: { x: [1] } } } },
    {
      flags: {
        f: {
          state: 'ENABLED',
          variants: { a: true, b: false },
          targeting: {
            fractional: [
              ['a', -5],
              ['b', 5],
            ],
          },
        },
      },
    },
    {
      flags: {
        f: {
          state: 'ENABLED',
          variants: { a: true, b: false },
          targeting: {
            fractional: [
              ['a', 1.5],
              ['b', 5],
            ],
          },
        },
      },
    },
    { flags: [] },
  ];
  for (const [i, data] of bad.entries()) {
    it(`refuses invalid set ${i + 1} as flagd does`, () => {
      expect(checkFlagSet(data)).not.toEqual([]);
      expect(() => flagdAccepts(`${JSON.stringify(data)}\n`)).toThrow();
    });
  }
  it('accepts every fixture as flagd does', () => {
    for (const text of [JSON_FILE, YAML_FILE, CONFIGMAP, FEATURE_FLAG]) {
      expect(checkFlagSet(JSON.parse(flagSetJson(text)))).toEqual([]);
      flagdAccepts(text);
    }
  });
});
