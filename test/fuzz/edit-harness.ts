import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

// What the edit fuzz suites share: the runner, the checks and the generated kustomization files.

/** Registers a temp folder for the suite and returns the edit runner: one file, the CLI entry in-process. */
export function editor() {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-fuzz-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return async (text: string, argv: (file: string) => string[]) => {
    const file = join(dir, 'kustomization.yaml');
    await writeFile(file, text);
    const out: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {}, cwd: dir };
    const code = await run(['edit', ...argv(file)], io);
    return { code, output: out.join('\n'), after: await readFile(file, 'utf8') };
  };
}

export function expectDocumented(code: number, output: string): void {
  expect([0, 1, 2, 3]).toContain(code);
  expect(output).not.toMatch(/\n\s+at [^\n]*[(:]\d+/);
  expect(output).not.toMatch(/internal error|unexpected error/i);
}

export function parsed(text: string): unknown {
  try {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
    return docs.map((d) => d.toJS() as unknown);
  } catch {
    return undefined;
  }
}

/** Leaf paths whose values differ between two parsed values. */
export function changedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`),
    );
  }
  return [path];
}

export const NAMES = ['web', 'api', 'ghcr.io/acme/web', 'web-canary'];
export const TAGS = ['1.4.0', '"1.10"', '1.10', '1234', "'v2'", 'latest', '*v', 'sha-abc1234'];
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const bits = [
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

export const imageEntry = fc.record({
  name: fc.constantFrom(...NAMES),
  tag: fc.option(fc.constantFrom(...TAGS), { nil: undefined }),
  newName: fc.option(fc.constantFrom('ghcr.io/acme/other', 'registry.local:5000/web'), { nil: undefined }),
  digest: fc.boolean(),
  flow: fc.boolean(),
  comment: fc.boolean(),
});

export const kustomization = fc
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
export const mutate = (base: fc.Arbitrary<string>) =>
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
