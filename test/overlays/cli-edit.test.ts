import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEditImage, runEditReplicas, runEditWeight } from '../../src/overlays/cli-edit.js';
import { kustomizeBuild } from './kubectl.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollgate-edit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rollgate edit image', () => {
  it('resolves a folder to its kustomization and edits it', async () => {
    await writeFile(join(dir, 'kustomization.yaml'), 'images:\n- name: web # app\n  newTag: v1\n');
    const result = await runEditImage([dir, 'web:v2', 'api=reg/api:7'], '/');
    expect(result).toEqual({
      exitCode: 0,
      stdout: `${join(dir, 'kustomization.yaml')}: images web: newTag v1 -> v2\n${join(dir, 'kustomization.yaml')}: images: add api (newName reg/api, newTag 7)\n`,
      stderr: '',
    });
    expect(await readFile(join(dir, 'kustomization.yaml'), 'utf8')).toBe(
      'images:\n- name: web # app\n  newTag: v2\n- name: api\n  newName: reg/api\n  newTag: "7"\n',
    );
  });

  it('finds Kustomization and kustomization.yml too, and refuses two of them', async () => {
    await writeFile(join(dir, 'Kustomization'), 'resources: []\n');
    expect((await runEditImage(['.', 'web:v2'], dir)).exitCode).toBe(0);
    await writeFile(join(dir, 'kustomization.yml'), 'resources: []\n');
    const two = await runEditImage(['.', 'web:v2'], dir);
    expect(two.exitCode).toBe(2);
    expect(two.stderr).toContain('found multiple kustomization files');
  });

  it('reports an empty folder, a missing path and a bad spec', async () => {
    expect(await runEditImage([dir, 'web:v2'])).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('no kustomization file'),
    });
    expect(await runEditImage([join(dir, 'nope'), 'web:v2'])).toMatchObject({ exitCode: 3 });
    expect(await runEditImage([dir, 'web'])).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('usage: rollgate edit image'),
    });
    expect(await runEditImage([dir])).toMatchObject({ exitCode: 2 });
  });

  it('says when nothing changed and leaves the file untouched', async () => {
    const file = join(dir, 'kustomization.yaml');
    await writeFile(file, 'images:\n- name: web\n  newTag: v1\n');
    expect(await runEditImage([file, 'web:v1'])).toEqual({
      exitCode: 0,
      stdout: `${file}: already up to date\n`,
      stderr: '',
    });
  });
});

describe('rollgate edit replicas', () => {
  it('sets counts', async () => {
    await writeFile(join(dir, 'kustomization.yaml'), 'resources: []\n');
    expect((await runEditReplicas([dir, 'web=3'])).exitCode).toBe(0);
    expect(await readFile(join(dir, 'kustomization.yaml'), 'utf8')).toBe(
      'resources: []\nreplicas:\n- name: web\n  count: 3\n',
    );
    expect((await runEditReplicas([dir, 'web=x'])).exitCode).toBe(2);
  });
});

describe('rollgate edit weight', () => {
  const route =
    'kind: HTTPRoute\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: r}\nspec:\n  rules:\n  - backendRefs:\n    - {name: stable, weight: 100}\n    - {name: next, weight: 0}\n';

  it('sets the canary percentage with options in either form', async () => {
    await writeFile(join(dir, 'route.yaml'), route);
    const result = await runEditWeight(['route.yaml', '25%', '--route', 'r', '--canary-backend=next'], dir);
    expect(result.exitCode).toBe(0);
    expect(await readFile(join(dir, 'route.yaml'), 'utf8')).toBe(
      route.replace('weight: 100', 'weight: 75').replace('weight: 0', 'weight: 25'),
    );
  });

  it('rejects a bad percentage, an unknown option and a missing file', async () => {
    await writeFile(join(dir, 'route.yaml'), route);
    expect(await runEditWeight(['route.yaml', '150'], dir)).toMatchObject({ exitCode: 2 });
    expect(await runEditWeight(['route.yaml', '10', '--bogus'], dir)).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('unknown option --bogus'),
    });
    expect(await runEditWeight(['route.yaml', '10', '--route'], dir)).toMatchObject({ exitCode: 2 });
    expect(await runEditWeight(['gone.yaml', '10'], dir)).toMatchObject({ exitCode: 3 });
  });
});

describe('rollgate edit weight on an overlay folder', () => {
  it('adds a patch, then edits it; kubectl renders the weights', async () => {
    await mkdir(join(dir, 'base'));
    await mkdir(join(dir, 'prod'));
    await writeFile(
      join(dir, 'base/route.yaml'),
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop}\nspec:\n  rules:\n  - backendRefs:\n    - {name: shop, port: 80}\n    - {name: shop-canary, port: 80}\n',
    );
    await writeFile(join(dir, 'base/kustomization.yaml'), 'resources: [route.yaml]\n');
    await writeFile(join(dir, 'prod/kustomization.yaml'), 'resources:\n- ../base\n');
    const first = await runEditWeight(['prod', '10'], dir);
    expect(first).toMatchObject({ exitCode: 0, stderr: '' });
    expect(first.stdout).toContain('patches: add rollgate-traffic-shop.yaml');
    const render = async () =>
      (
        (await kustomizeBuild(join(dir, 'prod'))) as {
          spec: { rules: { backendRefs: { weight?: number }[] }[] };
        }[]
      )[0]?.spec.rules[0]?.backendRefs.map((b) => b.weight);
    expect(await render()).toEqual([90, 10]);
    expect((await runEditWeight(['prod', '40'], dir)).exitCode).toBe(0);
    expect(await render()).toEqual([60, 40]);
    expect(await runEditWeight(['prod', '40'], dir)).toMatchObject({
      exitCode: 0,
      stdout: expect.stringContaining('already up to date'),
    });
  });
});
