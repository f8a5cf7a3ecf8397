import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_LENGTH, parseComment } from '../../src/commands/parse.js';

// Issue 11 "Done when": fuzzing the comment grammar finds no uncaught
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
