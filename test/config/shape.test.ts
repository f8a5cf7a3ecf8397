import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import type { z } from 'zod';
import { loadConfigFile, parseConfigFast } from '../../src/config/load-file.js';
import { parseConfig } from '../../src/config/load.js';
import { configShapeSchema, policyShapeSchema } from '../../src/config/schema.js';
import { checkShape, explainShape, type Shape } from '../../src/config/shape.js';
import { shapeOf } from '../../src/config/shape-of.js';
import { SHAPE_SOURCES } from '../../src/config/shape-sources.js';
import { GATE_SHAPES, SHAPES } from '../../src/config/shapes.generated.js';
import { ConfigError } from '../../src/core/errors.js';
import { stateSchema } from '../../src/core/state-schema.js';
import { formatState, parseState } from '../../src/core/state.js';
import { metricInputsSchema } from '../../src/gates/metric-schema.js';
import { GATE_KINDS } from '../../src/gates/registry.js';
import { GATE_SCHEMAS } from '../../src/gates/schemas.js';
import { sloSamplesSchema } from '../../src/gates/slo-schema.js';
import { docYamlBlocks } from '../helpers/doc-blocks.js';

// The zod-free checks (src/config/shape.ts) against zod itself, side by side: every example and
// documented config, and values made from them by random edits (keys dropped, added, values of
// other types), must get the same answer from both, the same output when valid (defaults, key
// order, stripped keys), and through the loaders the same config or the same problems, byte for
// byte. The CLI reads configs with the shapes and leaves wording to zod, so this is what keeps its
// messages the ones zod gives.

const ENV = { PROMETHEUS_URL: 'http://prometheus:9090' };

interface Text {
  readonly file: string;
  readonly text: string;
}

/** The example configs, each with the example policy files. */
const EXAMPLES = readdirSync('examples/app/.github')
  .filter((f) => /^rollgate.*\.yaml$/.test(f))
  .map((f) => ({
    file: `examples/app/.github/${f}`,
    text: readFileSync(`examples/app/.github/${f}`, 'utf8'),
  }));
const EXAMPLE_POLICIES = readdirSync('examples/app/.github/policies').map((f) => ({
  file: `examples/app/.github/policies/${f}`,
  text: readFileSync(`examples/app/.github/policies/${f}`, 'utf8'),
}));

/** The yaml blocks of README.md and docs/*.md (full configs and policy files are kept below). */
const DOCS: Text[] = docYamlBlocks();
const toJS = (t: Text): unknown => parseDocument(t.text).toJS() as unknown;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const CONFIGS: unknown[] = [...EXAMPLES, ...DOCS].map(toJS).filter((v) => isRecord(v) && 'version' in v);
const POLICIES: unknown[] = [...EXAMPLE_POLICIES, ...DOCS]
  .map(toJS)
  .filter((v) => isRecord(v) && Object.keys(v).join() === 'gates');

/** Every gate config in the corpus, by kind. */
const GATE_CONFIGS: [string, unknown][] = [...CONFIGS, ...POLICIES].flatMap((doc) => {
  const gates = isRecord(doc) && isRecord(doc.gates) ? Object.values(doc.gates) : [];
  return gates.flatMap((g) => (isRecord(g) ? Object.entries(g) : []));
});

/** A value as data that keeps what JSON loses: key order, undefined, NaN and infinities. */
function exact(value: unknown): unknown {
  if (Array.isArray(value)) return ['array', ...value.map(exact)];
  if (isRecord(value)) return ['object', ...Object.entries(value).map(([k, v]) => [k, exact(v)])];
  if (typeof value === 'number' && !Number.isFinite(value)) return `number ${value}`;
  return value === undefined ? 'undefined' : value;
}

/** Both checks of one value: the same answer, and the same output when it is valid. */
function expectSame(shape: Shape, schema: z.ZodType, value: unknown): boolean {
  const zod = schema.safeParse(structuredClone(value));
  const fast = checkShape(shape, structuredClone(value));
  expect({ ok: fast.ok, value }).toEqual({ ok: zod.success, value });
  if (fast.ok && zod.success) expect(exact(fast.data)).toEqual(exact(zod.data));
  return zod.success;
}

// --- random edits of a value -------------------------------------------------------------------

type Path = (string | number)[];

function paths(value: unknown, at: Path = []): Path[] {
  const own = Array.isArray(value)
    ? value.flatMap((v, i) => paths(v, [...at, i]))
    : isRecord(value)
      ? Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))
      : [];
  return [at, ...own];
}

function subtrees(values: readonly unknown[]): unknown[] {
  return values.flatMap((v) => paths(v).map((p) => p.reduce<unknown>((n, k) => (n as never)[k], v)));
}

const ODD: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  -1,
  1.5,
  100,
  101,
  2 ** 60,
  Infinity,
  Number.NaN,
  '',
  ' ',
  'x',
  'a b',
  'UPPER',
  'x;y',
  '1h',
  '0s',
  '-1h',
  '0',
  '99.9%',
  '100%',
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00+01:00',
  '2026-13-01T00:00:00Z',
  '0 16 * * FRI',
  'Europe/Berlin',
  'http://prometheus:9090',
  '${SECRET}',
  '{{service}}',
  'ghcr.io/acme/{{service}}',
  'localhost:5000/x',
  'push',
  'pull-request',
  'progressing',
  'paused',
  'sample',
  'empty',
  'error',
  'series',
  'instant',
  'range',
  'slo-samples',
  'metric-samples',
  [],
  ['x'],
  [0, 5, 25],
  [5, 'x'],
  [1, '0.5'],
  {},
  { x: 1 },
  { weight: 5 },
];

const KEYS = [
  'x',
  'image',
  'path',
  'gates',
  'windows',
  'weight',
  'duration',
  'kind',
  'constructor',
  '__proto__',
];

interface Edit {
  readonly at: number;
  readonly op: number;
  readonly pick: number;
}

function edited(original: unknown, edits: readonly Edit[], pool: readonly unknown[]): unknown {
  const root = { value: structuredClone(original) as unknown };
  for (const edit of edits) {
    const all = paths(root.value).map((p) => ['value', ...p]);
    const path = all[edit.at % all.length] ?? ['value'];
    const parent = path.slice(0, -1).reduce<unknown>((n, k) => (n as never)[k], root);
    const key = path[path.length - 1] ?? 'value';
    const node = (parent as Record<string | number, unknown>)[key];
    const value = structuredClone(pool[edit.pick % pool.length]);
    switch (edit.op % 4) {
      case 0:
        (parent as Record<string | number, unknown>)[key] = value;
        break;
      case 1:
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else if (key !== 'value') delete (parent as Record<string | number, unknown>)[key];
        break;
      case 2:
        if (isRecord(node)) node[KEYS[edit.pick % KEYS.length] ?? 'x'] = value;
        else if (Array.isArray(node)) node.push(value);
        break;
      default:
        // A value from elsewhere in the corpus: plausible, often valid, sometimes misplaced.
        (parent as Record<string | number, unknown>)[key] = value;
    }
  }
  return root.value;
}

const edits = fc.array(fc.record({ at: fc.nat(), op: fc.nat(), pick: fc.nat() }), {
  minLength: 1,
  maxLength: 3,
});

// --- the tests ---------------------------------------------------------------------------------

describe('the generated shapes', () => {
  it('are the shapes of the schemas as they are now (else: npm run schema)', () => {
    for (const [name, source] of Object.entries(SHAPE_SOURCES))
      expect(shapeOf(source.schema), name).toEqual(SHAPES[name as keyof typeof SHAPES]);
    for (const [kind, g] of Object.entries(GATE_SCHEMAS))
      expect(shapeOf(g.schema, `gates.${kind}`), kind).toEqual(GATE_SHAPES[kind]);
  });

  it('cover every gate kind, and only those', () => {
    expect(Object.keys(GATE_SHAPES)).toEqual(Object.keys(GATE_KINDS));
    expect(Object.keys(GATE_SCHEMAS)).toEqual(Object.keys(GATE_KINDS));
  });

  it('there is a corpus to compare: examples, documented configs and policies, every gate kind', () => {
    expect(CONFIGS.length).toBeGreaterThanOrEqual(5);
    expect(POLICIES.length).toBeGreaterThanOrEqual(3);
    expect(new Set(GATE_CONFIGS.map(([kind]) => kind))).toEqual(new Set(Object.keys(GATE_KINDS)));
  });
});

describe('shape and zod give the same answer and output', () => {
  const pool = [...ODD, ...subtrees(CONFIGS)];

  it('for every example and documented config', () => {
    for (const config of CONFIGS) expect(expectSame(SHAPES.config, configShapeSchema, config)).toBe(true);
    for (const policy of POLICIES) expect(expectSame(SHAPES.policy, policyShapeSchema, policy)).toBe(true);
  });

  it('for configs edited at random', () => {
    fc.assert(
      fc.property(fc.nat(), edits, (which, e) => {
        const config = edited(CONFIGS[which % CONFIGS.length], e, pool);
        expectSame(SHAPES.config, configShapeSchema, config);
        expectSame(SHAPES.policy, policyShapeSchema, config);
      }),
      { numRuns: 1500 },
    );
  });

  it('for every gate config in the corpus, and each edited at random, against every kind', () => {
    const gatePool = [...ODD, ...subtrees(GATE_CONFIGS.map(([, c]) => c))];
    let valid = 0;
    for (const [kind, config] of GATE_CONFIGS) {
      const schema = GATE_SCHEMAS[kind]?.schema;
      const shape = GATE_SHAPES[kind];
      if (schema === undefined || shape === undefined) throw new Error(kind);
      if (expectSame(shape, schema, config)) valid++;
    }
    expect(valid).toBe(GATE_CONFIGS.length);
    fc.assert(
      fc.property(fc.nat(), edits, (which, e) => {
        const [, config] = GATE_CONFIGS[which % GATE_CONFIGS.length] ?? ['', {}];
        const value = edited(config, e, gatePool);
        for (const [kind, g] of Object.entries(GATE_SCHEMAS)) {
          const shape = GATE_SHAPES[kind];
          if (shape !== undefined) expectSame(shape, g.schema, value);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('parseConfigFast and parseConfig agree on files', () => {
  const pool = [...ODD, ...subtrees(CONFIGS)];

  async function both(main: Text, policies: readonly Text[]): Promise<void> {
    let slow: unknown;
    try {
      slow = parseConfig(main, policies, ENV);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      slow = undefined;
    }
    const fast = await parseConfigFast(main, policies, ENV);
    expect(exact(fast)).toEqual(exact(slow));
  }

  it('on the examples, with and without their policies, and every documented config', async () => {
    for (const main of EXAMPLES) {
      expect(await parseConfigFast(main, EXAMPLE_POLICIES, ENV)).toBeDefined();
      await both(main, EXAMPLE_POLICIES);
      await both(main, []);
    }
    const base = EXAMPLES[0];
    if (base === undefined) throw new Error('no example');
    for (const block of DOCS) {
      await both(block, []);
      await both(base, [block]);
    }
  });

  it('on configs and policies edited at random, written back as YAML', async () => {
    const base = EXAMPLES[0];
    if (base === undefined) throw new Error('no example');
    await fc.assert(
      fc.asyncProperty(fc.nat(), edits, fc.boolean(), async (which, e, asPolicy) => {
        const text = stringify(edited(CONFIGS[which % CONFIGS.length], e, pool));
        if (asPolicy) await both(base, [{ file: 'policies/p.yaml', text }]);
        else await both({ file: 'rollgate.yaml', text }, EXAMPLE_POLICIES);
      }),
      { numRuns: 400 },
    );
  });
});

describe('loadConfigFile (the CLI) words problems as parseConfig does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-shape-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [
      'an unknown key',
      'version: 1\ngitops: { repository: a/b, brnch: main }\nservices: { c: {} }\nenvironments: {}\n',
    ],
    ['no service', 'version: 1\ngitops: { repository: a/b }\nservices: {}\nenvironments: {}\n'],
    [
      'a bad gate',
      'version: 1\ngitops: { repository: a/b }\nservices: { c: {} }\nenvironments: {}\ngates:\n  b: { bake: -1h }\n',
    ],
    [
      'a bad reference',
      'version: 1\ngitops: { repository: a/b }\nservices: { c: {} }\nenvironments:\n  p: { path: x, gates: [nope] }\n',
    ],
  ])('%s', async (_name, text) => {
    const file = join(dir, `${_name.replaceAll(' ', '-')}.yaml`);
    writeFileSync(file, text);
    const message = (run: () => unknown) =>
      Promise.resolve()
        .then(run)
        .then(
          () => 'no error',
          (err: unknown) => (err instanceof ConfigError ? JSON.stringify(err.problems) : String(err)),
        );
    const slow = await message(() => parseConfig({ file, text }, [], process.env));
    expect(slow).not.toBe('no error');
    expect(await message(() => loadConfigFile(file, process.env))).toBe(slow);
  });
});

describe('state files: shape and zod give the same answer, output and problems', () => {
  const STATES = [
    {
      schema_version: 1,
      environment: 'production',
      service: 'checkout',
      version: '1.4.0',
      landedAt: '2026-11-20T15:30:00.000Z',
    },
    {
      schema_version: 1,
      environment: 'production',
      service: 'checkout',
      version: '1.4.0',
      landedAt: '2026-11-20T15:30:00+01:00',
      stable: '1.3.0',
      rollout: {
        strategy: 'canary',
        version: '1.4.0',
        phase: 'paused',
        step: 1,
        steps: 3,
        weight: 25,
        windowStart: '2026-11-20T15:30:00.000Z',
        startedAt: '2026-11-20T15:00:00.000Z',
        pausedFrom: 'progressing',
        reason: 'operator',
        overrides: ['hotfix'],
        analysis: 'error-rate 0.1%',
        source: 'https://github.com/acme/app/pull/1',
        rollbackOf: '1.3.9',
      },
      holds: [{ version: '1.3.9', at: '2026-11-19T10:00:00.000Z', reason: 'rolled back' }],
    },
  ];
  const pool = [...ODD, ...subtrees(STATES)];

  function sameProblems(value: unknown): void {
    const zod = stateSchema.safeParse(structuredClone(value));
    const issues = zod.success ? [] : zod.error.issues.map((i) => ({ path: i.path, message: i.message }));
    expect(explainShape(SHAPES.state, value)).toEqual(issues);
  }

  it('for states rollgate writes, and each edited at random', () => {
    for (const state of STATES) {
      expect(expectSame(SHAPES.state, stateSchema, state)).toBe(true);
      const parsed = parseState('s.yaml', formatState(stateSchema.parse(state)));
      expect(parsed.ok && exact(parsed.state)).toEqual(exact(stateSchema.parse(state)));
    }
    fc.assert(
      fc.property(fc.nat(), edits, (which, e) => {
        const value = edited(STATES[which % STATES.length], e, pool);
        expectSame(SHAPES.state, stateSchema, value);
        sameProblems(value);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('gate inputs: shape and zod give the same answer and output', () => {
  const answered = (value: string) => ({ query: 'q', result: { kind: 'sample', value } });
  const SLO = [
    {
      kind: 'slo-samples',
      at: '2026-11-20T15:30:00.000Z',
      windows: {
        '1h': { errors: answered('1'), total: answered('100') },
        '5m': { ratio: { query: 'r', result: { kind: 'empty' } } },
        '30d': { ratio: { query: 'r', result: { kind: 'error', reasonCode: 'x', reason: 'y' } } },
      },
    },
  ];
  const METRIC = [
    {
      kind: 'metric-samples',
      mode: 'instant',
      at: '2026-11-20T15:30:00.000Z',
      prometheus: 'http://p',
      results: [{ service: 'checkout', query: 'q', result: { kind: 'sample', value: 'NaN' } }],
    },
    {
      kind: 'metric-samples',
      mode: 'range',
      from: '2026-11-20T15:00:00.000Z',
      to: '2026-11-20T15:30:00.000Z',
      stepSeconds: 60,
      prometheus: 'http://p',
      results: [
        { query: 'q', result: { kind: 'series', points: [[1, '0.5']] } },
        { query: 'q', result: { kind: 'empty' } },
      ],
    },
  ];

  it.each([
    ['slo samples', SHAPES.sloSamples, sloSamplesSchema, SLO],
    ['metric inputs', SHAPES.metricInputs, metricInputsSchema, METRIC],
  ] as const)('%s', (_name, shape, schema, values) => {
    const pool = [...ODD, ...subtrees(values)];
    for (const v of values) expect(expectSame(shape, schema, v)).toBe(true);
    fc.assert(
      fc.property(fc.nat(), edits, (which, e) => {
        expectSame(shape, schema, edited(values[which % values.length], e, pool));
      }),
      { numRuns: 800 },
    );
  });
});
