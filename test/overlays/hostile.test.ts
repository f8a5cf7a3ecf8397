import { describe, expect, it } from 'vitest';
import { imagesOf, readImages, setImages } from '../../src/overlays/kustomization.js';
import { setReplicas } from '../../src/overlays/replicas.js';
import { setWeight } from '../../src/overlays/traffic/set-weight.js';

// Issue 11, "Hostile and odd input" items 10, 11, 12 and 14, at the level of the pure edits: every
// refusal is an EditFailure with a line and column, never an exception, a hang or a wrong value.

/** Nine levels of nine aliases each: 9^9 nodes when expanded, in about 600 bytes. */
function aliasBomb(): string {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1] as string;
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return lines.join('\n');
}

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
spec:
  rules:
  - backendRefs:
    - name: web
      weight: 90
    - name: web-canary
      weight: 10
`;

describe('alias bombs and aliases (items 10 and 12)', () => {
  it('refuses an alias bomb in an overlay with the line and column of the alias that crosses the bound', () => {
    const text = `images:\n- name: web\n  newTag: v1\nx:\n  ${aliasBomb().split('\n').join('\n  ')}\n`;
    const result = setImages(text, [{ name: 'web', newTag: 'v2' }]);
    expect(result).toMatchObject({ ok: false, code: 'parse-error' });
    expect(result.ok ? '' : result.message).toMatch(/aliases expand to more than 100,000 nodes/);
    expect(result.ok ? undefined : result.at?.line).toBeGreaterThan(4);
    expect(imagesOf(text)).toMatchObject({ ok: false, code: 'parse-error' });
    expect(readImages(text)).toEqual([]);
  });

  it('refuses an alias bomb in a traffic file', () => {
    const result = setWeight(`${ROUTE}---\n${aliasBomb()}\n`, { percent: 20 });
    expect(result).toMatchObject({ ok: false, code: 'parse-error' });
    expect(result.ok ? undefined : result.at).toBeDefined();
  });

  it('an alias before its anchor is a failure at the alias, not a stack trace (edit weight)', () => {
    const text = ROUTE.replace('weight: 90', 'weight: *w').replace('weight: 10', 'weight: &w 10');
    const result = setWeight(text, { percent: 20 });
    expect(result).toMatchObject({ ok: false, code: 'parse-error', at: { line: 9, col: 15 } });
    expect(result.ok ? '' : result.message).toContain('alias *w refers to no anchor defined before it');
  });

  it('an alias that contains itself is refused', () => {
    const result = setImages('images: &l\n- name: web\n  newTag: v1\n- *l\n', [
      { name: 'web', newTag: 'v2' },
    ]);
    expect(result).toMatchObject({ ok: false, code: 'parse-error', at: { line: 4, col: 3 } });
  });

  it('nesting deeper than the parser goes is an error, not a crash', () => {
    const result = setImages(`images: ${'['.repeat(20000)}\n`, [{ name: 'web', newTag: 'v2' }]);
    expect(result).toMatchObject({ ok: false, code: 'parse-error' });
  });
});

describe('size limit (item 11)', () => {
  it('refuses a file over the limit before parsing it, naming the config key', () => {
    const text = `images:\n- name: web\n  newTag: v1\n${'# padding\n'.repeat(200)}`;
    const result = setImages(text, [{ name: 'web', newTag: 'v2' }], { maxFileSize: 1024 });
    expect(result).toMatchObject({ ok: false, code: 'too-large', at: { line: 1, col: 1 } });
    expect(result.ok ? '' : result.message).toBe(
      'the file is 2 KB, over the limit of 1 KB (limits.maxFileSize in the config); split the file or raise the limit',
    );
    expect(imagesOf(text, { maxFileSize: 1024 })).toMatchObject({ ok: false, code: 'too-large' });
    expect(setImages(text, [{ name: 'web', newTag: 'v2' }], { maxFileSize: 4096 })).toMatchObject({
      ok: true,
    });
  });
});

describe('edits of odd files (item 14)', () => {
  it('a CRLF file whose last line has no line break gains none when that value is replaced', () => {
    for (const scalar of ['|\r\n    v1', '>-\r\n    v1']) {
      const text = `kind: Kustomization\r\nimages:\r\n- name: web\r\n  newTag: ${scalar}`;
      const result = setImages(text, [{ name: 'web', newTag: 'v2' }]);
      expect(result).toMatchObject({
        ok: true,
        text: 'kind: Kustomization\r\nimages:\r\n- name: web\r\n  newTag: v2',
      });
      const both = setImages(text, [{ name: 'web', newName: 'reg/web', newTag: 'v2' }]);
      expect(both.ok && both.text).toBe(
        'kind: Kustomization\r\nimages:\r\n- name: web\r\n  newTag: v2\r\n  newName: reg/web',
      );
    }
  });

  it('a block scalar in the middle of a CRLF file keeps CRLF on its line', () => {
    const text = 'images:\r\n- name: web\r\n  newTag: |\r\n    v1\r\n  newName: x\r\n';
    const result = setImages(text, [{ name: 'web', newTag: 'v2' }]);
    expect(result.ok && result.text).toBe('images:\r\n- name: web\r\n  newTag: v2\r\n  newName: x\r\n');
  });

  it('an unquoted newTag: 1.10 reads as "1.10", not 1.1, in both readers', () => {
    for (const text of ['images:\n- name: web\n  newTag: 1.10\n', 'images: [{name: web, newTag: 1.10}]\n']) {
      expect(readImages(text)).toEqual([{ name: 'web', newTag: '1.10' }]);
      expect(setImages(text, [{ name: 'web', newTag: '1.10' }])).toMatchObject({ ok: true, changed: false });
      const next = setImages(text, [{ name: 'web', newTag: '1.11' }]);
      expect(next.ok && next.descriptions).toEqual(['images web: newTag 1.10 -> 1.11']);
    }
  });

  it('a binary file is named as one', () => {
    const text = 'images:\n- name: web\n  newTag: v1\n\u0000\u0001PNG';
    for (const result of [setImages(text, [{ name: 'web', newTag: 'v2' }]), imagesOf(text)]) {
      expect(result).toMatchObject({ ok: false, code: 'binary', at: { line: 4, col: 1 } });
    }
    expect(setReplicas(text, [{ name: 'web', count: 2 }])).toMatchObject({ ok: false, code: 'binary' });
  });

  it('a file holding only a path (a symbolic link as git stores it) says so', () => {
    const result = imagesOf('../../base/kustomization.yaml');
    expect(result).toMatchObject({ ok: false, code: 'not-found' });
    expect('message' in result ? result.message : '').toContain('a symbolic link?');
  });
});

describe('several traffic objects of one name (item 14)', () => {
  const two = `${ROUTE}---\n${ROUTE.replace('weight: 90', 'weight: 70').replace('weight: 10', 'weight: 30')}`;

  it('the error offers the document position, and --document picks one', () => {
    for (const route of [undefined, 'web']) {
      const ambiguous = setWeight(two, { percent: 20, ...(route === undefined ? {} : { route }) });
      expect(ambiguous).toMatchObject({ ok: false, code: 'ambiguous' });
      expect(ambiguous.ok ? '' : ambiguous.message).toContain(
        'HTTPRoute web rule 0 (document 1); HTTPRoute web rule 0 (document 2); they share a name, so pick one by its position with --document N',
      );
    }
    const second = setWeight(two, { percent: 20, route: 'web', document: 2 });
    expect(second.ok && second.text).toBe(
      `${ROUTE}---\n${ROUTE.replace('weight: 90', 'weight: 80').replace('weight: 10', 'weight: 20')}`,
    );
    expect(setWeight(two, { percent: 20, document: 3 })).toMatchObject({ ok: false, code: 'not-found' });
  });
});
