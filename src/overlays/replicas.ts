import { isMap, isScalar, isSeq } from 'yaml';
import { type EditFailure, type EditOutcome, fail, isFailure, parseText, scalarString } from './cst-edit.js';
import { kustomizationDoc, upsertEntries } from './list-entry.js';

// The kustomization `replicas:` list ({name, count}), edited like images: in place, entry added
// at the end when missing.

export interface ReplicaSpec {
  readonly name: string;
  readonly count: number;
}

export interface ReplicaEntry {
  readonly name: string;
  readonly count: number | string | undefined;
}

export function parseReplicaSpec(arg: string): ReplicaSpec | EditFailure {
  const eq = arg.lastIndexOf('=');
  const name = arg.slice(0, eq);
  const count = arg.slice(eq + 1);
  if (eq <= 0 || !/^\d{1,9}$/.test(count)) {
    return fail(
      'invalid-spec',
      `replicas spec ${JSON.stringify(arg)}: expected <name>=<count> with a whole number, e.g. checkout=3`,
    );
  }
  return { name, count: Number(count) };
}

export function readReplicas(text: string): ReplicaEntry[] {
  const parsed = parseText(text);
  if (isFailure(parsed)) return [];
  const found = kustomizationDoc(parsed);
  if (isFailure(found)) return [];
  const list = found.doc.get('replicas', true);
  if (!isSeq(list)) return [];
  return list.items.flatMap((item): ReplicaEntry[] => {
    if (!isMap(item)) return [];
    const name = scalarString(found.doc, item.get('name', true));
    const count = item.get('count', true);
    if (name === undefined) return [];
    const value = isScalar(count) ? (count.value as number | string) : undefined;
    return [{ name, count: value }];
  });
}

export function setReplicas(text: string, specs: readonly ReplicaSpec[]): EditOutcome {
  for (const spec of specs) {
    if (!Number.isInteger(spec.count) || spec.count < 0) {
      return fail('invalid-value', `replicas for ${spec.name}: ${spec.count} is not a whole number >= 0`);
    }
  }
  return upsertEntries(
    text,
    'replicas',
    specs.map((spec) => ({ name: spec.name, changes: [{ field: 'count', kind: 'set', value: spec.count }] })),
  );
}
