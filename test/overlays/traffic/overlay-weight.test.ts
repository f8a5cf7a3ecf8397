import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OverlayInput, setOverlayWeight } from '../../../src/overlays/traffic/overlay-weight.js';
import { kustomizeBuild } from '../kubectl.js';

// An overlay over a base that holds a real HTTPRoute (from the corpus): the weight goes into a
// minimal JSON patch the first time, that patch is edited the next time, and `kubectl kustomize`
// renders the intended weights each time.

const ROUTE = join(import.meta.dirname, '../../fixtures/corpus/traffic/gateway-api__simple-split.yaml');
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rollgate-overlay-'));
  await mkdir(join(root, 'base'));
  await mkdir(join(root, 'prod'));
  await writeFile(join(root, 'base/route.yaml'), await readFile(ROUTE, 'utf8'));
  await writeFile(join(root, 'base/kustomization.yaml'), 'resources:\n- route.yaml\n');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function input(files: readonly string[]): Promise<OverlayInput> {
  const contents: Record<string, string> = {};
  for (const f of files) contents[f] = await readFile(join(root, 'prod', f), 'utf8');
  return {
    kustomization: {
      path: 'kustomization.yaml',
      text: await readFile(join(root, 'prod/kustomization.yaml'), 'utf8'),
    },
    files: contents,
    bases: { '../base/route.yaml': await readFile(join(root, 'base/route.yaml'), 'utf8') },
  };
}

async function apply(outcome: ReturnType<typeof setOverlayWeight>): Promise<string[]> {
  if (!outcome.ok) throw new Error(outcome.message);
  for (const e of outcome.edits) await writeFile(join(root, 'prod', e.path), e.after);
  return outcome.edits.map((e) => e.path);
}

async function weights(): Promise<number[]> {
  const [route] = (await kustomizeBuild(join(root, 'prod'))) as {
    spec: { rules: { backendRefs: { weight: number }[] }[] };
  }[];
  return route?.spec.rules[0]?.backendRefs.map((b) => b.weight) ?? [];
}

describe('setOverlayWeight', () => {
  it('adds a JSON patch listed under patches:, then edits that patch', async () => {
    const k = '# production\nnamespace: prod # all of it\nresources:\n  - ../base\n';
    await writeFile(join(root, 'prod/kustomization.yaml'), k);
    expect(await weights()).toEqual([90, 10]);

    const first = setOverlayWeight(await input([]), { percent: 25 });
    expect(await apply(first)).toEqual(['rollgate-traffic-simple-split.yaml', 'kustomization.yaml']);
    expect(await readFile(join(root, 'prod/kustomization.yaml'), 'utf8')).toBe(
      `${k}patches:\n  - path: rollgate-traffic-simple-split.yaml\n    target: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: simple-split}\n`,
    );
    expect(await weights()).toEqual([75, 25]);
    const patch = await readFile(join(root, 'prod/rollgate-traffic-simple-split.yaml'), 'utf8');

    const second = setOverlayWeight(await input(['rollgate-traffic-simple-split.yaml']), { percent: 50 });
    expect(await apply(second)).toEqual(['rollgate-traffic-simple-split.yaml']);
    expect(await readFile(join(root, 'prod/rollgate-traffic-simple-split.yaml'), 'utf8')).toBe(
      patch.replace('value: 75', 'value: 50').replace('value: 25', 'value: 50'),
    );
    expect(await weights()).toEqual([50, 50]);
    expect(setOverlayWeight(await input(['rollgate-traffic-simple-split.yaml']), { percent: 50 })).toEqual({
      ok: true,
      edits: [],
    });
  });

  it('skips patches: entries that are not maps instead of failing on them', async () => {
    const k = 'resources:\n  - ../base\npatches:\n  - ~\n  - {path: gone.yaml, target: 7}\n';
    await writeFile(join(root, 'prod/kustomization.yaml'), k);
    const outcome = setOverlayWeight(await input([]), { percent: 25 });
    expect(outcome.ok).toBe(true);
    // kustomize itself refuses such entries; rollgate must not crash on them before it does.
    expect(outcome.ok && outcome.edits.map((e) => e.path)).toEqual([
      'rollgate-traffic-simple-split.yaml',
      'kustomization.yaml',
    ]);
  });

  it('edits a strategic-merge patch of the overlay that already holds the weights', async () => {
    const patch = (await readFile(ROUTE, 'utf8'))
      .replace('weight: 90', 'weight: 95')
      .replace('weight: 10', 'weight: 5');
    await writeFile(join(root, 'prod/route-patch.yaml'), patch);
    await writeFile(
      join(root, 'prod/kustomization.yaml'),
      'resources:\n- ../base\npatches:\n- path: route-patch.yaml\n',
    );
    expect(await weights()).toEqual([95, 5]);
    const outcome = setOverlayWeight(await input(['route-patch.yaml']), { percent: 30 });
    expect(await apply(outcome)).toEqual(['route-patch.yaml']);
    expect(await weights()).toEqual([70, 30]);
  });

  it('refuses when two files of the overlay set the weight', async () => {
    await writeFile(join(root, 'prod/route-patch.yaml'), await readFile(ROUTE, 'utf8'));
    await writeFile(
      join(root, 'prod/rollgate-traffic-simple-split.yaml'),
      '- op: add\n  path: /spec/rules/0/backendRefs/0/weight\n  value: 90\n- op: add\n  path: /spec/rules/0/backendRefs/1/weight\n  value: 10\n',
    );
    await writeFile(
      join(root, 'prod/kustomization.yaml'),
      'resources:\n- ../base\npatches:\n- path: route-patch.yaml\n- path: rollgate-traffic-simple-split.yaml\n  target: {kind: HTTPRoute, name: simple-split}\n',
    );
    const outcome = setOverlayWeight(
      await input(['route-patch.yaml', 'rollgate-traffic-simple-split.yaml']),
      { percent: 30 },
    );
    expect(outcome).toMatchObject({ ok: false, code: 'ambiguous' });
    expect(outcome.ok ? '' : outcome.message).toContain(
      'route-patch.yaml and rollgate-traffic-simple-split.yaml',
    );
  });

  it('patches an ingress-nginx canary annotation (a JSON pointer with ~1)', async () => {
    await writeFile(
      join(root, 'base/route.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web-canary\n  annotations:\n    nginx.ingress.kubernetes.io/canary: "true"\nspec:\n  rules: []\n',
    );
    await writeFile(join(root, 'prod/kustomization.yaml'), 'resources:\n- ../base\n');
    await apply(setOverlayWeight(await input([]), { percent: 15 }));
    const [ingress] = (await kustomizeBuild(join(root, 'prod'))) as {
      metadata: { annotations: Record<string, string> };
    }[];
    expect(ingress?.metadata.annotations['nginx.ingress.kubernetes.io/canary-weight']).toBe('15');
  });

  it('reports a route that no base defines', async () => {
    await writeFile(join(root, 'prod/kustomization.yaml'), 'resources:\n- ../base\n');
    expect(setOverlayWeight(await input([]), { percent: 15, route: 'nope' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
  });
});
