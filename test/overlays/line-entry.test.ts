import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imagesOf } from '../../src/overlays/kustomization.js';
import { fastUpsert } from '../../src/overlays/line-entry.js';
import { type FieldChange, upsertEntry } from '../../src/overlays/list-entry.js';
import { scanLists } from '../../src/overlays/yaml/lines.js';

// The line scanner's fast path must give byte for byte what the CST path gives, or step aside
// (answer undefined). Generated kustomizations draw every layout the scanner accepts, and some it
// must refuse; each edit is made both ways and compared.

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,5}(\/[a-z][a-z0-9-]{0,5})?$/);
const value = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/),
  fc.constantFrom(
    '1234',
    '1.10',
    '1e3',
    '0x1f',
    'true',
    'null',
    '~',
    "it's",
    'a: b',
    '#x',
    'a #b',
    '-x',
    '- x',
  ),
);
const quoteStyle = fc.constantFrom('plain', 'single', 'double');

function quoteAs(v: string, style: string): string {
  if (style === 'single') return `'${v.replaceAll("'", "''")}'`;
  if (style === 'double' || /^[-#'"~\d]|: | #|^(true|null)$/.test(v)) return JSON.stringify(v);
  return v;
}

const field = fc.record({ value, style: quoteStyle, comment: fc.boolean() });
const entry = fc.record({
  name,
  nameStyle: quoteStyle,
  newName: fc.option(field, { nil: undefined }),
  newTag: fc.option(field, { nil: undefined }),
  digest: fc.option(field, { nil: undefined }),
  dashAlone: fc.boolean(),
});
const layout = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
  dashIndent: fc.constantFrom(0, 2, 4),
  gap: fc.constantFrom(1, 2, 3),
  blank: fc.boolean(),
  docStart: fc.boolean(),
  before: fc.boolean(),
  odd: fc.constantFrom('none', 'block', 'flow', 'anchor', 'multiline', 'flowEntry', 'tab'),
  entries: fc.uniqueArray(entry, { selector: (e) => e.name, minLength: 1, maxLength: 4 }),
});

function build(l: {
  eol: string;
  bom: boolean;
  finalNewline: boolean;
  dashIndent: number;
  gap: number;
  blank: boolean;
  docStart: boolean;
  before: boolean;
  odd: string;
  entries: readonly {
    name: string;
    nameStyle: string;
    newName: { value: string; style: string; comment: boolean } | undefined;
    newTag: { value: string; style: string; comment: boolean } | undefined;
    digest: { value: string; style: string; comment: boolean } | undefined;
    dashAlone: boolean;
  }[];
}): string {
  const dash = ' '.repeat(l.dashIndent);
  const keys = ' '.repeat(l.dashIndent + 1 + l.gap);
  const images = ['images: # pinned here'];
  for (const e of l.entries) {
    const first = `name: ${quoteAs(e.name, e.nameStyle)}`;
    if (e.dashAlone) images.push(`${dash}-`, `${keys}${first}`);
    else images.push(`${dash}-${' '.repeat(l.gap)}${first}`);
    for (const key of ['newName', 'newTag', 'digest'] as const) {
      const f = e[key];
      if (f !== undefined)
        images.push(`${keys}${key}: ${quoteAs(f.value, f.style)}${f.comment ? '  # why' : ''}`);
    }
    if (l.blank) images.push('');
  }
  images.push('# end of images');
  const other = ['resources:', `${dash}- ../../base`, 'namespace: shop'];
  if (l.odd === 'block')
    other.push('patches:', '- patch: |-', '    - op: add', '      path: /x', '  target: {kind: Deployment}');
  if (l.odd === 'flow') other.push('labels: [{pairs: {a: b}}, "x, y"]');
  if (l.odd === 'anchor') other.push('commonLabels: &l {a: b}');
  if (l.odd === 'multiline') other.push('description: two', '  lines');
  if (l.odd === 'flowEntry') images.splice(1, 0, `${dash}- {name: flow, newTag: v0}`);
  if (l.odd === 'tab') other.push('namePrefix:\tx');
  const lines = [
    ...(l.docStart ? ['---'] : []),
    ...(l.before ? [...other, ...images] : [...images, ...other]),
  ];
  return (l.bom ? '\ufeff' : '') + lines.join(l.eol) + (l.finalNewline ? l.eol : '');
}

const change = fc.oneof(
  value.map((v): FieldChange => ({ field: 'newTag', kind: 'set', value: v })),
  value.map((v): FieldChange => ({ field: 'newName', kind: 'set', value: v })),
  fc.constant<FieldChange>({ field: 'digest', kind: 'remove' }),
  fc.constant<FieldChange>({ field: 'newTag', kind: 'remove' }),
  fc.nat({ max: 20 }).map((n): FieldChange => ({ field: 'count', kind: 'set', value: n })),
);

describe('the line scanner fast path', () => {
  it('edits byte for byte as the CST path does, or leaves the file to it', () => {
    let fast = 0;
    fc.assert(
      fc.property(
        layout,
        fc.nat(),
        name,
        fc.uniqueArray(change, { minLength: 1, maxLength: 3, selector: (c) => c.field }),
        (l, pick, fresh, changes) => {
          const text = build(l);
          const existing = l.entries[pick % l.entries.length]?.name ?? fresh;
          const target = pick % 3 === 0 && !l.entries.some((e) => e.name === fresh) ? fresh : existing;
          const viaLines = fastUpsert(text, 'images', [{ name: target, changes }]);
          const viaCst = upsertEntry(text, 'images', target, changes);
          if (['anchor', 'multiline', 'flowEntry', 'tab'].includes(l.odd)) expect(viaLines).toBeUndefined();
          if (viaLines === undefined) return;
          fast++;
          expect(viaLines).toEqual(viaCst);
        },
      ),
      { numRuns: 600 },
    );
    // The fast path is taken for most of the simple layouts, not quietly skipped.
    expect(fast).toBeGreaterThan(150);
  });

  it('reads the entries the CST path reads', () => {
    fc.assert(
      fc.property(layout, (l) => {
        const text = build(l);
        if (scanLists(text, ['images']) === undefined) return;
        const images = imagesOf(text);
        const expected = l.entries.map((e) => ({
          name: e.name,
          ...Object.fromEntries(
            (['newName', 'newTag', 'digest'] as const).flatMap((k) => {
              const f = e[k];
              return f === undefined ? [] : [[k, f.value]];
            }),
          ),
        }));
        expect(images).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('edits several entries of one file on one scan', () => {
    const text = 'images:\n- name: a\n  newTag: v1\n- name: b # b\n  newTag: "v1"\n  digest: sha256:aa\n';
    const result = fastUpsert(text, 'images', [
      { name: 'a', changes: [{ field: 'newTag', kind: 'set', value: 'v2' }] },
      {
        name: 'b',
        changes: [
          { field: 'newTag', kind: 'set', value: '1.10' },
          { field: 'digest', kind: 'remove' },
        ],
      },
      { name: 'c', changes: [{ field: 'newTag', kind: 'set', value: 'v3' }] },
    ]);
    expect(result).toEqual({
      ok: true,
      changed: true,
      text: 'images:\n- name: a\n  newTag: v2\n- name: b # b\n  newTag: "1.10"\n- name: c\n  newTag: v3\n',
      descriptions: [
        'images a: newTag v1 -> v2',
        'images b: newTag v1 -> 1.10',
        'images b: remove digest sha256:aa',
        'images: add c (newTag v3)',
      ],
    });
  });
});
