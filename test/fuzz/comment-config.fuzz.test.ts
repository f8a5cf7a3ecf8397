import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_LENGTH, parseComment } from '../../src/commands/parse.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

// Issue 11 "Done when": fuzzing the comment grammar and the config loader finds no uncaught
// exception and no result outside the documented shapes. Bounded runs keep npm test fast.

const words = [
  '/promote',
  '/rollback',
  '/status',
  '/help',
  'staging',
  'production',
  'checkout',
  '--version',
  '--reason',
  '--dry-run',
  '--canary',
  '=',
  '"',
  "'",
  '\u201c',
  '\u201d',
  '""',
  "''",
  ' ',
  '\t',
  '\n',
  '\r\n',
  '1.4.0',
  '50%',
  '--',
  '@',
  'sha256:abc',
];
const commentText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(fc.constantFrom(...words), { maxLength: 20 }).map((parts) => parts.join(' ')),
  fc
    .array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 8 })), { maxLength: 20 })
    .map((p) => p.join('')),
);

describe('fuzz: the comment grammar', () => {
  it('never throws; commands carry non-empty names; invalid results carry usage', () => {
    fc.assert(
      fc.property(commentText, (body) => {
        const result = parseComment(body);
        expect(['ignored', 'command', 'invalid']).toContain(result.kind);
        if (result.kind === 'invalid') {
          expect(result.problem.length).toBeGreaterThan(0);
          expect(result.usage.startsWith(result.verb)).toBe(true);
        }
        if (result.kind === 'command' && 'environment' in result.command) {
          expect(result.command.environment.trim()).not.toBe('');
          for (const s of result.command.services) expect(s.trim()).not.toBe('');
          if (result.command.reason !== undefined) expect(result.command.reason.trim()).not.toBe('');
        }
        // Only the first line counts: anything appended below it changes nothing.
        if (!/[\r\n]/.test(body))
          expect(parseComment(`${body}\n/promote production --dry-run`)).toEqual(result);
      }),
      { numRuns: 1500 },
    );
  });

  it('judges a long first line on its first characters', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('/promote ', '/rollback ', 'x'),
        fc.string({ minLength: 1, maxLength: 4 }),
        (head, unit) => {
          const body = head + unit.repeat(Math.ceil((MAX_COMMAND_LENGTH * 50) / unit.length));
          const result = parseComment(body);
          if (result.kind === 'invalid') expect(result.problem.length).toBeLessThan(400);
        },
      ),
      { numRuns: 50 },
    );
  });
});

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
