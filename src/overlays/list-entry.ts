import { type Document, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import {
  addListKey,
  addPairs,
  fillEmptyKey,
  appendItem,
  applySplices,
  type EditFailure,
  type EditOutcome,
  fail,
  isAliased,
  isFailure,
  type NewPair,
  type ParsedText,
  parseText,
  rejectMultiline,
  removePair,
  renderString,
  type SemanticOp,
  type Splice,
  scalarSplice,
  scalarString,
  verifyEdit,
  type YamlLimits,
  DEFAULT_LIMITS,
  contentProblem,
  problemFailure,
} from './cst-edit.js';
import { type EntryEdit, fastUpsert } from './line-entry.js';

// One entry of a kustomization list keyed by `name` (images, replicas): set, add or remove its
// fields, adding the entry at the end of the list (and the list itself) when it is missing.

export type FieldChange =
  | { readonly field: string; readonly kind: 'set'; readonly value: string | number }
  | { readonly field: string; readonly kind: 'remove' };

/** The kustomization document: the one whose kind says so, else the first map. */
export function kustomizationDoc(parsed: ParsedText): { doc: Document.Parsed; index: number } | EditFailure {
  const maps = parsed.docs.map((doc, index) => ({ doc, index })).filter(({ doc }) => isMap(doc.contents));
  const byKind = maps.filter(({ doc }) => {
    const kind = doc.get('kind');
    return kind === 'Kustomization' || kind === 'Component';
  });
  const chosen = byKind[0] ?? maps[0];
  if (byKind.length > 1) {
    return fail('ambiguous', `the file holds ${byKind.length} Kustomization documents; keep one per file`);
  }
  if (chosen === undefined) {
    // git stores a symbolic link as a file holding the target's path; rollgate reads what git stores.
    const only = parsed.text.trim();
    if (
      parsed.docs.length === 1 &&
      /^[^\s:#]+$/.test(only) &&
      only.includes('/') &&
      !parsed.text.includes('\n')
    ) {
      return fail(
        'not-found',
        `the file holds only the path ${JSON.stringify(only)}: a symbolic link? rollgate reads files as git stores them and does not follow links; commit the kustomization itself there`,
      );
    }
    return fail('not-found', 'the file holds no YAML map (is it a kustomization?)');
  }
  return chosen;
}

function lineOf(text: string, offset: number | undefined): number {
  if (offset === undefined) return 0;
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The items of `listKey` whose `name` equals `name`, with their indexes. */
export function entriesNamed(
  doc: Document.Parsed,
  listKey: string,
  name: string,
): { map: YAMLMap; index: number }[] {
  const list = doc.get(listKey, true);
  if (!isSeq(list)) return [];
  return list.items.flatMap((item, index) => {
    if (!isMap(item)) return [];
    return scalarString(doc, item.get('name', true)) === name ? [{ map: item, index }] : [];
  });
}

function render(value: string | number): string {
  return typeof value === 'number' ? String(value) : renderString(value);
}

function describe(value: unknown): string {
  return value === undefined ? '(unset)' : String(value);
}

/**
 * Applies every edit to `listKey`, each to the entry of its name (created when missing). Files the
 * line scanner reads are edited in one pass (line-entry.ts); any other file goes through the CST,
 * one edit after the other.
 */
export function upsertEntries(
  text: string,
  listKey: string,
  edits: readonly EntryEdit[],
  limits: YamlLimits = DEFAULT_LIMITS,
): EditOutcome {
  const wanted = edits.filter((e) => e.changes.length > 0);
  for (const edit of wanted) {
    for (const c of edit.changes) {
      if (c.kind === 'set' && typeof c.value === 'string') {
        const bad = rejectMultiline(`${listKey} ${edit.name} ${c.field}`, c.value);
        if (bad !== undefined) return bad;
      }
    }
  }
  const unreadable = contentProblem(text, limits);
  if (unreadable !== undefined) return problemFailure(text, unreadable);
  if (wanted.length === 0) return { ok: true, text, changed: false, descriptions: [] };
  const fast = fastUpsert(text, listKey, wanted);
  if (fast !== undefined) return fast;
  let current = text;
  const descriptions: string[] = [];
  for (const edit of wanted) {
    const result = upsertEntry(current, listKey, edit.name, edit.changes, limits);
    if (!result.ok) return result;
    current = result.text;
    descriptions.push(...result.descriptions);
  }
  return { ok: true, text: current, changed: current !== text, descriptions };
}

/**
 * Applies `changes` to the entry of `listKey` named `name`, creating it when missing. Every change is
 * worked out on one parse as a splice of the text (scalars through their CST tokens, added and removed
 * fields as whole lines); then the result is parsed again and must equal the original with just these
 * changes.
 */
export function upsertEntry(
  text: string,
  listKey: string,
  name: string,
  changes: readonly FieldChange[],
  limits: YamlLimits = DEFAULT_LIMITS,
): EditOutcome {
  if (changes.length === 0) return { ok: true, text, changed: false, descriptions: [] };
  for (const c of changes) {
    if (c.kind === 'set' && typeof c.value === 'string') {
      const bad = rejectMultiline(`${listKey} ${name} ${c.field}`, c.value);
      if (bad !== undefined) return bad;
    }
  }
  const parsed = parseText(text, limits);
  if (isFailure(parsed)) return parsed;
  const found = kustomizationDoc(parsed);
  if (isFailure(found)) return found;
  const { doc } = found;
  const entries = entriesNamed(doc, listKey, name);
  if (entries.length > 1) {
    const lines = entries.map((e) => lineOf(text, e.map.range?.[0])).join(', ');
    return fail(
      'ambiguous',
      `${entries.length} ${listKey} entries are named ${name} (lines ${lines}); keep one, then edit again`,
    );
  }
  const list = doc.get(listKey, true);
  const listPair = isMap(doc.contents)
    ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === listKey)
    : undefined;
  // `images:` with nothing after it (maybe a comment) is an empty list waiting for its first entry.
  const emptyKey =
    listPair !== undefined &&
    doc.contents !== null &&
    (listPair.value === null ||
      (isScalar(listPair.value) && listPair.value.value === null && listPair.value.srcToken === undefined));
  if (list !== undefined && !isSeq(list) && !emptyKey) {
    return fail('unsupported', `${listKey}: is not a list; expected a list of entries with name:`);
  }
  const ops: SemanticOp[] = [];
  const descriptions: string[] = [];
  const splices: Splice[] = [];
  const entry = entries[0];

  if (entry === undefined) {
    const sets = changes.filter((c): c is Extract<FieldChange, { kind: 'set' }> => c.kind === 'set');
    const pairs: NewPair[] = [
      { key: 'name', value: renderString(name) },
      ...sets.map((c) => ({ key: c.field, value: render(c.value) })),
    ];
    const item = Object.fromEntries([['name', name], ...sets.map((c) => [c.field, c.value])]);
    const splice = isSeq(list)
      ? appendItem(text, list, pairs)
      : emptyKey && listPair !== undefined
        ? fillEmptyKey(text, doc, listPair.key as Node, pairs)
        : addListKey(text, doc, listKey, pairs);
    if (isFailure(splice)) return splice;
    splices.push(splice);
    ops.push(
      isSeq(list)
        ? { op: 'set', path: [listKey, list.items.length], value: item }
        : { op: 'set', path: [listKey], value: [item] },
    );
    descriptions.push(
      `${listKey}: add ${name} (${sets.map((c) => `${c.field} ${String(c.value)}`).join(', ') || 'no fields'})`,
    );
  } else {
    const additions: NewPair[] = [];
    for (const change of changes) {
      const pair = entry.map.items.find((p) => isScalar(p.key) && p.key.value === change.field) as
        Pair | undefined;
      const path = [listKey, entry.index, change.field];
      if (change.kind === 'remove') {
        if (pair === undefined) continue;
        const splice = removePair(text, entry.map, pair);
        if (isFailure(splice)) return splice;
        splices.push(splice);
        ops.push({ op: 'delete', path });
        descriptions.push(
          `${listKey} ${name}: remove ${change.field} ${describe(scalarString(doc, pair.value))}`,
        );
        continue;
      }
      // String fields compare as their source text reads (`newTag: 1.10` is "1.10"), counts as numbers.
      const before =
        typeof change.value === 'number'
          ? entry.map.get(change.field)
          : scalarString(doc, entry.map.get(change.field, true));
      if (before === change.value) continue;
      const valueNode = pair?.value as Node | null | undefined;
      if (pair === undefined) {
        additions.push({ key: change.field, value: render(change.value) });
      } else if (valueNode === null || valueNode === undefined || valueNode.srcToken === undefined) {
        // `newTag:` with nothing after it: the value goes right after the colon.
        const keyEnd = (pair.key as Node | null)?.range?.[1];
        const colon = keyEnd === undefined ? -1 : text.indexOf(':', keyEnd);
        if (colon === -1)
          return fail('unsupported', `${listKey} entry ${name}: cannot place a value for ${change.field}`);
        splices.push({ start: colon + 1, end: colon + 1, insert: ` ${render(change.value)}` });
      } else {
        const isNull = isScalar(valueNode) && valueNode.value === null;
        if (!isNull && scalarString(doc, valueNode) === undefined) {
          return fail(
            'unsupported',
            `${listKey} entry ${name}: ${change.field} is not a single value; give it one first`,
          );
        }
        if (isAliased(doc, valueNode)) {
          return fail(
            'unsupported',
            `${listKey} entry ${name}: ${change.field} carries an anchor that aliases elsewhere use; editing it would change them too`,
          );
        }
        const kind = typeof change.value === 'number' ? 'number' : 'string';
        const splice = scalarSplice(
          valueNode,
          { value: String(change.value), kind },
          entry.map.flow === true,
        );
        if (isFailure(splice)) return splice;
        splices.push(splice);
      }
      ops.push({ op: 'set', path, value: change.value });
      const old = pair === undefined ? undefined : scalarString(doc, valueNode);
      descriptions.push(`${listKey} ${name}: ${change.field} ${describe(old)} -> ${String(change.value)}`);
    }
    if (additions.length > 0) {
      const splice = addPairs(text, entry.map, additions);
      if (isFailure(splice)) return splice;
      splices.push(splice);
    }
  }
  if (splices.length === 0) return { ok: true, text, changed: false, descriptions: [] };
  const after = applySplices(text, splices);
  if (isFailure(after)) return after;
  const problem = verifyEdit(parsed, after, found.index, ops);
  if (problem !== undefined) return problem;
  return { ok: true, text: after, changed: after !== text, descriptions };
}
