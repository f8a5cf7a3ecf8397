#!/usr/bin/env node
/* global process, console */
// Extracts the REST operations rollgate uses from GitHub's OpenAPI description (api.github.com, as
// published in @octokit/openapi) into test/fixtures/github/openapi-subset.json, with every
// component they reach. The loopback simulator (test/sim) validates requests and its own responses
// against this subset. The full package is ~385 MB, so it is not kept as a dependency: this script
// reads it from node_modules when the pinned version happens to be installed, and otherwise fetches
// the pinned tarball with `npm pack` into a temporary directory.
//
// Usage: node scripts/extract-openapi.mjs [--from path/to/api.github.com.json] [--fetch] [--check]
// (--fetch ignores node_modules and always uses npm pack; --check exits 1 when the committed
// subset differs from a fresh extraction)
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PINNED = '23.0.2';
const SPEC_FILE = 'generated/api.github.com.json';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'test/fixtures/github/openapi-subset.json');

// The contract in issue5-split.md: rollgate may call these and nothing else.
export const OPERATIONS = [
  ['get', '/repos/{owner}/{repo}'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}'],
  ['get', '/repos/{owner}/{repo}/contents/{path}'],
  ['get', '/repos/{owner}/{repo}/collaborators/{username}/permission'],
  ['get', '/orgs/{org}/teams/{team_slug}/memberships/{username}'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['get', '/repos/{owner}/{repo}/pulls'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/check-runs'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/status'],
  ['post', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions'],
  ['get', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions'],
  ['get', '/repos/{owner}/{repo}/activity'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['post', '/repos/{owner}/{repo}/check-runs'],
  ['post', '/repos/{owner}/{repo}/statuses/{sha}'],
  ['post', '/repos/{owner}/{repo}/deployments'],
  ['post', '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses'],
  ['post', '/repos/{owner}/{repo}/git/refs'],
  ['post', '/repos/{owner}/{repo}/pulls'],
];

// Documentation-only keys: dropping them keeps the fixture small and changes no validation.
const DOC_KEYS = new Set(['example', 'examples', 'externalDocs', 'x-github', 'summary', 'tags']);

async function loadSpec(from, forceFetch) {
  if (from) return JSON.parse(await readFile(from, 'utf8'));
  const installed = join(ROOT, 'node_modules/@octokit/openapi');
  if (!forceFetch && existsSync(join(installed, 'package.json'))) {
    const { version } = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    if (version === PINNED) return JSON.parse(await readFile(join(installed, SPEC_FILE), 'utf8'));
  }
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-openapi-'));
  try {
    const { stdout } = await run(
      'npm',
      ['pack', `@octokit/openapi@${PINNED}`, '--silent', '--pack-destination', dir],
      {
        cwd: dir,
        maxBuffer: 1 << 20,
      },
    );
    const tarball = join(dir, stdout.trim().split('\n').pop() ?? '');
    await run('tar', ['-xzf', tarball, '-C', dir, `package/${SPEC_FILE}`]);
    return JSON.parse(await readFile(join(dir, 'package', SPEC_FILE), 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Copies a node, dropping documentation keys; `properties` maps are copied key by key because
// their keys are field names (a field may well be called "example").
function strip(node, inPropertyMap = false) {
  if (Array.isArray(node)) return node.map((n) => strip(n));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (!inPropertyMap && DOC_KEYS.has(key)) continue;
    out[key] = strip(value, !inPropertyMap && (key === 'properties' || key === 'patternProperties'));
  }
  return out;
}

function collectRefs(node, refs) {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, refs);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.add(value);
      else collectRefs(value, refs);
    }
  }
}

function lookup(spec, ref) {
  if (!ref.startsWith('#/')) throw new Error(`extract-openapi: external $ref ${ref} is not supported`);
  const parts = ref
    .slice(2)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  let node = spec;
  for (const p of parts) {
    node = node?.[p];
    if (node === undefined) throw new Error(`extract-openapi: $ref ${ref} does not resolve`);
  }
  return { parts, node };
}

export function extract(spec) {
  const paths = {};
  for (const [method, path] of OPERATIONS) {
    const op = spec.paths?.[path]?.[method];
    if (!op) throw new Error(`extract-openapi: ${method.toUpperCase()} ${path} is not in the description`);
    paths[path] ??= {};
    paths[path][method] = strip(op);
  }
  const components = {};
  const seen = new Set();
  const queue = new Set();
  collectRefs(paths, queue);
  while (queue.size > 0) {
    const [ref] = queue;
    queue.delete(ref);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const { parts, node } = lookup(spec, ref);
    if (parts[0] !== 'components' || parts.length !== 3)
      throw new Error(`extract-openapi: unexpected $ref ${ref}`);
    const [, kind, name] = parts;
    components[kind] ??= {};
    components[kind][name] = strip(node);
    const inner = new Set();
    collectRefs(components[kind][name], inner);
    for (const r of inner) if (!seen.has(r)) queue.add(r);
  }
  for (const kind of Object.keys(components)) {
    components[kind] = Object.fromEntries(
      Object.entries(components[kind]).sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  return {
    openapi: spec.openapi,
    info: {
      title: `${spec.info?.title ?? 'GitHub v3 REST API'} (subset used by rollgate)`,
      version: spec.info?.version,
      'x-source': `@octokit/openapi@${PINNED} ${SPEC_FILE}`,
      'x-regenerate': 'node scripts/extract-openapi.mjs',
    },
    paths,
    components,
  };
}

async function main() {
  const fromIdx = process.argv.indexOf('--from');
  const from = fromIdx > 0 ? process.argv[fromIdx + 1] : undefined;
  const subset = extract(await loadSpec(from, process.argv.includes('--fetch')));
  const text = `${JSON.stringify(subset, null, 1)}\n`;
  if (process.argv.includes('--check')) {
    const committed = existsSync(OUT) ? await readFile(OUT, 'utf8') : '';
    if (committed !== text) {
      console.error(
        `extract-openapi: ${OUT} is out of date; run node scripts/extract-openapi.mjs and commit it`,
      );
      process.exit(1);
    }
    console.log(`extract-openapi: ${OUT} is up to date`);
    return;
  }
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, text);
  const count = Object.values(subset.components).reduce((n, c) => n + Object.keys(c).length, 0);
  console.log(`extract-openapi: wrote ${OUT} (${OPERATIONS.length} operations, ${count} components)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
