import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  changedPaths,
  editor,
  expectDocumented,
  kustomization,
  mutate,
  NAMES,
  parsed,
} from './edit-harness.js';

// Issue 11 "Done when": every edit verb, run in-process through the CLI entry on generated and
// mutated files with generated and hostile arguments, exits only with a documented code (0-3),
// never prints a stack trace or an internal error, and a successful edit changes only the value it
// targets. Bounded runs keep npm test fast.

const edit = editor();

describe('fuzz: rollgate edit replicas|weight', () => {
  const replicaSpec = fc.oneof(
    fc
      .tuple(fc.constantFrom(...NAMES), fc.constantFrom('0', '3', '12', '-1', '1.5', 'x', ''))
      .map(([n, c]) => `${n}=${c}`),
    fc.string({ maxLength: 20 }),
  );

  it('edit replicas: documented exit codes, no stack trace, only the named counts change', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutate(kustomization),
        fc.array(replicaSpec, { minLength: 1, maxLength: 2 }),
        async (text, specs) => {
          const { code, output, after } = await edit(text, (file) => ['replicas', file, ...specs]);
          expectDocumented(code, output);
          if (code !== 0) expect(after).toBe(text);
          if (code !== 0 || after === text) return;
          const before = parsed(text) as Record<string, unknown>[] | undefined;
          const now = parsed(after) as Record<string, unknown>[] | undefined;
          expect(now).toBeDefined();
          if (before === undefined || now === undefined) return;
          const targets = new Set(specs.map((s) => s.split('=')[0]));
          for (const path of changedPaths(before, now)) {
            const [, doc, key, index] = path.split('/');
            expect(key, `${path} changed`).toBe('replicas');
            const list = (now[Number(doc)]?.replicas ?? []) as { name?: unknown }[];
            // A list created from nothing holds only the named entries; otherwise the changed entry is one.
            const entries = index === undefined ? list : [list[Number(index)]];
            for (const entry of entries) expect(targets.has(String(entry?.name))).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  const route = fc
    .record({
      weights: fc.tuple(fc.nat({ max: 100 }), fc.nat({ max: 100 })),
      name: fc.constantFrom('checkout', 'web'),
      flow: fc.boolean(),
      crlf: fc.boolean(),
    })
    .map(({ weights: [a, b], name, flow, crlf }) => {
      const refs = flow
        ? [
            `    - backendRefs: [{ name: ${name}, port: 80, weight: ${a} }, { name: ${name}-canary, port: 80, weight: ${b} }]`,
          ]
        : [
            '    - backendRefs:',
            `        - name: ${name}`,
            '          port: 80',
            `          weight: ${a} # stable`,
            `        - name: ${name}-canary`,
            '          port: 80',
            `          weight: ${b}`,
          ];
      const lines = [
        'apiVersion: gateway.networking.k8s.io/v1',
        'kind: HTTPRoute',
        'metadata:',
        `  name: ${name}`,
        'spec:',
        '  rules:',
        ...refs,
      ];
      return lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
    });

  it('edit weight: documented exit codes, no stack trace, only weights change', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutate(route),
        fc.oneof(
          fc.constantFrom('0', '5', '50', '100', '101', '-1', '12.5', '1e2', 'x', ''),
          fc.string({ maxLength: 6 }),
        ),
        fc.constantFrom(
          [],
          ['--route', 'checkout'],
          ['--route', 'nope'],
          ['--canary-backend', 'checkout-canary'],
          ['--kind', 'istio'],
        ),
        async (text, percent, flags) => {
          const { code, output, after } = await edit(text, (file) => ['weight', file, percent, ...flags]);
          expectDocumented(code, output);
          if (code !== 0) expect(after).toBe(text);
          if (code !== 0 || after === text) return;
          const before = parsed(text);
          const now = parsed(after);
          expect(now).toBeDefined();
          if (before === undefined || now === undefined) return;
          for (const path of changedPaths(before, now)) expect(path).toMatch(/\/weight$/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a non-YAML or binary file is refused with a documented code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.constantFrom('image', 'replicas', 'weight'),
        async (text, verb) => {
          const args = verb === 'image' ? ['web:1.5.0'] : verb === 'replicas' ? ['web=3'] : ['10'];
          const { code, output } = await edit(text, (file) => [verb, file, ...args]);
          expectDocumented(code, output);
        },
      ),
      { numRuns: 100 },
    );
  });
});
