import { type Document, isMap, isScalar, type Node, type Scalar, type YAMLMap } from 'yaml';
import { type EditFailure, fail, isFailure, type ParsedText, parseText, positionOf } from '../yaml/parse.js';
import type { Splice } from '../yaml/splice.js';

// Where a flag's definition lives in a file: a flagd JSON or YAML file (`flags:` at the top), a
// ConfigMap whose data entry holds a flagd file as a literal block scalar (`flags.json: |`), or an
// OpenFeature Operator `FeatureFlag` resource (`spec.flagSpec.flags`). Each is read as the text the
// flags live in (the "inner" text: the block scalar's body without its indentation, else the file)
// and a way back: inner splices become file splices by offset, so a ConfigMap's JSON is edited in
// place and never re-serialized.

export type FlagSourceKind = 'json' | 'yaml' | 'configmap' | 'featureflag';

export interface FlagSource {
  readonly kind: FlagSourceKind;
  /** The text holding the flag set (a block scalar's body for a ConfigMap), parsed. */
  readonly inner: ParsedText;
  readonly docIndex: number;
  /** The map holding `flags:` (the document's root, or spec.flagSpec). */
  readonly flagSet: YAMLMap;
  readonly flags: YAMLMap;
  /** Where in the file (e.g. `ConfigMap flagd-config, data.flags.json`). */
  readonly where: string;
  /** Where the flag set sits in the file's documents, for the post-write check. */
  readonly outerPath: readonly (string | number)[];
  /** True when the inner text is JSON (keys quoted, flow collections only). */
  readonly json: boolean;
  /** File splices from inner splices. */
  readonly toOuter: (splices: readonly Splice[]) => Splice[] | EditFailure;
  /** Line and column in the file of an inner offset. */
  readonly position: (innerOffset: number) => { line: number; col: number };
}

const identity = (outer: ParsedText, json: boolean) => ({
  inner: outer,
  json,
  toOuter: (s: readonly Splice[]) => [...s],
  position: (o: number) => positionOf(outer.text, o),
});

function get(map: unknown, key: string): unknown {
  return isMap(map) ? map.get(key, true) : undefined;
}

function stringAt(map: unknown, key: string): string | undefined {
  const v = get(map, key);
  return isScalar(v) && typeof v.value === 'string' ? v.value : undefined;
}

const looksJson = (text: string) => /^\ufeff?\s*\{/.test(text);

/** A literal block scalar's body as inner text, with the offset map back to the file. */
function blockBody(
  outer: ParsedText,
  node: Scalar,
  label: string,
): { inner: ParsedText; toOuter: FlagSource['toOuter']; position: FlagSource['position'] } | EditFailure {
  const at = positionOf(outer.text, node.range?.[0] ?? 0);
  if (node.type !== 'BLOCK_LITERAL') {
    return fail(
      'unsupported',
      `${label} holds the flags as a ${node.type === 'BLOCK_FOLDED' ? 'folded (>) block' : 'quoted or plain'} string; write it as a literal block (key: |) so rollgate can edit the JSON in place`,
      at,
    );
  }
  const token = node.srcToken as
    { type: string; props?: { offset: number; source: string }[]; source: string } | undefined;
  const header = token?.props?.find((p) => p.source.startsWith('|'));
  const newline = token?.props?.[token.props.length - 1];
  if (token === undefined || header === undefined || newline === undefined) {
    return fail('unsupported', `${label}: cannot find the block scalar's body`, at);
  }
  if (/\d/.test(header.source)) {
    return fail(
      'unsupported',
      `${label}: the block scalar has an explicit indentation indicator (${header.source}); remove it so rollgate can map its lines`,
      at,
    );
  }
  const bodyStart = newline.offset + newline.source.length;
  const body = token.source;
  const lines = body.split('\n');
  const firstText = lines.find((l) => l.replace(/\r$/, '').trim() !== '') ?? '';
  const indent = /^ */.exec(firstText)?.[0].length ?? 0;
  const innerStarts: number[] = [];
  const outerStarts: number[] = [];
  const innerLines: string[] = [];
  let innerOffset = 0;
  let outerOffset = bodyStart;
  for (const line of lines) {
    const cut =
      line.replace(/\r$/, '').trim() === '' ? Math.min(indent, /^ */.exec(line)?.[0].length ?? 0) : indent;
    if (line.slice(0, cut) !== ' '.repeat(cut))
      return fail('unsupported', `${label}: uneven indentation in the block scalar`, at);
    innerStarts.push(innerOffset);
    outerStarts.push(outerOffset + cut);
    innerLines.push(line.slice(cut));
    innerOffset += line.length - cut + 1;
    outerOffset += line.length + 1;
  }
  const text = innerLines.join('\n');
  if (text.trimEnd() !== String(node.value).trimEnd()) {
    return fail(
      'unsupported',
      `${label}: the block scalar's lines could not be mapped (tabs or unusual indentation)`,
      at,
    );
  }
  const inner = parseText(text);
  if (isFailure(inner)) {
    const where = inner.at;
    return where === undefined
      ? inner
      : { ...inner, at: positionOf(outer.text, mapOffset(where)), message: `${label}: ${inner.message}` };
  }
  function lineOf(offset: number): number {
    let lo = 0;
    let hi = innerStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((innerStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  function mapOffset(p: { line: number; col: number }): number {
    const i = Math.min(p.line - 1, outerStarts.length - 1);
    return (outerStarts[i] ?? bodyStart) + p.col - 1;
  }
  const toOuterOffset = (o: number) => {
    const i = lineOf(o);
    return (outerStarts[i] as number) + (o - (innerStarts[i] as number));
  };
  const pad = ' '.repeat(indent);
  return {
    inner,
    toOuter: (splices) =>
      splices.map((s) => ({
        start: toOuterOffset(s.start),
        end: toOuterOffset(s.end),
        insert: s.insert.replace(/\n/g, `\n${pad}`),
      })),
    position: (o) => positionOf(outer.text, toOuterOffset(o)),
  };
}

interface Candidate {
  readonly source: FlagSource;
}

/**
 * Finds the one place in a file that defines `flag`. None: not-found, with the flags that are
 * there; two: ambiguous, with both places.
 */
export function locateFlag(text: string, flag: string): FlagSource | EditFailure {
  const outer = parseText(text);
  if (isFailure(outer)) return outer;
  const found: Candidate[] = [];
  const seen: string[] = [];
  const problems: EditFailure[] = [];
  outer.docs.forEach((doc: Document.Parsed, docIndex) => {
    const root = doc.contents;
    if (!isMap(root)) return;
    const kind = stringAt(root, 'kind');
    const consider = (source: Omit<FlagSource, 'flags'> & { flags: unknown }) => {
      if (!isMap(source.flags)) return;
      for (const p of source.flags.items) if (isScalar(p.key)) seen.push(String(p.key.value));
      if (source.flags.has(flag)) found.push({ source: { ...source, flags: source.flags } });
    };
    const name = stringAt(get(root, 'metadata'), 'name') ?? '(unnamed)';
    if (kind === 'ConfigMap') {
      const data = get(root, 'data');
      if (!isMap(data)) return;
      for (const pair of data.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const value = pair.value as Node | null;
        if (!isScalar(value) || typeof value.value !== 'string' || !value.value.includes(flag)) continue;
        const label = `ConfigMap ${name}, data.${key}`;
        const body = blockBody(outer, value, label);
        if (isFailure(body)) {
          if (/"flags"|flags:/.test(value.value)) problems.push(body);
          continue;
        }
        const innerDoc = body.inner.docs[0];
        const set = innerDoc?.contents;
        if (body.inner.docs.length !== 1 || !isMap(set)) continue;
        consider({
          kind: 'configmap',
          ...body,
          json: looksJson(body.inner.text),
          docIndex: 0,
          flagSet: set,
          flags: get(set, 'flags'),
          where: label,
          outerPath: [docIndex, 'data', key],
        });
      }
      return;
    }
    if (kind === 'FeatureFlag') {
      const spec = get(get(root, 'spec'), 'flagSpec');
      if (!isMap(spec)) return;
      consider({
        kind: 'featureflag',
        ...identity(outer, false),
        docIndex,
        flagSet: spec,
        flags: get(spec, 'flags'),
        where: `FeatureFlag ${name}, spec.flagSpec`,
        outerPath: [docIndex, 'spec', 'flagSpec'],
      });
      return;
    }
    const json = looksJson(text);
    consider({
      kind: json ? 'json' : 'yaml',
      ...identity(outer, json),
      docIndex,
      flagSet: root,
      flags: get(root, 'flags'),
      where: outer.docs.length > 1 ? `document ${docIndex + 1}` : 'the flag set',
      outerPath: [docIndex],
    });
  });
  const [one, two] = found;
  if (one !== undefined && two === undefined) return one.source;
  if (one !== undefined && two !== undefined) {
    return fail(
      'ambiguous',
      `flag ${flag} is defined in ${found.length} places (${found.map((c) => c.source.where).join('; ')}); keep one definition per file`,
    );
  }
  const [problem] = problems;
  if (problem !== undefined) return problem;
  const known = [...new Set(seen)];
  return fail(
    'not-found',
    known.length === 0
      ? `no flagd flag definitions here (expected flags: at the top, a ConfigMap holding a flagd file as a literal block, or a FeatureFlag's spec.flagSpec.flags)`
      : `no flag ${flag}; the flags here are ${known.join(', ')}`,
    { line: 1, col: 1 },
  );
}
