import { CST, type Document, isMap, isScalar, isSeq, LineCounter, Parser, parseDocument } from 'yaml';

// Source-preserving edits of a kustomization's `images:` list. The text is changed token by token
// through yaml's CST, so comments, order, quoting and line endings outside the edited scalar stay.

export interface ImageSpec {
  /** The image name as it appears in the manifests (kustomize `name`). */
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

export interface ImageEntry {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

export type EditOutcome =
  | {
      readonly ok: true;
      readonly text: string;
      readonly changed: boolean;
      readonly descriptions: readonly string[];
    }
  | {
      readonly ok: false;
      readonly code: 'parse-error' | 'not-found' | 'ambiguous' | 'unsupported';
      readonly message: string;
    };

function composeDoc(text: string): Document.Parsed {
  return parseDocument(text, { keepSourceTokens: true, lineCounter: new LineCounter() });
}

/** The `images:` entries of a kustomization. */
export function readImages(text: string): ImageEntry[] {
  const images = composeDoc(text).get('images');
  if (!isSeq(images)) return [];
  return images.items.flatMap((item): ImageEntry[] => {
    if (!isMap(item)) return [];
    const entry: Record<string, string> = {};
    for (const key of ['name', 'newName', 'newTag', 'digest']) {
      const v = item.get(key);
      if (v !== undefined && v !== null) entry[key] = String(v);
    }
    return entry.name === undefined ? [] : [entry as unknown as ImageEntry];
  });
}

const FIELDS = ['newName', 'newTag', 'digest'] as const;

/** Sets the fields a spec names on the matching `images:` entry; fields the spec leaves out stay. */
export function setImages(text: string, specs: readonly ImageSpec[]): EditOutcome {
  let current = text;
  const descriptions: string[] = [];
  for (const spec of specs) {
    const result = setImage(current, spec);
    if (!result.ok) return result;
    current = result.text;
    descriptions.push(...result.descriptions);
  }
  return { ok: true, text: current, changed: current !== text, descriptions };
}

function setImage(text: string, spec: ImageSpec): EditOutcome {
  const doc = composeDoc(text);
  if (doc.errors.length > 0)
    return { ok: false, code: 'parse-error', message: doc.errors[0]?.message ?? 'YAML error' };
  const images = doc.get('images', true);
  if (!isSeq(images)) {
    return { ok: false, code: 'not-found', message: `no images: list (looking for ${spec.name})` };
  }
  const matches = images.items.filter((item) => isMap(item) && item.get('name') === spec.name);
  if (matches.length === 0) {
    const names = readImages(text).map((i) => i.name);
    return {
      ok: false,
      code: 'not-found',
      message: `no image named ${spec.name}; images: ${names.join(', ') || '(none)'}`,
    };
  }
  if (matches.length > 1)
    return { ok: false, code: 'ambiguous', message: `${matches.length} images are named ${spec.name}` };
  const entry = matches[0];
  if (!isMap(entry)) return { ok: false, code: 'unsupported', message: 'images entry is not a map' };

  // Replace existing scalars by source offset; fields that are absent are inserted after `name:`.
  const replacements: { offset: number; token: CST.Token; value: string }[] = [];
  const inserts: string[] = [];
  const descriptions: string[] = [];
  for (const field of FIELDS) {
    const wanted = spec[field];
    if (wanted === undefined) continue;
    const node = entry.get(field, true);
    if (isScalar(node) && node.srcToken !== undefined && node.range) {
      if (String(node.value) === wanted) continue;
      replacements.push({ offset: node.range[0], token: node.srcToken, value: wanted });
      descriptions.push(`${spec.name} ${field} ${String(node.value)} -> ${wanted}`);
    } else {
      inserts.push(`${field}: ${quoteIfNeeded(wanted)}`);
      descriptions.push(`${spec.name} ${field} set to ${wanted}`);
    }
  }
  if (replacements.length === 0 && inserts.length === 0)
    return { ok: true, text, changed: false, descriptions: [] };

  let out = text;
  if (replacements.length > 0)
    out = replaceScalars(
      text,
      replacements.map((r) => r.offset),
      replacements.map((r) => r.value),
    );
  if (inserts.length > 0) {
    const nameNode = entry.items.find((p) => isScalar(p.key) && p.key.value === 'name');
    if (
      nameNode === undefined ||
      !isScalar(nameNode.value) ||
      nameNode.value.range === undefined ||
      entry.flow
    ) {
      return {
        ok: false,
        code: 'unsupported',
        message: `cannot add fields to image ${spec.name} in this layout`,
      };
    }
    out = insertAfterLine(out, nameNode, inserts);
  }
  return { ok: true, text: out, changed: out !== text, descriptions };
}

/** Rewrites the scalars that start at the given offsets, keeping every other byte. */
function replaceScalars(text: string, offsets: readonly number[], values: readonly string[]): string {
  const tokens = [...new Parser().parse(text)];
  let offsetIndex = new Map(offsets.map((o, i) => [o, values[i] as string]));
  for (const token of tokens) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const t of [item.key, item.value]) {
        if (t && CST.isScalar(t) && offsetIndex.has(t.offset)) {
          const value = offsetIndex.get(t.offset) as string;
          offsetIndex = new Map([...offsetIndex].filter(([o]) => o !== t.offset));
          CST.setScalarValue(t, value, { afterKey: t === item.value, type: scalarStyle(t.type, value) });
        }
      }
    });
  }
  return tokens.map((t) => CST.stringify(t)).join('');
}

function insertAfterLine(text: string, pair: { key: unknown }, lines: readonly string[]): string {
  const key = pair.key as { range?: [number, number, number] };
  const keyStart = key.range?.[0] ?? 0;
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const column = keyStart - lineStart;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let lineEnd = text.indexOf('\n', keyStart);
  if (lineEnd === -1) {
    return `${text}${eol}${lines.map((l) => ' '.repeat(column) + l).join(eol)}`;
  }
  lineEnd += 1;
  const added = lines.map((l) => `${' '.repeat(column)}${l}${eol}`).join('');
  return text.slice(0, lineEnd) + added + text.slice(lineEnd);
}

const STYLE_OF_TOKEN = {
  'single-quoted-scalar': 'QUOTE_SINGLE',
  'double-quoted-scalar': 'QUOTE_DOUBLE',
} as const;

/** Keeps the scalar's quoting; a plain scalar is double-quoted only when the new value needs it. */
function scalarStyle(tokenType: string, value: string): 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' {
  const kept = STYLE_OF_TOKEN[tokenType as keyof typeof STYLE_OF_TOKEN];
  if (kept !== undefined) return kept;
  return needsQuotes(value) ? 'QUOTE_DOUBLE' : 'PLAIN';
}

/** A value that would read back as a number, boolean or null must be quoted to stay a string. */
function needsQuotes(value: string): boolean {
  const parsed = parseDocument(value).contents;
  return !isScalar(parsed) || typeof parsed.value !== 'string' || parsed.value !== value;
}

function quoteIfNeeded(value: string): string {
  return needsQuotes(value) ? JSON.stringify(value) : value;
}
