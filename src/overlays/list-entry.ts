import { type Document, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import {
  addListKey,
  addPairs,
  appendItem,
  applySplices,
  checkSpan,
  checkSplice,
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
  scalarString,
  verifyEdit,
  writeScalars,
} from './cst-edit.js';

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
  if (chosen === undefined) return fail('not-found', 'the file holds no YAML map (is it a kustomization?)');
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
  parsed: ParsedText,
  doc: Document.Parsed,
  listKey: string,
  name: string,
): { map: YAMLMap; index: number }[] {
  const list = doc.get(listKey, true);
  if (!isSeq(list)) return [];
  return list.items.flatMap((item, index) => {
    const resolved = item;
    if (!isMap(resolved)) return [];
    return scalarString(doc, resolved.get('name', true)) === name ? [{ map: resolved, index }] : [];
  });
}

function render(value: string | number): string {
  return typeof value === 'number' ? String(value) : renderString(value);
}

interface Step {
  readonly text: string;
}

/** One change at a time: each step works on freshly parsed text, so offsets are always current. */
function step(
  text: string,
  listKey: string,
  name: string,
  change: FieldChange | { readonly kind: 'add-entry'; readonly pairs: readonly NewPair[] },
): Step | EditFailure | 'unchanged' {
  const parsed = parseText(text);
  if (isFailure(parsed)) return parsed;
  const found = kustomizationDoc(parsed);
  if (isFailure(found)) return found;
  const { doc } = found;

  if (change.kind === 'add-entry') {
    const list = doc.get(listKey, true);
    let splice: Splice | EditFailure;
    if (list === undefined) splice = addListKey(text, doc, listKey, change.pairs);
    else if (isSeq(list)) splice = appendItem(text, list, change.pairs);
    else return fail('unsupported', `${listKey}: is not a list; expected a list of entries with name:`);
    if (isFailure(splice)) return splice;
    const after = applySplices(text, [splice]);
    const outside = checkSplice(text, after, splice);
    return outside ?? { text: after };
  }

  const entries = entriesNamed(parsed, doc, listKey, name);
  const entry = entries[0];
  if (entry === undefined) return fail('not-found', `no ${listKey} entry named ${name}`);
  const pair = entry.map.items.find((p) => isScalar(p.key) && p.key.value === change.field) as
    Pair | undefined;

  if (change.kind === 'remove') {
    if (pair === undefined) return 'unchanged';
    const splice = removePair(text, entry.map, pair);
    if (isFailure(splice)) return splice;
    const after = applySplices(text, [splice]);
    return checkSplice(text, after, splice) ?? { text: after };
  }

  const valueNode = pair?.value as Node | null | undefined;
  if (pair === undefined || valueNode === null || valueNode === undefined) {
    if (pair !== undefined) {
      return fail(
        'unsupported',
        `${listKey} entry ${name} has an empty ${change.field}:; give it a value first`,
      );
    }
    const splice = addPairs(text, entry.map, [{ key: change.field, value: render(change.value) }]);
    if (isFailure(splice)) return splice;
    const after = applySplices(text, [splice]);
    return checkSplice(text, after, splice) ?? { text: after };
  }
  const current = scalarString(doc, valueNode);
  if (current === undefined) {
    return fail('unsupported', `${listKey} entry ${name}: ${change.field} is not a single value`);
  }
  const typedCurrent = isScalar(valueNode) ? valueNode.value : undefined;
  if (typedCurrent === change.value) return 'unchanged';
  if (isAliased(doc, valueNode)) {
    return fail(
      'unsupported',
      `${listKey} entry ${name}: ${change.field} carries an anchor that aliases elsewhere use; editing it would change them too`,
    );
  }
  const range = valueNode.range;
  if (range === undefined || range === null) return fail('unsupported', 'value without a position');
  const after = writeScalars(parsed, [
    {
      offset: range[0],
      value: String(change.value),
      kind: typeof change.value === 'number' ? 'number' : 'string',
    },
  ]);
  if (isFailure(after)) return after;
  return checkSpan(text, after, { start: range[0], end: range[1] }) ?? { text: after };
}

function describe(value: unknown): string {
  return value === undefined ? '(unset)' : String(value);
}

/**
 * Applies `changes` to the entry of `listKey` named `name`, creating it when missing. The result is
 * checked against the original: its documents must equal the old ones with just these changes.
 */
export function upsertEntry(
  text: string,
  listKey: string,
  name: string,
  changes: readonly FieldChange[],
): EditOutcome {
  for (const c of changes) {
    if (c.kind === 'set' && typeof c.value === 'string') {
      const bad = rejectMultiline(`${listKey} ${name} ${c.field}`, c.value);
      if (bad !== undefined) return bad;
    }
  }
  const original = parseText(text);
  if (isFailure(original)) return original;
  const found = kustomizationDoc(original);
  if (isFailure(found)) return found;
  const entries = entriesNamed(original, found.doc, listKey, name);
  if (entries.length > 1) {
    const lines = entries.map((e) => lineOf(text, e.map.range?.[0])).join(', ');
    return fail(
      'ambiguous',
      `${entries.length} ${listKey} entries are named ${name} (lines ${lines}); keep one, then edit again`,
    );
  }
  const list = found.doc.get(listKey, true);
  if (list !== undefined && !isSeq(list)) {
    return fail('unsupported', `${listKey}: is not a list; expected a list of entries with name:`);
  }
  const ops: SemanticOp[] = [];
  const descriptions: string[] = [];
  let current = text;
  const entry = entries[0];

  if (entry === undefined) {
    const sets = changes.filter((c): c is Extract<FieldChange, { kind: 'set' }> => c.kind === 'set');
    const pairs: NewPair[] = [
      { key: 'name', value: renderString(name) },
      ...sets.map((c) => ({ key: c.field, value: render(c.value) })),
    ];
    const item = Object.fromEntries([['name', name], ...sets.map((c) => [c.field, c.value])]);
    const index = isSeq(list) ? list.items.length : 0;
    ops.push(
      list === undefined
        ? { op: 'set', path: [listKey], value: [item] }
        : { op: 'set', path: [listKey, index], value: item },
    );
    descriptions.push(
      `${listKey}: add ${name} (${sets.map((c) => `${c.field} ${String(c.value)}`).join(', ') || 'no fields'})`,
    );
    const result = step(current, listKey, name, { kind: 'add-entry', pairs });
    if (isFailure(result)) return result;
    if (result !== 'unchanged') current = result.text;
  } else {
    for (const change of changes) {
      const before = entry.map.get(change.field);
      if (change.kind === 'remove') {
        if (!entry.map.has(change.field)) continue;
        ops.push({ op: 'delete', path: [listKey, entry.index, change.field] });
        descriptions.push(`${listKey} ${name}: remove ${change.field} ${describe(before)}`);
      } else {
        if (before === change.value) continue;
        ops.push({ op: 'set', path: [listKey, entry.index, change.field], value: change.value });
        descriptions.push(
          `${listKey} ${name}: ${change.field} ${describe(before)} -> ${String(change.value)}`,
        );
      }
      const result = step(current, listKey, name, change);
      if (isFailure(result)) return result;
      if (result !== 'unchanged') current = result.text;
    }
  }
  if (current === text) return { ok: true, text, changed: false, descriptions: [] };
  const problem = verifyEdit(original, current, found.index, ops);
  if (problem !== undefined) return problem;
  return { ok: true, text: current, changed: true, descriptions };
}
