import { describe, expect, it } from 'vitest';
import { readImages, setImages } from '../../src/overlays/kustomization.js';
import type { ImageSpec } from '../../src/overlays/image-spec.js';

// Table of edits on messy inputs: the whole expected output is given, byte for byte.

interface Row {
  readonly name: string;
  readonly input: string;
  readonly specs: readonly ImageSpec[];
  readonly output: string;
}

const rows: Row[] = [
  {
    name: 'a tag change keeps comments, quotes and the other fields',
    input:
      'images:\n- name: web # the site\n  newName: ghcr.io/acme/web # moved\n  newTag: "1.0" # pinned\n# end\n',
    specs: [{ name: 'web', newTag: '1.1' }],
    output:
      'images:\n- name: web # the site\n  newName: ghcr.io/acme/web # moved\n  newTag: "1.1" # pinned\n# end\n',
  },
  {
    name: 'a numeric-looking tag is written quoted',
    input: 'images:\n  - name: web\n    newTag: v1\n',
    specs: [{ name: 'web', newTag: '1234' }],
    output: 'images:\n  - name: web\n    newTag: "1234"\n',
  },
  {
    name: 'single quotes stay single quotes',
    input: "images:\n- name: web\n  newTag: 'v1'\n",
    specs: [{ name: 'web', newTag: 'v2' }],
    output: "images:\n- name: web\n  newTag: 'v2'\n",
  },
  {
    name: 'a new tag removes a stale digest (the digest would win)',
    input: 'images:\n- name: web\n  newTag: v1\n  digest: sha256:aaaa # old\nresources:\n- a.yaml\n',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'images:\n- name: web\n  newTag: v2\nresources:\n- a.yaml\n',
  },
  {
    name: 'tag and digest together set both',
    input: 'images:\n- name: web\n  newTag: v1\n',
    specs: [{ name: 'web', newTag: 'v2', digest: 'sha256:bbbb' }],
    output: 'images:\n- name: web\n  newTag: v2\n  digest: sha256:bbbb\n',
  },
  {
    name: '* keeps a field',
    input: 'images:\n- name: web\n  newTag: v1\n  digest: sha256:aaaa\n',
    specs: [{ name: 'web', newTag: 'v2', digest: '*' }],
    output: 'images:\n- name: web\n  newTag: v2\n  digest: sha256:aaaa\n',
  },
  {
    name: 'a missing entry is added at the end, in the list’s indentation',
    input: 'images:\n    - name: a   # first\n      newTag: "1"\n# trailing note\nresources:\n    - x.yaml\n',
    specs: [{ name: 'b', newName: 'reg/b', newTag: '2.0' }],
    output:
      'images:\n    - name: a   # first\n      newTag: "1"\n    - name: b\n      newName: reg/b\n      newTag: "2.0"\n# trailing note\nresources:\n    - x.yaml\n',
  },
  {
    name: 'a missing images: key is created at the end, following the file’s list indent',
    input: 'resources:\n  - a.yaml\nnamespace: shop\n',
    specs: [{ name: 'web', newTag: 'v1' }],
    output: 'resources:\n  - a.yaml\nnamespace: shop\nimages:\n  - name: web\n    newTag: v1\n',
  },
  {
    name: 'flow style stays flow style',
    input: 'images: [{name: a, newTag: b}]\n',
    specs: [
      { name: 'a', newTag: 'c' },
      { name: 'z', newTag: '1' },
    ],
    output: 'images: [{name: a, newTag: c}, {name: z, newTag: "1"}]\n',
  },
  {
    name: 'CRLF and a BOM survive',
    input: '\ufeffimages:\r\n- name: web\r\n  newTag: v1\r\n',
    specs: [
      { name: 'web', newTag: 'v2' },
      { name: 'api', newTag: 'v3' },
    ],
    output: '\ufeffimages:\r\n- name: web\r\n  newTag: v2\r\n- name: api\r\n  newTag: v3\r\n',
  },
  {
    name: 'a missing final newline stays missing',
    input: 'images:\n- name: web\n  newTag: v1',
    specs: [{ name: 'web', newName: 'reg/web' }],
    output: 'images:\n- name: web\n  newTag: v1\n  newName: reg/web',
  },
  {
    name: 'an alias value is replaced, its anchor left alone',
    input: 'x: &t v1\nimages:\n- name: web\n  newTag: *t\n',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'x: &t v1\nimages:\n- name: web\n  newTag: v2\n',
  },
  {
    name: 'the Kustomization document of a multi-document file is the one edited',
    input: 'kind: Note\nimages: []\n---\nkind: Kustomization\nimages:\n- name: web\n  newTag: v1\n',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'kind: Note\nimages: []\n---\nkind: Kustomization\nimages:\n- name: web\n  newTag: v2\n',
  },
  {
    name: 'an empty value gets the value after its colon, before its comment',
    input: 'images:\n- name: web\n  newTag: # later\n',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'images:\n- name: web\n  newTag: v2 # later\n',
  },
  {
    name: 'a null value is replaced',
    input: 'images:\n- name: web\n  newTag: ~\n',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'images:\n- name: web\n  newTag: v2\n',
  },
  {
    name: 'an empty images: key gets its first entry',
    input: 'resources:\n  - a.yaml\nimages: # none yet\nnamespace: x\n',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'resources:\n  - a.yaml\nimages: # none yet\n  - name: web\n    newTag: v2\nnamespace: x\n',
  },
  {
    name: 'a removed last line of a file without a final newline takes its line break along',
    input: 'images:\n- name: web\n  newTag: v1 # t\n  digest: sha256:ff',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'images:\n- name: web\n  newTag: v2 # t',
  },
  {
    name: 'a block scalar tag becomes a plain one',
    input: 'images:\n- name: web\n  newTag: |-\n    v1\nresources: []\n',
    specs: [{ name: 'web', newTag: 'v2' }],
    output: 'images:\n- name: web\n  newTag: v2\nresources: []\n',
  },
  {
    name: 'a value already in place changes nothing',
    input: 'images:\n- name: web\n  newTag: v1\n',
    specs: [{ name: 'web', newTag: 'v1' }],
    output: 'images:\n- name: web\n  newTag: v1\n',
  },
];

describe('setImages', () => {
  it.each(rows)('$name', ({ input, specs, output }) => {
    const result = setImages(input, specs);
    expect(result).toMatchObject({ ok: true, text: output, changed: input !== output });
    // Editing again is a no-op.
    expect(setImages(output, specs)).toMatchObject({ ok: true, text: output, changed: false });
  });

  it('leaves the file alone when every field is kept with *', () => {
    expect(setImages('images: []\n', [{ name: 'web', newName: '*', newTag: '*' }])).toMatchObject({
      ok: true,
      changed: false,
      text: 'images: []\n',
    });
  });

  it('describes each change for the commit message', () => {
    const result = setImages('images:\n- name: web\n  newTag: v1\n  digest: sha256:aa\n', [
      { name: 'web', newTag: 'v2' },
    ]);
    expect(result.ok && result.descriptions).toEqual([
      'images web: newTag v1 -> v2',
      'images web: remove digest sha256:aa',
    ]);
  });

  it.each([
    [
      'two entries of one name',
      'images:\n- name: web\n- name: web\n',
      'ambiguous',
      /2 images entries are named web \(lines 2, 3\)/,
    ],
    [
      'an anchored tag used elsewhere',
      'images:\n- name: a\n  newTag: &t v1\n- name: b\n  newTag: *t\n',
      'unsupported',
      /anchor/,
    ],
    ['images: that is not a list', 'images: web\n', 'unsupported', /not a list/],
    ['YAML that does not parse', 'images: [\n', 'parse-error', /YAML error/],
    ['a multi-line value', 'images: []\n', 'invalid-value', /line break/],
  ])('refuses %s', (_, input, code, message) => {
    const spec =
      code === 'invalid-value'
        ? { name: 'a', newTag: 'x\ny' }
        : { name: code === 'unsupported' ? 'a' : 'web', newTag: 'v9' };
    const result = setImages(input, [spec]);
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok ? '' : result.message).toMatch(message);
  });
});

describe('readImages', () => {
  it('reads names, tags and digests as strings', () => {
    expect(
      readImages('images:\n- name: a\n  newTag: 1234\n- {name: b, digest: "sha256:ff"}\n- newTag: x\n'),
    ).toEqual([
      { name: 'a', newTag: '1234' },
      { name: 'b', digest: 'sha256:ff' },
    ]);
  });
});
