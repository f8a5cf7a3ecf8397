import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEditMirror } from '../../../src/overlays/cli-edit.js';
import { readMirror, setMirror } from '../../../src/overlays/traffic/mirror.js';
import { kustomizeBuild } from '../kubectl.js';

// `rollgate edit mirror` and canary.shadow's edit: byte-exact, only the mirror's lines and scalars.

const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews # the public route
spec:
  hosts: [reviews]
  http:
  - name: to-reviews
    route:
    - destination: {host: reviews, subset: v1}
      weight: 100
    - destination: {host: reviews, subset: v2}
      weight: 0
    timeout: 5s   # keep
`;

const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
spec:
  parentRefs: [{ name: public }]
  rules:
    - name: main
      backendRefs:
        - name: shop
          port: 8080
          weight: 90
        - name: shop-canary
          port: 8080
          weight: 10
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            add: [{ name: x-env, value: prod }]
`;

const ok = (r: ReturnType<typeof setMirror>) => {
  if (!r.ok) throw new Error(r.message);
  return r;
};

describe('setMirror: Istio VirtualService', () => {
  it('adds mirror and mirrorPercentage after the route, with the canary subset, and removes them again', () => {
    const added = ok(setMirror(vs, { percent: 10 }));
    expect(added.text).toBe(
      `${vs}    mirror:\n      host: reviews\n      subset: v2\n    mirrorPercentage:\n      value: 10\n`,
    );
    expect(added.descriptions).toEqual([
      'VirtualService reviews http[to-reviews]: mirror to reviews/v2 (unset) -> 10%',
    ]);
    expect(readMirror(added.text)).toBe(10);
    const changed = ok(setMirror(added.text, { percent: 0.25 }));
    expect(changed.text).toBe(added.text.replace('value: 10', 'value: 0.25'));
    expect(ok(setMirror(changed.text, { percent: 0.25 })).changed).toBe(false);
    expect(ok(setMirror(changed.text, { percent: 0 })).text).toBe(vs);
    expect(ok(setMirror(vs, { percent: 0 })).changed).toBe(false);
  });

  it('keeps CRLF line endings and points an existing mirror at the chosen backend', () => {
    const crlf = vs.replaceAll('\n', '\r\n');
    const added = ok(setMirror(crlf, { percent: 5, backend: 'v1' }));
    expect(added.text).toBe(
      `${crlf}    mirror:\r\n      host: reviews\r\n      subset: v1\r\n    mirrorPercentage:\r\n      value: 5\r\n`,
    );
    expect(ok(setMirror(added.text, { percent: 0 })).text).toBe(crlf);
  });

  it('reads a mirror without mirrorPercentage as 100% and adds the percentage to it', () => {
    const whole = `${vs}    mirror: {host: reviews, subset: v2}\n`;
    expect(readMirror(whole)).toBe(100);
    const set = ok(setMirror(whole, { percent: 20 }));
    expect(set.text).toBe(`${whole}    mirrorPercentage: { value: 20 }\n`);
  });

  it('refuses a tcp route: Istio mirrors http only', () => {
    const tcp = vs
      .replace('  http:\n  - name: to-reviews\n', '  tcp:\n  - name: to-reviews\n')
      .replace('    timeout: 5s   # keep\n', '');
    expect(setMirror(tcp, { percent: 10 })).toMatchObject({ ok: false, code: 'unsupported' });
  });
});

describe('setMirror: Gateway API', () => {
  it('appends a RequestMirror filter beside the existing one, then removes only it', () => {
    const added = ok(setMirror(route, { percent: 10 }));
    expect(added.text).toBe(
      `${route}        - type: RequestMirror\n          requestMirror:\n            backendRef:\n              name: shop-canary\n              port: 8080\n            percent: 10\n`,
    );
    expect(readMirror(added.text)).toBe(10);
    expect(ok(setMirror(added.text, { percent: 0 })).text).toBe(route);
  });

  it('writes a fraction below 1% or with decimals, and goes back to percent', () => {
    const added = ok(setMirror(route, { percent: 10 }));
    const small = ok(setMirror(added.text, { percent: 0.05 }));
    expect(small.text).toBe(
      added.text.replace(
        '            percent: 10\n',
        '            fraction:\n              numerator: 5\n              denominator: 10000\n',
      ),
    );
    expect(readMirror(small.text)).toBeCloseTo(0.05);
    expect(ok(setMirror(small.text, { percent: 0.05 })).changed).toBe(false);
    expect(ok(setMirror(small.text, { percent: 2 })).text).toBe(
      added.text.replace('percent: 10', 'percent: 2'),
    );
  });

  it('adds filters: to a rule without any and drops the key when the mirror was its only filter', () => {
    const bare = route.replace(/ {6}filters:[\s\S]*$/, '');
    const added = ok(setMirror(bare, { percent: 50, backend: 'shop-canary' }));
    expect(added.text).toBe(
      `${bare}      filters:\n        - type: RequestMirror\n          requestMirror:\n            backendRef:\n              name: shop-canary\n              port: 8080\n            percent: 50\n`,
    );
    expect(ok(setMirror(added.text, { percent: 0 })).text).toBe(bare);
  });

  it('refuses a TCPRoute, an ingress-nginx Ingress and an unknown backend, saying what to do', () => {
    const tcp = route.replace('kind: HTTPRoute', 'kind: TCPRoute').replace(/ {6}filters:[\s\S]*$/, '');
    expect(setMirror(tcp, { percent: 10 })).toMatchObject({ ok: false, code: 'unsupported' });
    expect(setMirror(route, { percent: 10, kind: 'ingress-nginx' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('cannot mirror requests'),
    });
    expect(setMirror(route, { percent: 10, backend: 'nope' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(setMirror(route, { percent: 101 })).toMatchObject({ ok: false, code: 'invalid-value' });
  });
});

describe('rollgate edit mirror', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-mirror-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('edits the file in place, kubectl kustomize builds it, and 0 takes it back byte for byte', async () => {
    const file = join(dir, 'route.yaml');
    await writeFile(file, route);
    await writeFile(join(dir, 'kustomization.yaml'), 'resources:\n  - route.yaml\n');
    const set = await runEditMirror([file, '0.5%', '--backend', 'shop-canary', '--route', 'main'], '/');
    expect(set).toEqual({
      exitCode: 0,
      stdout: `${file}: HTTPRoute shop rule main: mirror to shop-canary (unset) -> 0.5%\n`,
      stderr: '',
    });
    const built = JSON.stringify(await kustomizeBuild(dir));
    expect(built).toContain('"fraction":{"denominator":1000,"numerator":5}');
    expect((await runEditMirror([file, '0.5'], '/')).stdout).toBe(`${file}: already up to date\n`);
    expect((await runEditMirror([file, '0'], '/')).exitCode).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(route);
  });

  it('picks a document with --document and refuses bad input with exit 2', async () => {
    const file = join(dir, 'two.yaml');
    await writeFile(file, `${vs}---\n${vs}`);
    expect((await runEditMirror([file, '10'], '/')).stderr).toContain('--document N');
    expect((await runEditMirror([file, '10', '--document', '2'], '/')).exitCode).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(
      `${vs}---\n${vs}    mirror:\n      host: reviews\n      subset: v2\n    mirrorPercentage:\n      value: 10\n`,
    );
    expect(await runEditMirror([file, '150'], '/')).toMatchObject({ exitCode: 2 });
    expect(await runEditMirror([file, '10', '--canary-backend', 'x'], '/')).toMatchObject({ exitCode: 2 });
    expect(await runEditMirror([dir, '10'], '/')).toMatchObject({ exitCode: 2 });
  });
});
