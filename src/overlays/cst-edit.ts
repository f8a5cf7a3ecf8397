import {
  Composer,
  CST,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  Parser,
  parseDocument,
  type Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

// Source-preserving YAML edits. Every write changes the text itself, token by token (scalars through
// yaml's CST) or by splicing whole lines (entries that have to be added or removed); the composed
// Document is only used to find where things are. After every write the result is parsed again and
// compared with what was meant (see verifyEdit), so a wrong splice is an error, never a bad commit.

export type EditFailure = {
  readonly ok: false;
  readonly code:
    | 'parse-error'
    | 'not-found'
    | 'ambiguous'
    | 'unsupported'
    | 'invalid-spec'
    | 'invalid-value'
    | 'verify-failed';
  readonly message: string;
};

export type EditOutcome =
  | {
      readonly ok: true;
      readonly text: string;
      readonly changed: boolean;
      readonly descriptions: readonly string[];
    }
  | EditFailure;

export function fail(code: EditFailure['code'], message: string): EditFailure {
  return { ok: false, code, message };
}

/** Parsed documents of a text, with source tokens kept so scalars can be edited in place. */
export interface ParsedText {
  readonly text: string;
  readonly tokens: CST.Token[];
  readonly docs: Document.Parsed[];
}

export function parseText(text: string): ParsedText | EditFailure {
  const tokens = Array.from(new Parser().parse(text));
  const docs = Array.from(new Composer({ keepSourceTokens: true }).compose(tokens));
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) return fail('parse-error', `YAML error: ${error.message}`);
  }
  return { text, tokens, docs };
}

export function isFailure(value: unknown): value is EditFailure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/** One change to the parsed value, used to check the written text means what was intended. */
export type SemanticOp =
  | { readonly op: 'set'; readonly path: readonly (string | number)[]; readonly value: unknown }
  | { readonly op: 'delete'; readonly path: readonly (string | number)[] };

export type Eol = '\n' | '\r\n';

export function eolOf(text: string): Eol {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** A value that would read back as a number, boolean, null or something else must be quoted. */
export function needsQuotes(value: string): boolean {
  if (value === '' || /^[\s]|[\s]$/.test(value)) return true;
  const parsed = parseDocument(value);
  if (parsed.errors.length > 0) return true;
  const contents = parsed.contents;
  return !isScalar(contents) || typeof contents.value !== 'string' || contents.value !== value;
}

export function renderString(value: string): string {
  return needsQuotes(value) ? JSON.stringify(value) : value;
}

export function rejectMultiline(what: string, value: string): EditFailure | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (/[\n\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)) {
    return fail(
      'invalid-value',
      `${what} ${JSON.stringify(value)} holds a line break or control character; give a one-line value`,
    );
  }
  return undefined;
}

type ScalarType = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/**
 * How a replaced scalar is written: a quoted scalar keeps its quotes; a plain one stays plain unless
 * the new value would then read back as another type (a tag `1234`), or `forceString` asks for quotes.
 */
function styleFor(tokenType: string, value: string, kind: 'string' | 'number'): ScalarType {
  if (kind === 'number') return 'PLAIN';
  if (tokenType === 'single-quoted-scalar') return 'QUOTE_SINGLE';
  if (tokenType === 'double-quoted-scalar') return 'QUOTE_DOUBLE';
  return needsQuotes(value) ? 'QUOTE_DOUBLE' : 'PLAIN';
}

export interface ScalarWrite {
  readonly value: string;
  /** `string` keeps the value a string (quoting when needed); `number` writes it plain. */
  readonly kind: 'string' | 'number';
  /** Force double quotes unless the scalar is already single-quoted (annotation values). */
  readonly quoted?: boolean;
}

/**
 * The splice that rewrites one scalar (or alias) in place: its CST token is given the new value with
 * `CST.setScalarValue`, and the token's old source (value, trailing comment, line break) is replaced by
 * the token's new source. Working from the composed node's own token avoids walking the whole CST.
 */
export function scalarSplice(node: Node, write: ScalarWrite, inFlow: boolean): Splice | EditFailure {
  const token = node.srcToken;
  if (token === undefined || !(CST.isScalar(token) || (token.type as string) === 'alias')) {
    return fail('unsupported', 'the value is not a plain, quoted or block scalar');
  }
  const old = CST.stringify(token);
  let type = styleFor(token.type, write.value, write.kind);
  if (write.quoted === true && type === 'PLAIN') type = 'QUOTE_DOUBLE';
  CST.setScalarValue(token, write.value, { afterKey: true, inFlow, type });
  const next = CST.stringify(token);
  // Keep the splice to the value itself: the token's trailing comment and line break are unchanged,
  // and leaving them out lets a neighbouring line be removed in the same edit.
  let same = 0;
  while (
    same < old.length &&
    same < next.length &&
    old[old.length - 1 - same] === next[next.length - 1 - same]
  )
    same++;
  return {
    start: token.offset,
    end: token.offset + old.length - same,
    insert: next.slice(0, next.length - same),
  };
}

/** A text splice: replace [start, end) with `insert`. */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly insert: string;
}

export function applySplices(text: string, splices: readonly Splice[]): string | EditFailure {
  const sorted = [...splices].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const s of sorted) {
    if (s.end > limit) {
      return fail(
        'unsupported',
        `two changes touch the same text at offset ${s.start}; make them one at a time`,
      );
    }
    out = out.slice(0, s.start) + s.insert + out.slice(s.end);
    limit = s.start;
  }
  return out;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break that ends the line holding `offset` (or the text's end). */
function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

function columnOf(text: string, offset: number): number {
  const start = lineStartOf(text, offset);
  // A byte-order mark is not indentation.
  return offset - start - (start === 0 && text.startsWith('\ufeff') ? 1 : 0);
}

function nodeStart(node: Node | Pair['key']): number | undefined {
  return (node as Node | null)?.range?.[0];
}

function nodeValueEnd(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[1];
}

/** Where a pair's text ends: after its value, or after its key when the value is empty. */
function pairEnd(pair: Pair): number | undefined {
  return nodeValueEnd(pair.value) ?? nodeValueEnd(pair.key);
}

/**
 * Lines for new entries are inserted after the line holding `afterOffset`. When that line is the
 * last and has no line break, the break goes before the new text so a missing final newline stays
 * missing.
 */
function insertLinesAfter(text: string, afterOffset: number, lines: readonly string[]): Splice {
  const eol = eolOf(text);
  const at = nextLineStart(text, afterOffset);
  if (at === text.length && !text.endsWith('\n')) {
    return { start: at, end: at, insert: lines.map((l) => eol + l).join('') };
  }
  return { start: at, end: at, insert: lines.map((l) => l + eol).join('') };
}

export interface NewPair {
  readonly key: string;
  /** Source text of the value, already quoted as needed. */
  readonly value: string;
}

/** Adds pairs at the end of a map, in the map's own layout (block lines or flow `, k: v`). */
export function addPairs(text: string, map: YAMLMap, pairs: readonly NewPair[]): Splice | EditFailure {
  const last = map.items[map.items.length - 1];
  if (map.flow === true) {
    if (last === undefined) {
      const start = nodeStart(map as unknown as Node);
      if (start === undefined) return fail('unsupported', 'flow map without a position');
      return {
        start: start + 1,
        end: start + 1,
        insert: pairs.map((p) => `${p.key}: ${p.value}`).join(', '),
      };
    }
    const end = pairEnd(last);
    if (end === undefined) return fail('unsupported', 'flow map entry without a position');
    return { start: end, end, insert: pairs.map((p) => `, ${p.key}: ${p.value}`).join('') };
  }
  const first = map.items[0];
  const firstKeyStart = first === undefined ? undefined : nodeStart(first.key);
  const end = last === undefined ? undefined : pairEnd(last);
  if (firstKeyStart === undefined || end === undefined) {
    return fail('unsupported', 'cannot add to an empty block map');
  }
  const indent = ' '.repeat(columnOf(text, firstKeyStart));
  if (endsInsideLine(text, end))
    return fail('unsupported', 'the map ends mid-line; cannot add a line after it');
  return insertLinesAfter(
    text,
    lastLineOfNode(text, end),
    pairs.map((p) => `${indent}${p.key}: ${p.value}`),
  );
}

/** A node may end at the start of the following line (block collections); step back onto its last line. */
function lastLineOfNode(text: string, end: number): number {
  let e = end;
  while (e > 0 && (text[e - 1] === '\n' || text[e - 1] === '\r')) e -= 1;
  return Math.max(e - 1, 0);
}

/** True when something other than spaces and a comment follows `end` on its line (e.g. a flow `}`). */
function endsInsideLine(text: string, end: number): boolean {
  const lineEnd = text.indexOf('\n', end);
  const rest = text.slice(end, lineEnd === -1 ? text.length : lineEnd).replace(/\r$/, '');
  return !/^\s*(#.*)?$/.test(rest) && !(text[end - 1] === '\n');
}

/** Removes one pair: its whole line(s) in a block map, or `, k: v` in a flow map. */
export function removePair(text: string, map: YAMLMap, pair: Pair): Splice | EditFailure {
  const index = map.items.indexOf(pair);
  const keyStart = nodeStart(pair.key);
  const end = pairEnd(pair);
  if (keyStart === undefined || end === undefined || index < 0)
    return fail('unsupported', 'entry without a position');
  if (map.flow === true) {
    const prev = map.items[index - 1];
    if (prev !== undefined) {
      const prevEnd = pairEnd(prev);
      if (prevEnd === undefined) return fail('unsupported', 'entry without a position');
      return { start: prevEnd, end, insert: '' };
    }
    const next = map.items[index + 1];
    const nextStart = next === undefined ? end : nodeStart(next.key);
    return { start: keyStart, end: nextStart ?? end, insert: '' };
  }
  const lineStart = lineStartOf(text, keyStart);
  if (text.slice(lineStart, keyStart).trim() !== '') {
    return fail(
      'unsupported',
      `the key ${String(pair.key)} shares its line with other content; cannot remove it alone`,
    );
  }
  if (endsInsideLine(text, end)) return fail('unsupported', `the entry ${String(pair.key)} ends mid-line`);
  const lineEnd = nextLineStart(text, lastLineOfNode(text, end));
  // The last line of a file without a final newline: take the line break before it instead.
  if (lineEnd === text.length && !text.endsWith('\n') && lineStart > 0) {
    const before = text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
    return { start: before, end: lineEnd, insert: '' };
  }
  return { start: lineStart, end: lineEnd, insert: '' };
}

/** Appends an item to a sequence; `itemLines` are the item's map pairs in order. */
export function appendItem(text: string, seq: YAMLSeq, pairs: readonly NewPair[]): Splice | EditFailure {
  const last = seq.items[seq.items.length - 1] as Node | undefined;
  if (seq.flow === true) {
    const flowItem = `{${pairs.map((p) => `${p.key}: ${p.value}`).join(', ')}}`;
    if (last === undefined) {
      const start = nodeStart(seq as unknown as Node);
      if (start === undefined) return fail('unsupported', 'flow sequence without a position');
      return { start: start + 1, end: start + 1, insert: flowItem };
    }
    const end = nodeValueEnd(last);
    if (end === undefined) return fail('unsupported', 'flow sequence item without a position');
    return { start: end, end, insert: `, ${flowItem}` };
  }
  const seqStart = nodeStart(seq as unknown as Node);
  const end = nodeValueEnd(last);
  const lastStart = nodeStart(last);
  if (seqStart === undefined || end === undefined || lastStart === undefined) {
    return fail('unsupported', 'cannot add to an empty block sequence');
  }
  const dashColumn = columnOf(text, seqStart);
  // Indent the item's keys as the existing items do (`- name:` puts keys two past the dash).
  const keyColumn = isMap(last) ? columnOf(text, lastStart) : dashColumn + 2;
  if (endsInsideLine(text, end))
    return fail('unsupported', 'the list ends mid-line; cannot add a line after it');
  const lines = pairs.map((p, i) =>
    i === 0
      ? `${' '.repeat(dashColumn)}-${' '.repeat(Math.max(keyColumn - dashColumn - 1, 1))}${p.key}: ${p.value}`
      : `${' '.repeat(keyColumn)}${p.key}: ${p.value}`,
  );
  return insertLinesAfter(text, lastLineOfNode(text, end), lines);
}

/** Adds `key:` with a one-item block list at the end of a document's top-level block map. */
export function addListKey(
  text: string,
  doc: Document.Parsed,
  key: string,
  pairs: readonly NewPair[],
): Splice | EditFailure {
  const contents = doc.contents;
  if (!isMap(contents)) return fail('unsupported', `the document is not a map; cannot add ${key}:`);
  if (contents.flow === true) {
    const item = `{${pairs.map((p) => `${p.key}: ${p.value}`).join(', ')}}`;
    return addPairs(text, contents, [{ key, value: `[${item}]` }]);
  }
  const last = contents.items[contents.items.length - 1];
  const first = contents.items[0];
  const end = last === undefined ? undefined : pairEnd(last);
  const keyStart = first === undefined ? undefined : nodeStart(first.key);
  if (end === undefined || keyStart === undefined)
    return fail('unsupported', `cannot add ${key}: to an empty document`);
  const keyIndent = columnOf(text, keyStart);
  const dashIndent = keyIndent + listIndentOf(text, doc);
  const lines = [
    `${' '.repeat(keyIndent)}${key}:`,
    ...pairs.map((p, i) =>
      i === 0
        ? `${' '.repeat(dashIndent)}- ${p.key}: ${p.value}`
        : `${' '.repeat(dashIndent + 2)}${p.key}: ${p.value}`,
    ),
  ];
  if (endsInsideLine(text, end)) return fail('unsupported', 'the document ends mid-line');
  return insertLinesAfter(text, lastLineOfNode(text, end), lines);
}

/** Gives an empty `key:` (nothing after the colon but a comment) a one-item block list on the next lines. */
export function fillEmptyKey(
  text: string,
  doc: Document.Parsed,
  key: Node,
  pairs: readonly NewPair[],
): Splice | EditFailure {
  const keyStart = nodeStart(key);
  const keyEnd = nodeValueEnd(key);
  if (keyStart === undefined || keyEnd === undefined) return fail('unsupported', 'key without a position');
  const dashIndent = columnOf(text, keyStart) + listIndentOf(text, doc);
  const lines = pairs.map((p, i) =>
    i === 0
      ? `${' '.repeat(dashIndent)}- ${p.key}: ${p.value}`
      : `${' '.repeat(dashIndent + 2)}${p.key}: ${p.value}`,
  );
  return insertLinesAfter(text, keyEnd, lines);
}

/** How far this file indents `- ` under a key (0 or 2 in practice); 0, kustomize's own style, if unknown. */
function listIndentOf(text: string, doc: Document.Parsed): number {
  let found: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (found !== undefined) return visit.BREAK;
      if (isSeq(pair.value) && pair.value.flow !== true && pair.value.items.length > 0) {
        const keyStart = nodeStart(pair.key);
        const seqStart = nodeStart(pair.value as unknown as Node);
        if (keyStart !== undefined && seqStart !== undefined) {
          found = Math.max(columnOf(text, seqStart) - columnOf(text, keyStart), 0);
        }
      }
      return undefined;
    },
  });
  return found ?? 0;
}

/**
 * The post-write check: the new text parses, its documents equal the old ones with `ops` applied to
 * document `docIndex`, and every changed byte lies inside `spans` (the edited scalars and lines).
 */
export function verifyEdit(
  before: ParsedText,
  after: string,
  docIndex: number,
  ops: readonly SemanticOp[],
): EditFailure | undefined {
  const reparsed = parseText(after);
  if (isFailure(reparsed))
    return fail('verify-failed', `the edit produced invalid YAML (${reparsed.message})`);
  if (reparsed.docs.length !== before.docs.length) {
    return fail(
      'verify-failed',
      `the edit changed the number of YAML documents (${before.docs.length} -> ${reparsed.docs.length})`,
    );
  }
  for (let i = 0; i < before.docs.length; i++) {
    const beforeDoc = before.docs[i];
    const actualDoc = reparsed.docs[i];
    if (beforeDoc === undefined || actualDoc === undefined) continue;
    let expectedJs: unknown = beforeDoc.toJS({ maxAliasCount: -1 });
    if (i === docIndex) for (const op of ops) expectedJs = applyOp(expectedJs, op);
    const expected = JSON.stringify(expectedJs);
    const actual = JSON.stringify(actualDoc.toJS({ maxAliasCount: -1 }));
    if (expected !== actual) {
      return fail(
        'verify-failed',
        `the edit changed more than intended in document ${i + 1}: expected ${expected}, got ${actual}`,
      );
    }
  }
  return undefined;
}

/** Applies one semantic change to plain data (what toJS gives), creating maps on the way as setIn would. */
function applyOp(root: unknown, op: SemanticOp): unknown {
  const [head, ...rest] = op.path;
  if (head === undefined) return op.op === 'set' ? op.value : undefined;
  const container: Record<string | number, unknown> | unknown[] =
    root !== null && typeof root === 'object' ? (root as Record<string, unknown>) : {};
  const next = (container as Record<string | number, unknown>)[head];
  if (rest.length === 0 && op.op === 'delete') {
    if (Array.isArray(container) && typeof head === 'number') container.splice(head, 1);
    else delete (container as Record<string | number, unknown>)[head];
    return container;
  }
  (container as Record<string | number, unknown>)[head] = applyOp(next, { ...op, path: rest } as SemanticOp);
  return container;
}

/** True when some alias in the document refers to the anchor on `node`: editing it would change them too. */
export function isAliased(doc: Document.Parsed, node: Node): boolean {
  const anchor = (node as Scalar).anchor;
  if (anchor === undefined) return false;
  let used = false;
  visit(doc, {
    Alias(_, alias) {
      if (alias.source === anchor) {
        used = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return used;
}

/** The value of a scalar or an alias to one, as a string; undefined for anything else. */
export function scalarString(doc: Document.Parsed, node: unknown): string | undefined {
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  if (!isScalar(resolved) || resolved.value === null || resolved.value === undefined) return undefined;
  if (isCollection(resolved.value)) return undefined;
  return String(resolved.value);
}
