import { describe, expect, it } from 'vitest';
import { formatImageSpec, parseImageSpec } from '../../src/overlays/image-spec.js';

const D = `sha256:${'4f3c'.repeat(16)}`;

describe('parseImageSpec (kustomize syntax)', () => {
  it.each([
    ['nginx:1.2', { name: 'nginx', newTag: '1.2' }],
    [`nginx@${D}`, { name: 'nginx', digest: D }],
    [`nginx:1.2@${D}`, { name: 'nginx', newTag: '1.2', digest: D }],
    ['nginx=ghcr.io/acme/nginx:1.2', { name: 'nginx', newName: 'ghcr.io/acme/nginx', newTag: '1.2' }],
    ['nginx=*:1.2', { name: 'nginx', newName: '*', newTag: '1.2' }],
    ['nginx=ghcr.io/acme/nginx', { name: 'nginx', newName: 'ghcr.io/acme/nginx' }],
    ['localhost:5000/app:7', { name: 'localhost:5000/app', newTag: '7' }],
    ['app=localhost:5000/app', { name: 'app', newName: 'localhost:5000/app' }],
    [`app=reg/app:*@${D}`, { name: 'app', newName: 'reg/app', newTag: '*', digest: D }],
  ])('%s', (arg, expected) => {
    expect(parseImageSpec(arg)).toEqual(expected);
  });

  it.each([
    ['', 'invalid-spec'],
    ['nginx', 'invalid-spec'],
    ['=foo:1', 'invalid-spec'],
    ['nginx:bad tag', 'invalid-spec'],
    ['nginx:-x', 'invalid-spec'],
    ['nginx@md5', 'invalid-spec'],
    // Issue 11 item 14: a digest that is not hex of the algorithm's length, a tag that is a path.
    ['nginx@sha256:zzz', 'invalid-spec'],
    ['nginx@sha256:abc123', 'invalid-spec'],
    ['web:../../x', 'invalid-spec'],
    ['web=reg/web:../../x', 'invalid-spec'],
    // Issue 11 item 13: characters no image name holds.
    ['we;b:1', 'invalid-spec'],
    ['web=re;g/web:1', 'invalid-spec'],
    ['web=reg:x/web:1', 'invalid-spec'],
  ])('rejects %j', (arg, code) => {
    const result = parseImageSpec(arg);
    expect(result).toMatchObject({ ok: false, code });
    expect((result as { message: string }).message).toContain(JSON.stringify(arg));
  });

  it('formats back to the same syntax', () => {
    expect(formatImageSpec({ name: 'a', newName: 'b', newTag: '1', digest: 'sha256:ab' })).toBe(
      'a=b:1@sha256:ab',
    );
    expect(formatImageSpec({ name: 'a', newTag: '1' })).toBe('a:1');
  });
});
