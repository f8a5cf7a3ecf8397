import fc from 'fast-check';
import { describe, it } from 'vitest';
import { expect } from 'vitest';
import {
  changedPaths,
  DIGEST,
  editor,
  expectDocumented,
  kustomization,
  mutate,
  NAMES,
  parsed,
} from './edit-harness.js';

// Issue 11 "Done when", for `rollgate edit image`: generated and mutated kustomizations with
// generated and hostile specs: exit codes 0-3 only, no stack trace, only the named entries change.

const edit = editor();

const imageSpec = fc.oneof(
  fc
    .record({
      name: fc.constantFrom(...NAMES),
      newName: fc.option(fc.constantFrom('ghcr.io/acme/new', '*'), { nil: undefined }),
      tag: fc.option(fc.constantFrom('1.5.0', '1.10', '007', '*', '../../x', 'a;b', ''), { nil: undefined }),
      digest: fc.option(fc.constantFrom(DIGEST, 'sha256:zzz', '*'), { nil: undefined }),
    })
    .map(
      (s) =>
        `${s.name}${s.newName !== undefined ? `=${s.newName}` : ''}${s.tag !== undefined ? `:${s.tag}` : ''}${s.digest !== undefined ? `@${s.digest}` : ''}`,
    ),
  fc.string({ maxLength: 30 }),
);

/** The images entry a spec names: its name before `=`, `:` or `@` (the part kustomize matches). */
const specName = (spec: string) => /^[^=:@]*/.exec(spec)?.[0] ?? '';

describe('fuzz: rollgate edit image', () => {
  it('edit image: documented exit codes, no stack trace, only the named entries change', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutate(kustomization),
        fc.array(imageSpec, { minLength: 1, maxLength: 2 }),
        async (text, specs) => {
          const { code, output, after } = await edit(text, (file) => ['image', file, ...specs]);
          expectDocumented(code, output);
          if (code !== 0) expect(after).toBe(text);
          if (code !== 0 || after === text) return;
          const before = parsed(text) as Record<string, unknown>[] | undefined;
          const now = parsed(after) as Record<string, unknown>[] | undefined;
          expect(now, `edited text must parse:\n${after}`).toBeDefined();
          if (before === undefined || now === undefined) return;
          const targets = new Set(specs.map(specName));
          for (const path of changedPaths(before, now)) {
            const [, doc, key, index] = path.split('/');
            expect(key, `${path} changed`).toBe('images');
            const list = (now[Number(doc)]?.images ?? []) as { name?: unknown }[];
            // A list created from nothing holds only the named entries; otherwise the changed entry is one.
            const entries = index === undefined ? list : [list[Number(index)]];
            for (const entry of entries)
              expect(targets.has(String(entry?.name)), `${path} belongs to ${String(entry?.name)}`).toBe(
                true,
              );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
