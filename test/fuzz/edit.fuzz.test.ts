import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

// Issue 11 "Done when": every edit verb, run in-process through the CLI entry on generated and
// mutated files with generated and hostile arguments, exits only with a documented code (0-3),
// never prints a stack trace or an internal error, and a successful edit changes only the value it
// targets. Bounded runs keep npm test fast.

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollgate-fuzz-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function edit(text: string, argv: (file: string) => string[]) {
  const file = join(dir, 'kustomization.yaml');
  await writeFile(file, text);
  const out: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {}, cwd: dir };
  const code = await run(['edit', ...argv(file)], io);
  return { code, output: out.join('\n'), after: await readFile(file, 'utf8') };
}

function expectDocumented(code: number, output: string): void {
  expect([0, 1, 2, 3]).toContain(code);
  expect(output).not.toMatch(/\n\s+at [^\n]*[(:]\d+/);
  expect(output).not.toMatch(/internal error|unexpected error/i);
}

function parsed(text: string): unknown {
  try {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
    return docs.map((d) => d.toJS() as unknown);
  } catch {
    return undefined;
  }
}

/** Leaf paths whose values differ between two parsed values. */
function changedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`),
    );
  }
  return [path];
}

const NAMES = ['web', 'api', 'ghcr.io/acme/web', 'web-canary'];
const TAGS = ['1.4.0', '"1.10"', '1.10', '1234', "'v2'", 'latest', '*v', 'sha-abc1234'];
const DIGEST = `sha256:${'a'.repeat(64)}`;
const bits = [
  '{',
  '}',
  '[',
  ']',
  ': ',
  '- ',
  '&v ',
  '*v',
  '"',
  "'",
  '#',
  '\n',
  '\r\n',
  '\t',
  '  ',
  '---\n',
  '|\n',
  '\uFEFF',
  '\u0000',
  ',',
];

const imageEntry = fc.record({
  name: fc.constantFrom(...NAMES),
  tag: fc.option(fc.constantFrom(...TAGS), { nil: undefined }),
  newName: fc.option(fc.constantFrom('ghcr.io/acme/other', 'registry.local:5000/web'), { nil: undefined }),
  digest: fc.boolean(),
  flow: fc.boolean(),
  comment: fc.boolean(),
});

const kustomization = fc
  .record({
    images: fc.array(imageEntry, { maxLength: 4 }),
    replicas: fc.array(fc.record({ name: fc.constantFrom(...NAMES), count: fc.nat({ max: 20 }) }), {
      maxLength: 3,
    }),
    anchor: fc.boolean(),
    crlf: fc.boolean(),
    noFinalNewline: fc.boolean(),
  })
  .map((k) => {
    const lines = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      ...(k.anchor ? ['x-tag: &v "9.9.9"'] : []),
      'resources:',
      '- ../../base',
    ];
    if (k.images.length > 0) lines.push('images:');
    for (const e of k.images) {
      const fields: [string, string][] = [['name', e.name]];
      if (e.newName !== undefined) fields.push(['newName', e.newName]);
      if (e.tag !== undefined && (e.tag !== '*v' || k.anchor)) fields.push(['newTag', e.tag]);
      if (e.digest) fields.push(['digest', DIGEST]);
      const comment = e.comment ? ' # pinned' : '';
      if (e.flow) lines.push(`- { ${fields.map(([a, b]) => `${a}: ${b}`).join(', ')} }${comment}`);
      else
        fields.forEach(([a, b], i) =>
          lines.push(`${i === 0 ? '- ' : '  '}${a}: ${b}${i === 0 ? comment : ''}`),
        );
    }
    if (k.replicas.length > 0) lines.push('replicas:');
    for (const r of k.replicas) lines.push(`- name: ${r.name}`, `  count: ${r.count}`);
    const text = lines.join(k.crlf ? '\r\n' : '\n');
    return k.noFinalNewline ? text : text + (k.crlf ? '\r\n' : '\n');
  });

/** A generated file, sometimes with a few random edits of YAML syntax. */
const mutate = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(
      base,
      fc.array(fc.record({ at: fc.nat(), drop: fc.nat({ max: 6 }), insert: fc.constantFrom(...bits) }), {
        maxLength: 3,
      }),
    )
    .map(([text, edits]) =>
      edits.reduce((t, e) => {
        const at = t.length === 0 ? 0 : e.at % t.length;
        return t.slice(0, at) + e.insert + t.slice(at + e.drop);
      }, text),
    );

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

describe('fuzz: rollgate edit image|replicas|weight', () => {
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
