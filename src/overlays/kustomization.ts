import { isMap, isSeq } from 'yaml';
import { type EditOutcome, fail, isFailure, parseText, scalarString } from './cst-edit.js';
import { type ImageSpec, KEEP } from './image-spec.js';
import { type FieldChange, kustomizationDoc, upsertEntry } from './list-entry.js';

export type { EditOutcome } from './cst-edit.js';
export type { ImageSpec } from './image-spec.js';
export { formatImageSpec, parseImageSpec } from './image-spec.js';

// Source-preserving edits of a kustomization's `images:` list: only the scalars that change (and
// lines for fields or entries that must be added or removed) differ from the input.

export interface ImageEntry {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

const FIELDS = ['newName', 'newTag', 'digest'] as const;

/** The `images:` entries of a kustomization (entries without a name are left out). */
export function readImages(text: string): ImageEntry[] {
  const parsed = parseText(text);
  if (isFailure(parsed)) return [];
  const found = kustomizationDoc(parsed);
  if (isFailure(found)) return [];
  const images = found.doc.get('images', true);
  if (!isSeq(images)) return [];
  return images.items.flatMap((item): ImageEntry[] => {
    if (!isMap(item)) return [];
    const name = scalarString(found.doc, item.get('name', true));
    if (name === undefined) return [];
    const entry: Record<string, string> = { name };
    for (const key of FIELDS) {
      const v = scalarString(found.doc, item.get(key, true));
      if (v !== undefined) entry[key] = v;
    }
    return [entry as unknown as ImageEntry];
  });
}

/**
 * The field changes a spec asks for. A tag or digest given alone replaces the other one too: a digest
 * pins the image, so an old digest left beside a new tag would keep the old image running. `*`
 * keeps a field; fields the spec leaves out otherwise stay (kustomize would drop newName).
 */
export function changesFor(spec: ImageSpec): FieldChange[] {
  const changes: FieldChange[] = [];
  if (spec.newName !== undefined && spec.newName !== KEEP) {
    changes.push({ field: 'newName', kind: 'set', value: spec.newName });
  }
  const tag = spec.newTag;
  const digest = spec.digest;
  if (tag !== undefined && tag !== KEEP) changes.push({ field: 'newTag', kind: 'set', value: tag });
  else if (tag === undefined && digest !== undefined && digest !== KEEP)
    changes.push({ field: 'newTag', kind: 'remove' });
  if (digest !== undefined && digest !== KEEP) changes.push({ field: 'digest', kind: 'set', value: digest });
  else if (digest === undefined && tag !== undefined && tag !== KEEP)
    changes.push({ field: 'digest', kind: 'remove' });
  return changes;
}

/** Sets the fields each spec names on the matching `images:` entry, adding the entry when missing. */
export function setImages(text: string, specs: readonly ImageSpec[]): EditOutcome {
  let current = text;
  const descriptions: string[] = [];
  for (const spec of specs) {
    if (spec.name === '') return fail('invalid-spec', 'an image spec has an empty name');
    const result = upsertEntry(current, 'images', spec.name, changesFor(spec));
    if (!result.ok) return result;
    current = result.text;
    descriptions.push(...result.descriptions);
  }
  return { ok: true, text: current, changed: current !== text, descriptions };
}
