import { type Document, isMap, isSeq, type Node, type Pair, visit, type YAMLMap, type YAMLSeq } from 'yaml';
import { type EditFailure, fail } from './parse.js';

// Whole-line edits: fields and entries added or removed as lines in the file's own layout, and the
// splices that carry every edit into the text.

export type Eol = '\n' | '\r\n';

export function eolOf(text: string): Eol {
  return text.includes('\r\n') ? '\r\n' : '\n';
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

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break that ends the line holding `offset` (or the text's end). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

export function columnOf(text: string, offset: number): number {
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
export function insertLinesAfter(text: string, afterOffset: number, lines: readonly string[]): Splice {
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
export function lastLineOfNode(text: string, end: number): number {
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
