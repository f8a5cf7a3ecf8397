import { type Document, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { Backend, ObjectRef } from './split.js';

// Small readers the providers share.

export function apiGroupKind(doc: Document.Parsed): { group: string; kind: string } {
  const apiVersion = doc.get('apiVersion');
  const kind = doc.get('kind');
  const group = typeof apiVersion === 'string' ? (apiVersion.split('/')[0] ?? '') : '';
  return { group, kind: typeof kind === 'string' ? kind : '' };
}

export function metadataName(doc: Document.Parsed): string {
  const name = doc.getIn(['metadata', 'name']);
  return typeof name === 'string' ? name : '(unnamed)';
}

export function stringAt(map: YAMLMap, key: string): string | undefined {
  const v = map.get(key);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function mapsOf(node: unknown): { map: YAMLMap; index: number }[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item, index) => (isMap(item) ? [{ map: item as YAMLMap, index }] : []));
}

/** A backend entry whose weight is `weightKey` (missing: `missing`). */
export function backendOf(
  name: string,
  aliases: readonly string[],
  map: YAMLMap,
  path: readonly (string | number)[],
  weightKey: string,
  missing: number,
): Backend {
  const node = map.get(weightKey, true) as Node | undefined;
  const raw = isScalar(node) ? node.value : undefined;
  const weight =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : missing;
  return { name, aliases, map, path, weightKey, weightNode: node ?? undefined, weight };
}

export function objectOf(doc: Document.Parsed): ObjectRef {
  const { group, kind } = apiGroupKind(doc);
  return { group: group === 'v1' ? '' : group, kind, name: metadataName(doc) };
}
