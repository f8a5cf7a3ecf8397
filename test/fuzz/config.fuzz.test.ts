import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

// Issue 11 "Done when": fuzzing the config loader (a valid config with random edits of YAML syntax,
// and random text) finds no uncaught exception: a config, or a ConfigError with positions. Bounded.

const BASE = `version: 1
gitops:
  repository: acme/gitops
  branch: main
services:
  checkout: { image: ghcr.io/acme/checkout }
  cart: { image: ghcr.io/acme/cart }
environments:
  dev: { path: "apps/{{service}}/overlays/dev" }
  staging:
    path: apps/{{service}}/overlays/staging
    after: dev
    gates: [bake-1h, weekend]
gates:
  bake-1h: { bake: 1h }
  weekend:
    freeze:
      windows:
        - { start: "0 16 * * FRI", end: "0 8 * * MON", timezone: Europe/Berlin }
      unless: { labels: [hotfix], verifiedOnly: true }
`;

const yamlBits = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ': ',
  '- ',
  '&a ',
  '*a',
  '<<: *a',
  '!!str ',
  '"',
  "'",
  '#',
  '\n',
  '\n  ',
  '{{service}}',
  '${X}',
  '|',
  '>',
  '? ',
  ',',
  '%YAML 1.2\n',
  '---\n',
  '...\n',
  'after: dev',
  'gates: [nope]',
  'bake: 0h',
  'null',
  '~',
  '1e9',
  '\t',
  '\u0000',
  '\uFEFF',
];

/** The base config with a few random edits: insertions of YAML syntax, deletions, replacements. */
const mutatedConfig = fc
  .array(
    fc.record({
      at: fc.nat({ max: BASE.length }),
      drop: fc.nat({ max: 12 }),
      insert: fc.oneof(fc.constantFrom(...yamlBits), fc.string({ maxLength: 6 })),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((edits) =>
    edits.reduce((text, e) => {
      const at = Math.min(e.at, text.length);
      return text.slice(0, at) + e.insert + text.slice(at + e.drop);
    }, BASE),
  );

describe('fuzz: the config loader', () => {
  it('the unmutated base is valid', () => {
    expect(parseConfig({ file: 'rollgate.yaml', text: BASE }, [], {}).file).toBe('rollgate.yaml');
  });

  it('returns a config or throws a ConfigError whose problems each name a position, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedConfig, fc.string({ maxLength: 300 })), (text) => {
        try {
          parseConfig(
            { file: 'rollgate.yaml', text },
            [{ file: 'policies/x.yaml', text: 'gates:\n  extra: { bake: 2h }\n' }],
            {},
          );
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          expect(err.problems.length).toBeGreaterThan(0);
          for (const p of err.problems) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.col).toBeGreaterThanOrEqual(1);
            expect(p.message.length).toBeGreaterThan(0);
            expect(p.message).not.toMatch(/\n\s+at /);
          }
        }
      }),
      { numRuns: 250 },
    );
  });
});
