import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readImages, setImages } from '../../src/overlays/kustomization.js';
import { readReplicas, setReplicas } from '../../src/overlays/replicas.js';
import { setOverlayWeight } from '../../src/overlays/traffic/overlay-weight.js';
import { setWeight } from '../../src/overlays/traffic/set-weight.js';
import { changedPaths, kustomizeBuild, mapLimit } from './kubectl.js';
import { writeStubs } from './stand-ins.js';

// Every real kustomization in the corpus is edited (an image, then replicas) and built with
// `kubectl kustomize` before and after: the renders must differ only in the intended fields.

const CORPUS = join(import.meta.dirname, '../fixtures/corpus');
const TAG = 'rollgate-9.9.9';

interface KustomizeCase {
  readonly name: string;
  readonly error?: string;
  readonly text: string;
  readonly spec: string;
  readonly imageChanges: ReturnType<typeof changedPaths>;
  readonly editedText: string;
  readonly replicaTarget: string | undefined;
  readonly replicaChanges: ReturnType<typeof changedPaths>;
}

let work: string;
const kustomizeCases: KustomizeCase[] = [];
const overlayCases: { name: string; error?: string; changes: ReturnType<typeof changedPaths> }[] = [];
const trafficCases: {
  name: string;
  outcome: ReturnType<typeof setWeight>;
  changes: ReturnType<typeof changedPaths>;
  after: unknown[];
}[] = [];

function imageName(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

function containerImages(objects: unknown[]): string[] {
  const found: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (key === 'image' && typeof v === 'string') found.push(v);
  };
  walk(objects, '');
  return found;
}

async function runKustomizeCase(dirName: string): Promise<KustomizeCase> {
  const source = join(CORPUS, 'kustomize', dirName);
  // Nested two deep so `../x` resources stay inside the temp folder.
  const caseDir = join(work, dirName, 'a', 'case');
  await cp(source, caseDir, { recursive: true });
  const file = join(caseDir, 'kustomization.yaml');
  const text = await readFile(file, 'utf8');
  await writeStubs(caseDir, text);
  const before = await kustomizeBuild(caseDir);

  // The image to edit: an images: entry whose result shows in the render, else an image the render uses.
  const rendered = containerImages(before).map(imageName);
  const entry = readImages(text).find((e) => rendered.includes(e.newName ?? e.name));
  const name = entry?.name ?? rendered[0] ?? 'nginx';
  const spec = `${name}:${TAG}`;
  const edited = setImages(text, [{ name, newTag: TAG }]);
  if (!edited.ok) throw new Error(`${dirName}: ${edited.message}`);
  await writeFile(file, edited.text);
  const afterImage = await kustomizeBuild(caseDir);

  // Replicas: the first Deployment, by the name it has before namePrefix/nameSuffix.
  const k = (parse(text) ?? {}) as { namePrefix?: string; nameSuffix?: string };
  const dep = (afterImage as { kind?: string; metadata?: { name?: string } }[]).find(
    (o) => o.kind === 'Deployment',
  );
  let replicaTarget: string | undefined;
  let replicaChanges: ReturnType<typeof changedPaths> = [];
  if (dep?.metadata?.name !== undefined) {
    replicaTarget = dep.metadata.name.slice(
      (k.namePrefix ?? '').length,
      dep.metadata.name.length - (k.nameSuffix ?? '').length,
    );
    const withReplicas = setReplicas(edited.text, [{ name: replicaTarget, count: 7 }]);
    if (!withReplicas.ok) throw new Error(`${dirName}: ${withReplicas.message}`);
    await writeFile(file, withReplicas.text);
    replicaChanges = changedPaths(afterImage, await kustomizeBuild(caseDir));
  }
  return {
    name: dirName,
    text,
    spec,
    imageChanges: changedPaths(before, afterImage),
    editedText: edited.text,
    replicaTarget,
    replicaChanges,
  };
}

async function runTrafficCase(fileName: string) {
  const dir = join(work, 'traffic', fileName.replace(/\W+/g, '-'));
  await cp(join(CORPUS, 'traffic', fileName), join(dir, 'manifest.yaml'));
  await writeFile(join(dir, 'kustomization.yaml'), 'resources:\n- manifest.yaml\n');
  const before = await kustomizeBuild(dir);
  const text = await readFile(join(dir, 'manifest.yaml'), 'utf8');
  const outcome = setWeight(text, { percent: 25 });
  if (!outcome.ok) return { name: fileName, outcome, changes: [], after: before };
  await writeFile(join(dir, 'manifest.yaml'), outcome.text);
  const after = await kustomizeBuild(dir);
  return { name: fileName, outcome, changes: changedPaths(before, after), after };
}

/** The same manifest as a base under an overlay: rollgate adds a JSON patch to the overlay. */
async function runOverlayCase(fileName: string) {
  const root = join(work, 'overlay', fileName.replace(/\W+/g, '-'));
  await cp(join(CORPUS, 'traffic', fileName), join(root, 'base/manifest.yaml'));
  await writeFile(join(root, 'base/kustomization.yaml'), 'resources:\n- manifest.yaml\n');
  await mkdir(join(root, 'prod'));
  await writeFile(join(root, 'prod/kustomization.yaml'), '# production\nresources:\n  - ../base\n');
  const before = await kustomizeBuild(join(root, 'base'));
  const outcome = setOverlayWeight(
    {
      kustomization: {
        path: 'kustomization.yaml',
        text: await readFile(join(root, 'prod/kustomization.yaml'), 'utf8'),
      },
      files: {},
      bases: { '../base/manifest.yaml': await readFile(join(root, 'base/manifest.yaml'), 'utf8') },
    },
    { percent: 25 },
  );
  if (!outcome.ok) return { name: fileName, error: `${outcome.code}: ${outcome.message}`, changes: [] };
  for (const e of outcome.edits) await writeFile(join(root, 'prod', e.path), e.after);
  return { name: fileName, changes: changedPaths(before, await kustomizeBuild(join(root, 'prod'))) };
}

const kustomizeDirs = (await readdir(join(CORPUS, 'kustomize'))).sort();
const trafficFiles = (await readdir(join(CORPUS, 'traffic'))).sort();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rollgate-corpus-'));
  kustomizeCases.push(
    ...(await mapLimit(kustomizeDirs, 2, (dir) =>
      runKustomizeCase(dir).catch((err: Error): KustomizeCase => ({
        name: dir,
        error: err.message,
        text: '',
        spec: '',
        imageChanges: [],
        editedText: '',
        replicaTarget: undefined,
        replicaChanges: [],
      })),
    )),
  );
  trafficCases.push(...(await mapLimit(trafficFiles, 2, runTrafficCase)));
  overlayCases.push(...(await mapLimit(trafficFiles, 2, runOverlayCase)));
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('corpus of real kustomizations', () => {
  it('holds at least 30 kustomizations and 10 traffic manifests', () => {
    expect(kustomizeDirs.length).toBeGreaterThanOrEqual(30);
    expect(trafficFiles.length).toBeGreaterThanOrEqual(10);
  });

  it.each(kustomizeDirs)('%s: an image edit changes only image fields of the render', (dir) => {
    const c = kustomizeCases.find((x) => x.name === dir);
    expect(c, `case ${dir} ran`).toBeDefined();
    if (c === undefined) return;
    expect(c.error).toBeUndefined();
    expect(c.imageChanges.length, `${c.spec} changed the render`).toBeGreaterThan(0);
    for (const change of c.imageChanges) {
      expect(change.path).toMatch(/\.image$/);
      expect(change.after).toContain(TAG);
    }
    expect(readImages(c.editedText).some((e) => e.newTag === TAG)).toBe(true);
  });

  it.each(kustomizeDirs)('%s: a replicas edit changes only that Deployment’s replicas', (dir) => {
    const c = kustomizeCases.find((x) => x.name === dir);
    if (c === undefined || c.replicaTarget === undefined) {
      expect(c?.replicaTarget, `case ${dir} has a Deployment`).toBeUndefined();
      return;
    }
    expect(c.replicaChanges).toHaveLength(1);
    expect(c.replicaChanges[0]?.path).toMatch(/^\[\d+\]\.spec\.replicas$/);
    expect(c.replicaChanges[0]?.after).toBe('7');
  });
});

describe('corpus of real traffic manifests', () => {
  it.each(trafficFiles)('%s: a 25% canary changes only weights', (file) => {
    const c = trafficCases.find((x) => x.name === file);
    expect(c).toBeDefined();
    if (c === undefined) return;
    if (!c.outcome.ok) {
      // A route without any weighted rule is reported, never guessed at.
      expect(c.outcome.code).toBe('not-found');
      expect(file).toBe('gateway-api__traffic-split-1.yaml');
      return;
    }
    expect(c.changes.length).toBeGreaterThan(0);
    for (const change of c.changes) expect(change.path).toMatch(/\.weight$/);
    const weights = c.changes.map((x) => Number(x.after));
    expect(weights).toContain(25);
    expect(weights.reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe('corpus of real traffic manifests under an overlay', () => {
  it.each(trafficFiles)('%s: the added JSON patch renders a 25%% canary and nothing else', (file) => {
    const c = overlayCases.find((x) => x.name === file);
    expect(c).toBeDefined();
    if (c === undefined) return;
    if (c.error !== undefined) {
      expect(file).toBe('gateway-api__traffic-split-1.yaml');
      expect(c.error).toMatch(/^not-found/);
      return;
    }
    expect(c.changes.length).toBeGreaterThan(0);
    for (const change of c.changes) expect(change.path).toMatch(/\.weight$/);
    const weights = c.changes.map((x) => Number(x.after));
    expect(weights).toContain(25);
    expect(weights.reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe('readReplicas', () => {
  it('reads the replicas list of a real kustomization', async () => {
    const text = await readFile(
      join(CORPUS, 'kustomize/4raulp__simple-app-example/kustomization.yaml'),
      'utf8',
    );
    expect(readReplicas(text)).toEqual([
      { name: 'server', count: 1 },
      { name: 'client', count: 5 },
    ]);
  });
});
