import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import {
  type EditFailure,
  type EditOutcome,
  fail,
  isFailure,
  type ParsedText,
  parseText,
} from '../yaml/parse.js';
import { scalarSplice } from '../yaml/scalar.js';
import { addPairs, applySplices, eolOf, type Splice } from '../yaml/splice.js';
import { type Bucket, planFractions } from './fractional.js';
import { checkFlagSet, fractionalsIn, type JsonPath } from './schema.js';
import { type FlagSource, locateFlag } from './source.js';

// `rollgate edit flag`: one flag's state, default variant and fractional shares, edited on the
// source bytes of a flagd definition (JSON, YAML, a ConfigMap literal or a FeatureFlag resource).
// Scalars change through their CST tokens; a new bucket or rule is spliced in the file's own
// layout. After the write the file is read again: the flag set must equal the intended one, pass
// flagd's schema rules (schema.ts), and nothing else in the file may have changed.

export type FlagState = 'ENABLED' | 'DISABLED';

export interface FlagChange {
  readonly state?: FlagState;
  readonly defaultVariant?: string;
  /** `--fraction VARIANT=PCT`, in the order given. */
  readonly fractions?: readonly Bucket[];
}

export interface FlagView {
  readonly state: string | undefined;
  readonly defaultVariant: string | undefined;
  readonly variants: readonly string[];
  /** The buckets of the flag's fractional rule; undefined when it has none. */
  readonly buckets: readonly Bucket[] | undefined;
  readonly where: string;
}

interface Located {
  readonly src: FlagSource;
  readonly flagMap: YAMLMap;
  readonly data: Record<string, unknown>;
  readonly flagData: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function locate(text: string, flag: string): Located | EditFailure {
  const src = locateFlag(text, flag);
  if (isFailure(src)) return src;
  const flagMap = src.flags.get(flag, true);
  const data: unknown = src.flagSet.toJS(src.inner.docs[src.docIndex] as never);
  if (!isMap(flagMap) || !isRecord(data) || !isRecord(data.flags) || !isRecord(data.flags[flag])) {
    return fail(
      'invalid-value',
      `flag ${flag} in ${src.where} is not a map (state, variants, defaultVariant)`,
      nodeAt(src, flagMap),
    );
  }
  return { src, flagMap, data, flagData: data.flags[flag] };
}

function nodeAt(src: FlagSource, node: unknown): { line: number; col: number } | undefined {
  const start = (node as Node | null)?.range?.[0];
  return start === undefined ? undefined : src.position(start);
}

/** The node at a path under the flag set (or the deepest one that exists), for a message's position. */
function nodeOfPath(src: FlagSource, path: JsonPath): Node {
  let node: unknown = src.flagSet;
  for (const key of path) {
    const next: unknown = isMap(node) || isSeq(node) ? (node as YAMLMap).get(key, true) : undefined;
    if (next === undefined || next === null) break;
    node = next;
  }
  return node as Node;
}

function schemaFailure(src: FlagSource, data: unknown, when: string): EditFailure | undefined {
  const [first, ...rest] = checkFlagSet(data);
  if (first === undefined) return undefined;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return fail('invalid-value', `${when}: ${first.message}${more}`, nodeAt(src, nodeOfPath(src, first.path)));
}

/** The flag's fractional rule: its sequence node and buckets (bucketing argument skipped). */
function fractionalOf(
  loc: Located,
  flag: string,
):
  | { seq: YAMLSeq; items: { node: YAMLSeq; variant: Scalar; weight: Scalar | undefined }[] }
  | 'none'
  | EditFailure {
  const found = fractionalsIn(loc.flagData.targeting, ['flags', flag, 'targeting']);
  if (found.length === 0) return 'none';
  if (found.length > 1) {
    return fail(
      'ambiguous',
      `flag ${flag} has ${found.length} fractional rules; rollgate edits a flag with one (split the flag, or edit it by hand)`,
      nodeAt(loc.src, nodeOfPath(loc.src, (found[1] as { path: JsonPath }).path)),
    );
  }
  const path = (found[0] as { path: JsonPath }).path;
  const seq = nodeOfPath(loc.src, path);
  if (!isSeq(seq))
    return fail('invalid-value', `flag ${flag}: fractional is not a list`, nodeAt(loc.src, seq));
  const items: { node: YAMLSeq; variant: Scalar; weight: Scalar | undefined }[] = [];
  seq.items.forEach((item, i) => {
    if (i === 0 && !isSeq(item)) return; // what to bucket by
    if (!isSeq(item)) return;
    const [variant, weight] = item.items;
    if (isScalar(variant) && typeof variant.value === 'string')
      items.push({ node: item, variant, weight: isScalar(weight) ? weight : undefined });
  });
  if (items.length !== seq.items.length - (isSeq(seq.items[0]) ? 0 : 1)) {
    return fail(
      'unsupported',
      `flag ${flag}: a fractional bucket names its variant with an expression; rollgate edits buckets of the form [variant, weight]`,
      nodeAt(loc.src, seq),
    );
  }
  return { seq, items };
}

const bucketsOf = (items: { variant: Scalar; weight: Scalar | undefined }[]): Bucket[] =>
  items.map((i) => ({
    variant: String(i.variant.value),
    weight: i.weight === undefined ? 1 : Number(i.weight.value),
  }));

/** What a flag shows now (for `status` and the flag strategy's drift check). */
export function readFlag(text: string, flag: string): FlagView | EditFailure {
  const loc = locate(text, flag);
  if (isFailure(loc)) return loc;
  const frac = fractionalOf(loc, flag);
  if (isFailure(frac)) return frac;
  const { state, defaultVariant, variants } = loc.flagData;
  return {
    state: typeof state === 'string' ? state : undefined,
    defaultVariant: typeof defaultVariant === 'string' ? defaultVariant : undefined,
    variants: isRecord(variants) ? Object.keys(variants) : [],
    buckets: frac === 'none' ? undefined : bucketsOf(frac.items),
    where: loc.src.where,
  };
}

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function setScalar(loc: Located, node: Node, value: string, kind: 'string' | 'number'): Splice | EditFailure {
  const inFlow = loc.src.json || loc.flagMap.flow === true;
  return scalarSplice(
    node,
    { value, kind, ...(loc.src.json && kind === 'string' ? { quoted: true } : {}) },
    inFlow,
  );
}

/** Adds `key: value` to the flag's map, in its layout (a new line in a multi-line JSON object). */
function addToFlag(loc: Located, key: string, value: string): Splice | EditFailure {
  const text = loc.src.inner.text;
  const map = loc.flagMap;
  const k = loc.src.json ? JSON.stringify(key) : key;
  if (map.flow !== true) return addPairs(text, map, [{ key: k, value }]);
  const last = map.items[map.items.length - 1];
  const end = (last?.value as Node | null)?.range?.[1] ?? (last?.key as Node | null)?.range?.[1];
  const keyStart = (last?.key as Node | null)?.range?.[0];
  if (last === undefined || end === undefined || keyStart === undefined)
    return fail('unsupported', `cannot add ${key} to an empty flag`);
  const ls = lineStart(text, keyStart);
  const own = text.slice(ls, keyStart).trim() === '';
  const insert = own ? `,${eolOf(text)}${text.slice(ls, keyStart)}${k}: ${value}` : `, ${k}: ${value}`;
  return { start: end, end, insert };
}

const bucketText = (b: Bucket) => `[${JSON.stringify(b.variant)}, ${b.weight}]`;

/** The splices that turn the current fractional (or none) into `buckets`. */
function fractionSplices(loc: Located, flag: string, buckets: readonly Bucket[]): Splice[] | EditFailure {
  const text = loc.src.inner.text;
  const frac = fractionalOf(loc, flag);
  if (isFailure(frac)) return frac;
  if (frac === 'none') {
    const rule = `{${loc.src.json ? '"fractional"' : 'fractional'}: [${buckets.map(bucketText).join(', ')}]}`;
    const pair = pairOf(loc.flagMap, 'targeting');
    if (pair === undefined) {
      const added = addToFlag(loc, 'targeting', rule);
      return isFailure(added) ? added : [added];
    }
    const value = pair.value as Node | null;
    const empty = (isMap(value) && value.items.length === 0) || (isScalar(value) && value.value === null);
    const range = value?.range;
    if (!empty || range === undefined || range === null || (isScalar(value) && range[0] === range[1])) {
      return fail(
        'unsupported',
        `flag ${flag}: its targeting has rules but no fractional; add a fractional where the rollout belongs (e.g. {"fractional": [["${buckets[0]?.variant ?? 'new'}", 0], ["${loc.flagData.defaultVariant as string}", 100]]}), then use --fraction`,
        nodeAt(loc.src, value),
      );
    }
    return [{ start: range[0], end: range[1], insert: rule }];
  }
  const splices: Splice[] = [];
  const current = frac.items;
  const fresh = buckets.slice(0, buckets.length - current.length);
  buckets.slice(fresh.length).forEach((b, i) => {
    const item = current[i];
    if (item === undefined || String(item.variant.value) !== b.variant) return;
    const now = item.weight === undefined ? 1 : Number(item.weight.value);
    if (now === b.weight) return;
    if (item.weight !== undefined) {
      const s = setScalar(loc, item.weight, String(b.weight), 'number');
      splices.push(isFailure(s) ? { start: -1, end: -1, insert: s.message } : s);
    } else {
      const end = item.variant.range?.[1] ?? -1;
      splices.push({ start: end, end, insert: `, ${b.weight}` });
    }
  });
  const broken = splices.find((s) => s.start < 0);
  if (broken !== undefined) return fail('unsupported', `flag ${flag}: ${broken.insert}`);
  if (fresh.length > 0) {
    const first = current[0]?.node;
    const start = first?.range?.[0];
    if (first === undefined || start === undefined)
      return fail('unsupported', `flag ${flag}: fractional has no bucket to put the new one before`);
    const ls = lineStart(text, start);
    const prefix = text.slice(ls, start);
    const eol = eolOf(text);
    const items = fresh.map(bucketText);
    if (frac.seq.flow === true) {
      const ownLine = prefix.trim() === '';
      splices.push({
        start,
        end: start,
        insert: items.map((t) => (ownLine ? `${t},${eol}${prefix}` : `${t}, `)).join(''),
      });
    } else {
      if (!/^\s*-\s+$/.test(prefix))
        return fail(
          'unsupported',
          `flag ${flag}: the fractional list's first bucket shares its line; put each bucket on its own line (- [variant, weight])`,
          nodeAt(loc.src, first),
        );
      const dash = prefix.replace(/-\s+$/, '');
      splices.push({ start: ls, end: ls, insert: items.map((t) => `${dash}- ${t}${eol}`).join('') });
    }
  }
  return splices;
}

function describe(flag: string, before: FlagView, after: FlagView): string[] {
  const out: string[] = [];
  if (before.state !== after.state)
    out.push(`flag ${flag}: state ${before.state ?? '(none)'} -> ${after.state ?? '(none)'}`);
  if (before.defaultVariant !== after.defaultVariant)
    out.push(
      `flag ${flag}: defaultVariant ${before.defaultVariant ?? '(none)'} -> ${after.defaultVariant ?? '(none)'}`,
    );
  const fmt = (b: readonly Bucket[] | undefined) =>
    b === undefined ? '(none)' : b.map((x) => `${x.variant} ${x.weight}%`).join(', ');
  if (fmt(before.buckets) !== fmt(after.buckets))
    out.push(`flag ${flag}: fractional ${fmt(before.buckets)} -> ${fmt(after.buckets)}`);
  return out;
}

function replaceAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? replaceAt(v, rest, value) : v));
  if (isRecord(root)) return { ...root, [head]: replaceAt(root[head], rest, value) };
  return root;
}

function docsJs(parsed: ParsedText): unknown[] {
  return parsed.docs.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
}

/** Sets a flag's state, default variant and fractional shares; the file changes only where they do. */
export function setFlag(text: string, flag: string, change: FlagChange): EditOutcome {
  const loc = locate(text, flag);
  if (isFailure(loc)) return loc;
  const { src, flagMap, flagData } = loc;
  const broken = schemaFailure(
    src,
    loc.data,
    `${src.where} does not pass flagd's flag schema before the edit; fix it first`,
  );
  if (broken !== undefined) return broken;
  const before = readFlag(text, flag);
  if (isFailure(before)) return before;
  const variants = before.variants;
  const expected: Record<string, unknown> = { ...flagData };
  const splices: Splice[] = [];
  const unknownVariant = (v: string, what: string) =>
    fail(
      'invalid-value',
      `${what} ${v} is not a variant of flag ${flag}; its variants are ${variants.join(', ')}`,
      nodeAt(src, flagMap.get('variants', true)),
    );

  if (change.state !== undefined && change.state !== before.state) {
    const node = flagMap.get('state', true) as Node | undefined;
    if (!isScalar(node))
      return fail('invalid-value', `flag ${flag} has no state to set`, nodeAt(src, flagMap));
    const s = setScalar(loc, node, change.state, 'string');
    if (isFailure(s)) return s;
    splices.push(s);
    expected.state = change.state;
  }
  if (change.defaultVariant !== undefined && change.defaultVariant !== before.defaultVariant) {
    if (!variants.includes(change.defaultVariant)) return unknownVariant(change.defaultVariant, '--default');
    const pair = pairOf(flagMap, 'defaultVariant');
    const node = pair?.value as Node | null | undefined;
    if (pair === undefined) {
      const s = addToFlag(loc, 'defaultVariant', JSON.stringify(change.defaultVariant));
      if (isFailure(s)) return s;
      splices.push(s);
    } else if (isScalar(node) && (node.range?.[0] ?? 0) < (node.range?.[1] ?? 0)) {
      const s = setScalar(loc, node, change.defaultVariant, 'string');
      if (isFailure(s)) return s;
      splices.push(s);
    } else {
      return fail(
        'unsupported',
        `flag ${flag}: defaultVariant has no value to replace; write defaultVariant: null first`,
        nodeAt(src, pair.key),
      );
    }
    expected.defaultVariant = change.defaultVariant;
  }
  if (change.fractions !== undefined && change.fractions.length > 0) {
    for (const f of change.fractions)
      if (!variants.includes(f.variant)) return unknownVariant(f.variant, '--fraction');
    const plan = planFractions(
      before.buckets,
      change.fractions,
      change.defaultVariant ?? before.defaultVariant,
    );
    if (!plan.ok) return fail('invalid-value', `flag ${flag}: ${plan.message}`, nodeAt(src, flagMap));
    const changed = JSON.stringify(plan.buckets) !== JSON.stringify(before.buckets);
    if (changed) {
      const s = fractionSplices(loc, flag, plan.buckets);
      if (isFailure(s)) return s;
      splices.push(...s);
      const targeting = isRecord(flagData.targeting) ? flagData.targeting : {};
      const found = fractionalsIn(targeting, []);
      const fracPath = found[0]?.path ?? ['fractional'];
      const args = found[0]?.args;
      const head = Array.isArray(args) && args.length > 0 && !Array.isArray(args[0]) ? [args[0]] : [];
      expected.targeting = replaceAt(targeting, fracPath, [
        ...head,
        ...plan.buckets.map((b) => [b.variant, b.weight]),
      ]);
    }
  }
  if (splices.length === 0) return { ok: true, text, changed: false, descriptions: [] };

  const innerAfter = applySplices(src.inner.text, splices);
  if (isFailure(innerAfter)) return innerAfter;
  const outerSplices = src.toOuter(splices);
  if (isFailure(outerSplices)) return outerSplices;
  const after = applySplices(text, outerSplices);
  if (isFailure(after)) return after;

  // The post-write check: read the file again as flagd and kustomize would.
  const again = locate(after, flag);
  if (isFailure(again)) return fail('verify-failed', `the edit broke the file: ${again.message}`);
  const wanted = { ...loc.data, flags: { ...(loc.data.flags as Record<string, unknown>), [flag]: expected } };
  if (JSON.stringify(again.data) !== JSON.stringify(wanted)) {
    return fail(
      'verify-failed',
      `the edit changed more than intended: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(again.data)}`,
    );
  }
  const invalid = schemaFailure(again.src, again.data, `the edit would break flagd's flag schema`);
  if (invalid !== undefined) return invalid;
  const outside = (p: ParsedText, s: FlagSource) => JSON.stringify(replaceAt(docsJs(p), s.outerPath, null));
  const outerOf = (t: string, s: FlagSource) => (s.kind === 'configmap' ? outerParsed(t) : s.inner);
  const b = outerOf(text, src);
  const a = outerOf(after, again.src);
  if (b === undefined || a === undefined || outside(b, src) !== outside(a, again.src))
    return fail('verify-failed', 'the edit changed the file outside the flag set');
  const afterView = readFlag(after, flag);
  if (isFailure(afterView)) return afterView;
  return { ok: true, text: after, changed: true, descriptions: describe(flag, before, afterView) };
}

function outerParsed(text: string): ParsedText | undefined {
  const p = parseText(text, { maxFileSize: Number.POSITIVE_INFINITY });
  return isFailure(p) ? undefined : p;
}
