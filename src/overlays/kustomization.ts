import { isMap, isSeq } from 'yaml';
import {
  contentProblem,
  problemFailure,
  DEFAULT_LIMITS,
  type EditFailure,
  type EditOutcome,
  fail,
  isFailure,
  parseText,
  scalarString,
  type YamlLimits,
} from './cst-edit.js';
import { type ImageSpec, KEEP } from './image-spec.js';
import { scanEntries } from './line-entry.js';
import { type FieldChange, kustomizationDoc, upsertEntries } from './list-entry.js';

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

/** The `images:` entries of a kustomization (entries without a name are left out); [] when unreadable. */
export function readImages(text: string, limits: YamlLimits = DEFAULT_LIMITS): ImageEntry[] {
  const images = imagesOf(text, limits);
  return isFailure(images) ? [] : images;
}

/** The `images:` entries, or why the file cannot be read as a kustomization (too large, not YAML, ...). */
export function imagesOf(text: string, limits: YamlLimits = DEFAULT_LIMITS): ImageEntry[] | EditFailure {
  const unreadable = contentProblem(text, limits);
  if (unreadable !== undefined) return problemFailure(text, unreadable);
  const scanned = scanEntries(text, 'images');
  if (scanned === 'absent') return [];
  if (scanned !== undefined) {
    return scanned.items.flatMap((item): ImageEntry[] => {
      const fields = new Map(item.fields?.map((f) => [f.key, f.value?.value]));
      const name = fields.get('name');
      if (name === undefined) return [];
      const entry: Record<string, string> = { name };
      for (const key of FIELDS) {
        const v = fields.get(key);
        if (v !== undefined) entry[key] = v;
      }
      return [entry as unknown as ImageEntry];
    });
  }
  const parsed = parseText(text, limits);
  if (isFailure(parsed)) return parsed;
  const found = kustomizationDoc(parsed);
  if (isFailure(found)) return found;
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
export function setImages(
  text: string,
  specs: readonly ImageSpec[],
  limits: YamlLimits = DEFAULT_LIMITS,
): EditOutcome {
  if (specs.some((spec) => spec.name === '')) return fail('invalid-spec', 'an image spec has an empty name');
  return upsertEntries(
    text,
    'images',
    specs.map((spec) => ({ name: spec.name, changes: changesFor(spec) })),
    limits,
  );
}
