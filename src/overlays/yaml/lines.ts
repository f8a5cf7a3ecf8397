// A one-pass line scanner for the kustomizations people write by hand: block maps and lists,
// one-line plain or quoted scalars, comments, blank lines, block scalar bodies, one-line flow
// collections. It reads a top-level list keyed by `name` (images, replicas) in time linear in the
// file, with no YAML document built. Anything else (anchors, aliases, tags, multi-line scalars or
// flow collections, several documents, a flow list of entries, nested values in an entry) makes it
// answer `undefined`, and the caller uses the full CST path. It never guesses: a line it does not
// understand ends the scan.

export interface ScalarAt {
  /** Offsets of the scalar's source (quotes included), without trailing spaces or comment. */
  readonly start: number;
  readonly end: number;
  readonly style: 'plain' | 'single' | 'double';
  /** The string a string field reads: the source text of a plain scalar, unescaped for quoted ones. */
  readonly value: string;
}

export interface FieldLine {
  readonly key: string;
  readonly value: ScalarAt | undefined;
  /** Offset where the line starts and where the next one starts (the text's end for the last line). */
  readonly lineStart: number;
  readonly nextLine: number;
  /** True for the first key of an entry, written on the `- ` line. */
  readonly onDashLine: boolean;
}

export interface ListItem {
  /** 1-based line of the `- `. */
  readonly line: number;
  readonly dashLineStart: number;
  /** Column of the entry's keys. */
  readonly keyColumn: number;
  /** The entry's fields; undefined when the item is not a map (`- ../base`). */
  readonly fields: readonly FieldLine[] | undefined;
  /** Where the line after the item's last content line starts. */
  readonly end: number;
}

export interface ScannedList {
  readonly dashColumn: number;
  /** The items (only those `keep` accepts, when the scan was given one). */
  readonly items: readonly ListItem[];
  /** The list's last item, kept or not: where new entries go. */
  readonly last: ListItem | undefined;
}

export interface ScannedFile {
  /** The top-level `kind:` value, if any. */
  readonly kind: string | undefined;
  /** A top-level list keyed by name; `undefined`: absent; `'other'`: present in a shape the scanner leaves to the CST path. */
  readonly lists: ReadonlyMap<string, ScannedList | 'other'>;
  readonly eol: '\n' | '\r\n';
}

const PLAIN_KEY = /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/;
const BLOCK_HEADER = /^[|>][1-9+-]{0,2} *(#.*)?$/;
const UNESCAPE: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  ' ': ' ',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
  e: '\x1b',
  a: '\x07',
  v: '\v',
};

/** Index of the quote closing the quoted scalar opened at `i`, on this line; undefined if none (or an escape left to yaml). */
function closingQuote(line: string, i: number): number | undefined {
  const q = line[i];
  let j = i + 1;
  for (;;) {
    const next = q === "'" ? line.indexOf("'", j) : line.slice(j).search(/["\\]/) + j;
    if (next < j) return undefined;
    if (q === "'") {
      if (line[next + 1] === "'") {
        j = next + 2;
        continue;
      }
      return next;
    }
    if (line[next] === '"') return next;
    const e = line[next + 1];
    if (e === undefined || UNESCAPE[e] === undefined) return undefined;
    j = next + 2;
  }
}

type Value =
  | { readonly kind: 'none' }
  | { readonly kind: 'scalar'; readonly scalar: ScalarAt }
  | { readonly kind: 'flow' }
  | { readonly kind: 'block' };

interface Content {
  readonly indent: number;
  readonly dash: boolean;
  /** Column of the key or value after the dash (or the indent). */
  readonly column: number;
  readonly key: string | undefined;
  readonly value: Value;
}

/** Reads one scalar or flow collection starting at `i`; returns it and where its source ends, or undefined. */
function readValue(line: string, i: number, base: number): { value: Value; end: number } | undefined {
  const c = line[i];
  if (c === undefined || c === '#') return { value: { kind: 'none' }, end: i };
  if (c === '"' || c === "'") {
    const close = closingQuote(line, i);
    if (close === undefined) return undefined; // goes on to the next line, or an escape yaml must read
    const inner = line.slice(i + 1, close);
    const value =
      c === "'"
        ? inner.replaceAll("''", "'")
        : inner.includes('\\')
          ? inner.replace(/\\(.)/g, (_, e: string) => UNESCAPE[e] ?? e)
          : inner;
    const style = c === "'" ? 'single' : 'double';
    return {
      value: { kind: 'scalar', scalar: { start: base + i, end: base + close + 1, style, value } },
      end: close + 1,
    };
  }
  if (c === '[' || c === '{') {
    let depth = 0;
    let quote: string | undefined;
    for (let j = i; j < line.length; j++) {
      const d = line[j];
      if (quote !== undefined) {
        if (d === '\\' && quote === '"') j++;
        else if (d === quote) quote = undefined;
        continue;
      }
      if (d === '"' || d === "'") quote = d;
      else if (d === '[' || d === '{') depth++;
      else if (d === ']' || d === '}') {
        depth--;
        if (depth === 0) return { value: { kind: 'flow' }, end: j + 1 };
      } else if (d === '#' && line[j - 1] === ' ') return undefined;
    }
    return undefined; // spans lines
  }
  if ('&*!%@`|>?,]}:'.includes(c) || (c === '-' && (line[i + 1] === ' ' || line[i + 1] === undefined))) {
    return undefined;
  }
  let j = i;
  while (j < line.length && !(line[j] === '#' && line[j - 1] === ' ')) {
    if (line[j] === ':' && (line[j + 1] === ' ' || line[j + 1] === undefined)) return undefined;
    j++;
  }
  let end = j;
  while (end > i && line[end - 1] === ' ') end--;
  const value = line.slice(i, end);
  if (value === '') return { value: { kind: 'none' }, end: i };
  return {
    value: { kind: 'scalar', scalar: { start: base + i, end: base + end, style: 'plain', value } },
    end,
  };
}

/** Parses one content line (no tabs, not blank, not a comment); undefined when it is not simple. */
function readContent(line: string, base: number): Content | undefined {
  let i = 0;
  while (line[i] === ' ') i++;
  const indent = i;
  let dash = false;
  if (line[i] === '-' && (line[i + 1] === ' ' || line[i + 1] === undefined)) {
    dash = true;
    i++;
    while (line[i] === ' ') i++;
    if (line[i] === '-' && (line[i + 1] === ' ' || line[i + 1] === undefined)) return undefined;
  }
  const column = i;
  if (i >= line.length || line[i] === '#')
    return { indent, dash, column, key: undefined, value: { kind: 'none' } };
  // A key: plain text up to `: ` (or a final `:`), before any comment.
  let k = i;
  while (k < line.length && !(line[k] === ':' && (line[k + 1] === ' ' || line[k + 1] === undefined))) {
    if (line[k] === '#' && line[k - 1] === ' ') {
      k = line.length;
      break;
    }
    k++;
  }
  if (k < line.length) {
    const key = line.slice(i, k).trimEnd();
    if (!PLAIN_KEY.test(key)) return undefined;
    let v = k + 1;
    while (line[v] === ' ') v++;
    if (line[v] === '|' || line[v] === '>') {
      if (!BLOCK_HEADER.test(line.slice(v))) return undefined;
      return { indent, dash, column, key, value: { kind: 'block' } };
    }
    const read = readValue(line, v, base);
    if (read === undefined || !restIsComment(line, read.end)) return undefined;
    return { indent, dash, column, key, value: read.value };
  }
  if (!dash) return undefined; // a bare value on its own line continues a scalar: leave it to yaml
  const read = readValue(line, i, base);
  if (read === undefined || !restIsComment(line, read.end)) return undefined;
  return { indent, dash, column, key: undefined, value: read.value };
}

function restIsComment(line: string, from: number): boolean {
  let i = from;
  while (line[i] === ' ') i++;
  return i >= line.length || (line[i] === '#' && (i === from ? from === 0 || line[from - 1] === ' ' : true));
}

/**
 * Scans a kustomization for the top-level lists named in `listKeys`. Undefined when the file holds
 * anything the scanner does not read exactly as yaml would (the caller then parses it fully).
 */
export function scanLists(
  text: string,
  listKeys: readonly string[],
  keep?: (name: string | undefined) => boolean,
): ScannedFile | undefined {
  if (text.includes('\t')) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lists = new Map<string, ScannedList | 'other'>();
  const topKeys = new Set<string>();
  let kind: string | undefined;
  let current:
    | { key: string; items: ListItem[]; dashColumn: number | undefined; last: ListItem | undefined }
    | undefined;
  let item:
    | {
        line: number;
        dashLineStart: number;
        keyColumn: number | undefined;
        fields: FieldLine[] | undefined;
        end: number;
      }
    | undefined;
  let blockParent: number | undefined; // inside a block scalar body: the indent of its key
  let previous: Content | undefined;
  let sawContent = false;
  let lineNo = 0;

  const closeItem = () => {
    if (current !== undefined && item !== undefined) {
      const done: ListItem = {
        line: item.line,
        dashLineStart: item.dashLineStart,
        keyColumn: item.keyColumn ?? 0,
        fields: item.fields,
        end: item.end,
      };
      current.last = done;
      // Only the entries asked for are kept: a large list costs a scan, not a copy of it.
      if (keep === undefined || keep(item.fields?.find((f) => f.key === 'name')?.value?.value)) {
        current.items.push(done);
      }
    }
    item = undefined;
  };
  const closeList = () => {
    closeItem();
    if (current !== undefined) {
      lists.set(current.key, {
        dashColumn: current.dashColumn ?? 0,
        items: current.items,
        last: current.last,
      });
    }
    current = undefined;
  };

  let start = text.startsWith('\ufeff') ? 1 : 0;
  while (start < text.length || (start === text.length && lineNo === 0)) {
    lineNo++;
    const nl = text.indexOf('\n', start);
    const next = nl === -1 ? text.length : nl + 1;
    let stop = nl === -1 ? text.length : nl;
    if (text[stop - 1] === '\r') stop--;
    const line = text.slice(start, stop);
    if (line.includes('\r')) return undefined; // a lone CR
    const lineStart = start;
    start = next;
    if (nl === -1 && line === '') break;
    let indent = 0;
    while (line[indent] === ' ') indent++;
    if (indent === line.length || line[indent] === '#') continue; // blank or comment
    if (blockParent !== undefined) {
      if (indent > blockParent) continue; // block scalar body
      blockParent = undefined;
    }
    if (indent === 0 && /^(---|\.\.\.)( |$)/.test(line)) {
      if (line.startsWith('---') && !sawContent && restIsComment(line, 3)) continue;
      return undefined; // several documents, or an end marker
    }
    if (line[indent] === '%') return undefined;
    const content = readContent(line, lineStart);
    if (content === undefined) return undefined;
    sawContent = true;
    // A line indented under a line that holds a scalar continues it or nests under it: not simple.
    if (
      previous !== undefined &&
      previous.value.kind !== 'none' &&
      content.indent > previous.indent &&
      !(previous.dash && content.indent <= previous.column && previous.key !== undefined)
    ) {
      return undefined;
    }
    if (content.value.kind === 'block') blockParent = content.dash ? content.column : content.indent;
    previous = content;

    if (content.indent === 0 && !content.dash) {
      // A top-level key.
      closeList();
      if (content.key === undefined) return undefined;
      if (topKeys.has(content.key)) return undefined; // a duplicate key: yaml reports it
      topKeys.add(content.key);
      if (content.key === 'kind' && content.value.kind === 'scalar') kind = content.value.scalar.value;
      if (listKeys.includes(content.key)) {
        if (content.value.kind === 'none')
          current = { key: content.key, items: [], dashColumn: undefined, last: undefined };
        else lists.set(content.key, 'other');
      }
      continue;
    }
    if (current === undefined) continue; // inside another top-level key: only simple lines matter
    if (content.dash && (current.dashColumn === undefined || content.indent === current.dashColumn)) {
      if (current.dashColumn === undefined) current.dashColumn = content.indent;
      closeItem();
      const isMap = content.key !== undefined || content.value.kind === 'none';
      if (content.key === undefined && content.value.kind === 'flow') {
        // `- {name: web}`: an entry the CST path edits.
        lists.set(current.key, 'other');
        current = undefined;
        continue;
      }
      item = {
        line: lineNo,
        dashLineStart: lineStart,
        keyColumn: content.key === undefined ? undefined : content.column,
        fields: isMap ? [] : undefined,
        end: next,
      };
      if (content.key !== undefined) {
        if (content.value.kind !== 'scalar' && content.value.kind !== 'none') return undefined;
        item.fields?.push({
          key: content.key,
          value: content.value.kind === 'scalar' ? content.value.scalar : undefined,
          lineStart,
          nextLine: next,
          onDashLine: true,
        });
      }
      continue;
    }
    // A key of the current entry, in its column.
    if (item === undefined || content.dash || content.key === undefined || item.fields === undefined)
      return undefined;
    if (item.keyColumn === undefined) {
      if (content.indent <= (current.dashColumn ?? 0)) return undefined;
      item.keyColumn = content.indent;
    }
    if (content.indent !== item.keyColumn) return undefined;
    if (content.value.kind !== 'scalar' && content.value.kind !== 'none') return undefined;
    if (item.fields.some((f) => f.key === content.key)) return undefined;
    item.fields.push({
      key: content.key,
      value: content.value.kind === 'scalar' ? content.value.scalar : undefined,
      lineStart,
      nextLine: next,
      onDashLine: false,
    });
    item.end = next;
  }
  closeList();
  if (topKeys.size === 0) return undefined;
  return { kind, lists, eol };
}

/** One line read on its own: its key, the column of the key, and its scalar value (for checks of written lines). */
export function readLine(
  line: string,
): { key: string | undefined; column: number; value: ScalarAt | undefined } | undefined {
  if (line.includes('\n') || line.includes('\r') || line.includes('\t')) return undefined;
  const content = readContent(line, 0);
  if (content === undefined) return undefined;
  return {
    key: content.key,
    column: content.column,
    value: content.value.kind === 'scalar' ? content.value.scalar : undefined,
  };
}
