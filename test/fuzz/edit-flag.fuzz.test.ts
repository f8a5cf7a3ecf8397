import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONFIGMAP,
  FEATURE_FLAG,
  flagdAccepts,
  flagSetJson,
  JSON_FILE,
  YAML_FILE,
} from '../overlays/flags/fixtures.js';
import { changedPaths, editor, expectDocumented, mutate } from './edit-harness.js';

// `rollgate edit flag` on generated and mutated flag files with generated and hostile arguments:
// exit codes 0-3 only, no stack trace, a refused edit leaves the file alone, an accepted one is
// accepted by flagd, changes only the named flag, and keeps its fractional at 100 in total.

const edit = editor();

const weights = fc.integer({ min: 0, max: 100 }).map((w) => [w, 100 - w] as const);

/** flagd files in the four shapes, with generated states, defaults and shares. */
const flagFile = fc.oneof(
  fc.constantFrom(JSON_FILE, YAML_FILE, CONFIGMAP, FEATURE_FLAG),
  fc
    .record({ state: fc.constantFrom('ENABLED', 'DISABLED'), w: weights, indent: fc.constantFrom(2, 4) })
    .map(({ state, w, indent }) =>
      JSON.stringify(
        {
          flags: {
            'new-checkout': {
              state,
              variants: { on: true, off: false },
              defaultVariant: 'off',
              targeting: {
                fractional: [
                  ['on', w[0]],
                  ['off', w[1]],
                ],
              },
            },
          },
        },
        null,
        indent,
      ),
    ),
  fc
    .record({ state: fc.constantFrom('ENABLED', 'DISABLED'), w: weights, crlf: fc.boolean() })
    .map(({ state, w, crlf }) => {
      const text = FEATURE_FLAG.replace('state: ENABLED', `state: ${state}`)
        .replace('["on", 10]', `["on", ${w[0]}]`)
        .replace('["off", 90]', `["off", ${w[1]}]`);
      return crlf ? text.replace(/\n/g, '\r\n') : text;
    }),
);

const flagArgs = fc.array(
  fc.oneof(
    fc.constantFrom('--state', '--default', '--fraction'),
    fc.constantFrom(
      'ENABLED',
      'DISABLED',
      'on',
      'off',
      'on=0',
      'on=25',
      'off=60',
      'on=100',
      'blue=30',
      'x=101',
      '=5',
    ),
    fc.string({ maxLength: 12 }),
  ),
  { maxLength: 6 },
);

describe('fuzz: rollgate edit flag', () => {
  it('documented exit codes; refused edits write nothing; accepted edits pass flagd and touch one flag', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutate(flagFile),
        fc.constantFrom('new-checkout', 'header-color', 'discount-rate', 'nope'),
        flagArgs,
        async (text, flag, args) => {
          const { code, output, after } = await edit(text, (file) => ['flag', file, flag, ...args]);
          expectDocumented(code, output);
          if (code !== 0) expect(after).toBe(text);
          if (code !== 0 || after === text) return;
          flagdAccepts(after);
          const before = JSON.parse(flagSetJson(text)) as { flags: Record<string, unknown> };
          const now = JSON.parse(flagSetJson(after)) as { flags: Record<string, { targeting?: unknown }> };
          for (const path of changedPaths(before, now))
            expect(path.startsWith(`/flags/${flag}/`), path).toBe(true);
          const buckets = JSON.stringify(now.flags[flag]?.targeting ?? {}).match(/\["[^"]+",\d+\]/g) ?? [];
          const sum = buckets.reduce((s, b) => s + Number(/,(\d+)\]$/.exec(b)?.[1] ?? 0), 0);
          if (args.includes('--fraction') && buckets.length > 0) expect(sum).toBe(100);
        },
      ),
      { numRuns: 150 },
    );
  });
});
