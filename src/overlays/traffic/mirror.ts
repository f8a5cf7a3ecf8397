import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import {
  addPairs,
  applySplices,
  columnOf,
  type EditFailure,
  type EditOutcome,
  fail,
  insertLinesAfter,
  isFailure,
  lastLineOfNode,
  lineStartOf,
  nextLineStart,
  type ParsedText,
  parseText,
  removePair,
  type SemanticOp,
  type Splice,
  scalarSplice,
  verifyEdit,
} from '../cst-edit.js';
import { stringAt } from './common.js';
import { findSplits, providersFor, selectSplit } from './set-weight.js';
import { type Backend, pickCanary, type Split } from './split.js';

// Shadow traffic (`rollgate edit mirror`, `canary.shadow`): a copy of a percentage of a route's
// requests goes to a backend whose answers are thrown away. Two providers can say so:
//   Istio VirtualService http route: `mirror: { host, subset }` + `mirrorPercentage: { value }`;
//   Gateway API HTTPRoute/GRPCRoute rule: a `RequestMirror` filter with `percent`, or `fraction`
//   ({ numerator, denominator }) for a share below 1% or with decimals (Gateway API v1.3).
// Percent 0 removes the mirror (the lines rollgate added, or a person wrote, go away). Only the
// mirror's own lines and scalars change; the result is parsed again and checked, as every edit.

/** The traffic kinds that can mirror; `validate` refuses `canary.shadow` on the others. */
export const MIRROR_KINDS = ['istio', 'gateway-api'] as const;

export interface MirrorOptions {
  /** Share of requests copied to the backend, 0 to 100 (decimals allowed); 0 removes the mirror. */
  readonly percent: number;
  /** The backend that receives the copies (default: the canary backend, as `edit weight` picks it). */
  readonly backend?: string;
  readonly route?: string;
  readonly document?: number;
  readonly kind?: string;
}

/** Where a mirror lives: the route (Istio) or rule (Gateway API) map, and the backend it copies to. */
interface MirrorSite {
  readonly provider: 'istio' | 'gateway-api';
  readonly split: Split;
  readonly doc: Document.Parsed;
  /** Path from the document root to the route or rule map. */
  readonly path: readonly (string | number)[];
  readonly map: YAMLMap;
  readonly target: Backend;
}

function site(parsed: ParsedText, options: Omit<MirrorOptions, 'percent'>): MirrorSite | EditFailure {
  if (options.kind !== undefined && !(MIRROR_KINDS as readonly string[]).includes(options.kind)) {
    return fail(
      'unsupported',
      `traffic kind ${options.kind} cannot mirror requests; mirroring works with ${MIRROR_KINDS.join(' and ')}`,
    );
  }
  const providers = providersFor({
    percent: 0,
    ...(options.kind !== undefined ? { kind: options.kind } : {}),
  });
  if (isFailure(providers)) return providers;
  const splits = findSplits(
    parsed,
    providers.filter((p) => (MIRROR_KINDS as readonly string[]).includes(p.kind)),
  );
  const split = selectSplit(splits, options.route, options.document);
  if (isFailure(split)) return split;
  const target = pickCanary(split, options.backend);
  if (isFailure(target)) {
    return options.backend === undefined
      ? fail(target.code, `${target.message.replace('--canary-backend', '--backend')}`)
      : target;
  }
  const doc = parsed.docs[split.docIndex];
  if (doc === undefined) return fail('not-found', `document ${split.docIndex + 1} is missing`);
  const path = target.path.slice(0, -2);
  const map = doc.getIn(path, true);
  if (!isMap(map)) return fail('unsupported', `${split.label} is not a map`);
  const istio = split.object.group === 'networking.istio.io';
  if (istio && path[1] !== 'http') {
    return fail('unsupported', `${split.label}: Istio mirrors http routes only, not ${String(path[1])}`);
  }
  if (!istio && split.object.kind !== 'HTTPRoute' && split.object.kind !== 'GRPCRoute') {
    return fail(
      'unsupported',
      `${split.label}: a ${split.object.kind} has no RequestMirror filter; mirror on an HTTPRoute or GRPCRoute`,
    );
  }
  if ((map as YAMLMap).flow === true) {
    return fail(
      'unsupported',
      `${split.label} is written in flow style ({...}); write the route as a block map`,
    );
  }
  return { provider: istio ? 'istio' : 'gateway-api', split, doc, path, map: map as YAMLMap, target };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
}

function numberAt(map: unknown, key: string): number | undefined {
  if (!isMap(map)) return undefined;
  const v = (map as YAMLMap).get(key);
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
}

/** The RequestMirror filters of a Gateway API rule, with their index in `filters`. */
function mirrorFilters(rule: YAMLMap): {
  seq: YAMLSeq | undefined;
  found: { map: YAMLMap; index: number }[];
} {
  const seq = rule.get('filters', true);
  if (!isSeq(seq)) return { seq: undefined, found: [] };
  const found = seq.items.flatMap((item, index) =>
    isMap(item) && (item as YAMLMap).get('type') === 'RequestMirror' ? [{ map: item as YAMLMap, index }] : [],
  );
  return { seq: seq as YAMLSeq, found };
}

/** The share a Gateway API RequestMirror filter copies: percent, fraction, or all (neither). */
function gatewayPercent(filter: YAMLMap): number {
  const mirror = filter.get('requestMirror', true);
  const percent = numberAt(mirror, 'percent');
  if (percent !== undefined) return percent;
  const fraction = isMap(mirror) ? (mirror as YAMLMap).get('fraction', true) : undefined;
  const numerator = numberAt(fraction, 'numerator');
  if (numerator !== undefined) return (numerator / (numberAt(fraction, 'denominator') ?? 100)) * 100;
  return 100;
}

/** The mirrored share of the route now (0 when it mirrors nothing). */
export function readMirror(text: string, options: Omit<MirrorOptions, 'percent'> = {}): number | EditFailure {
  const found = mirrorOf(text, options);
  return isFailure(found) ? found : found.percent;
}

/**
 * The route's mirror now: the share it copies (0 when it mirrors nothing), the backend it copies to
 * (Istio `mirror.host`, Gateway API `requestMirror.backendRef.name`), and the backend it should copy
 * to (the canary's, as `setMirror` writes it): what drift detection compares.
 */
export function mirrorOf(
  text: string,
  options: Omit<MirrorOptions, 'percent'> = {},
): { percent: number; backend: string | undefined; expected: string } | EditFailure {
  const parsed = parseText(text);
  if (isFailure(parsed)) return parsed;
  const at = site(parsed, options);
  if (isFailure(at)) return at;
  const ref = targetRef(at);
  if (at.provider === 'istio') {
    const mirror = at.map.get('mirror', true);
    const expected = String(ref.host);
    if (mirror === undefined) return { percent: 0, backend: undefined, expected };
    return {
      percent: numberAt(at.map.get('mirrorPercentage', true), 'value') ?? 100,
      backend: isMap(mirror) ? stringAt(mirror as YAMLMap, 'host') : undefined,
      expected,
    };
  }
  const expected = String(ref.name);
  const first = mirrorFilters(at.map).found[0];
  if (first === undefined) return { percent: 0, backend: undefined, expected };
  const mirror = first.map.get('requestMirror', true);
  const backendRef = isMap(mirror) ? (mirror as YAMLMap).get('backendRef', true) : undefined;
  return {
    percent: gatewayPercent(first.map),
    backend: isMap(backendRef) ? stringAt(backendRef as YAMLMap, 'name') : undefined,
    expected,
  };
}

/** A Gateway API share: `percent` when whole, else `fraction` over the smallest power of ten that holds it. */
function gatewayShare(
  percent: number,
): { percent: number } | { numerator: number; denominator: number } | EditFailure {
  if (Number.isInteger(percent)) return { percent };
  for (const denominator of [1_000, 10_000, 100_000, 1_000_000]) {
    const numerator = (percent * denominator) / 100;
    const rounded = Math.round(numerator);
    if (Math.abs(numerator - rounded) < 1e-9) return { numerator: rounded, denominator };
  }
  return fail('invalid-value', `mirror ${percent}% has too many decimals; use at most 4 (e.g. 0.0125)`);
}

function render(value: number): string {
  return String(value);
}

/** `key:` blocks as lines at `indent`, two spaces a level; strings quoted only where YAML needs it. */
function blockLines(indent: number, entries: readonly [string, unknown][]): string[] {
  const pad = ' '.repeat(indent);
  return entries.flatMap(([key, value]) => {
    if (Array.isArray(value)) {
      return [
        `${pad}${key}:`,
        ...value.flatMap((item) => {
          const inner = blockLines(indent + 4, Object.entries(item as Record<string, unknown>));
          return inner.map((l, i) => (i === 0 ? `${pad}  - ${l.slice(indent + 4)}` : l));
        }),
      ];
    }
    if (typeof value === 'object' && value !== null) {
      return [`${pad}${key}:`, ...blockLines(indent + 2, Object.entries(value as Record<string, unknown>))];
    }
    return [
      `${pad}${key}: ${typeof value === 'number' ? render(value) : JSON.stringify(value).replace(/^"([A-Za-z0-9._/-]+)"$/, '$1')}`,
    ];
  });
}

/** The lines of a new block at the end of `map`, indented as its keys are. */
function appendBlock(
  text: string,
  map: YAMLMap,
  entries: readonly [string, unknown][],
): Splice | EditFailure {
  const first = map.items[0];
  const last = map.items[map.items.length - 1];
  const start = (first?.key as Node | undefined)?.range?.[0];
  const end = ((last?.value ?? last?.key) as Node | undefined)?.range?.[1];
  if (start === undefined || end === undefined) return fail('unsupported', 'cannot add to an empty map');
  const lines = blockLines(columnOf(text, start), entries);
  return insertLinesAfter(text, lastLineOfNode(text, end), lines);
}

/** Removes one item of a block sequence: from its dash line to the end of its last line. */
function removeItem(text: string, seq: YAMLSeq, index: number): Splice | EditFailure {
  const item = seq.items[index] as Node | undefined;
  const start = item?.range?.[0];
  const end = item?.range?.[2] ?? item?.range?.[1];
  if (seq.flow === true || start === undefined || end === undefined)
    return fail('unsupported', 'the filters list is in flow style; remove the mirror by hand');
  return { start: lineStartOf(text, start), end: nextLineStart(text, lastLineOfNode(text, end)), insert: '' };
}

function targetRef(at: MirrorSite): Record<string, unknown> {
  const m = at.target.map;
  if (at.provider === 'istio') {
    const dest = m.get('destination', true);
    const host = isMap(dest) ? stringAt(dest as YAMLMap, 'host') : undefined;
    const subset = isMap(dest) ? stringAt(dest as YAMLMap, 'subset') : undefined;
    return { host: host ?? at.target.name, ...(subset !== undefined ? { subset } : {}) };
  }
  const ref: Record<string, unknown> = { name: stringAt(m, 'name') ?? at.target.name };
  const namespace = stringAt(m, 'namespace');
  if (namespace !== undefined) ref.namespace = namespace;
  const port = m.get('port');
  if (typeof port === 'number') ref.port = port;
  return ref;
}

/** Sets (or with 0 removes) the mirror of one route; only the mirror's lines and scalars change. */
export function setMirror(text: string, options: MirrorOptions): EditOutcome {
  const { percent } = options;
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    return fail('invalid-value', `mirror ${percent} is not a percentage from 0 to 100`);
  }
  const original = parseText(text);
  if (isFailure(original)) return original;
  const at = site(original, options);
  if (isFailure(at)) return at;
  const splices: Splice[] = [];
  const ops: SemanticOp[] = [];
  const descriptions: string[] = [];
  const add = (splice: Splice | EditFailure): EditFailure | undefined => {
    if (isFailure(splice)) return splice;
    splices.push(splice);
    return undefined;
  };
  const ref = targetRef(at);
  const label = at.split.label;
  const refName = String(ref.host ?? ref.name) + (ref.subset !== undefined ? `/${String(ref.subset)}` : '');

  if (at.provider === 'istio') {
    const mirrorPair = pairOf(at.map, 'mirror');
    const percentPair = pairOf(at.map, 'mirrorPercentage');
    const current = mirrorPair === undefined ? 0 : (numberAt(percentPair?.value, 'value') ?? 100);
    if (percent === 0) {
      for (const pair of [mirrorPair, percentPair]) {
        if (pair === undefined) continue;
        const problem = add(removePair(text, at.map, pair));
        if (problem) return problem;
        ops.push({
          op: 'delete',
          path: [...at.path, String((pair.key as { value?: unknown }).value ?? pair.key)],
        });
      }
      if (mirrorPair !== undefined)
        descriptions.push(`${label}: mirror to ${refName} ${current}% -> removed`);
    } else if (mirrorPair === undefined) {
      const problem = add(
        appendBlock(text, at.map, [
          ['mirror', ref],
          ['mirrorPercentage', { value: percent }],
        ]),
      );
      if (problem) return problem;
      // A stray mirrorPercentage without a mirror is replaced by the new one.
      if (percentPair !== undefined) {
        const removed = add(removePair(text, at.map, percentPair));
        if (removed) return removed;
        ops.push({ op: 'delete', path: [...at.path, 'mirrorPercentage'] });
      }
      ops.push(
        { op: 'set', path: [...at.path, 'mirror'], value: ref },
        { op: 'set', path: [...at.path, 'mirrorPercentage'], value: { value: percent } },
      );
      descriptions.push(`${label}: mirror to ${refName} (unset) -> ${percent}%`);
    } else {
      const mirror = mirrorPair.value;
      const host = isMap(mirror) ? (mirror as YAMLMap).get('host', true) : undefined;
      if (!isScalar(host)) return fail('unsupported', `${label}: mirror has no host to check`);
      if (host.value !== ref.host) {
        const splice = scalarSplice(host as Node, { value: String(ref.host), kind: 'string' }, false);
        const problem = add(splice);
        if (problem) return problem;
        ops.push({ op: 'set', path: [...at.path, 'mirror', 'host'], value: ref.host });
      }
      const valueNode = isMap(percentPair?.value)
        ? (percentPair?.value as YAMLMap).get('value', true)
        : undefined;
      if (percentPair === undefined) {
        const problem = add(
          addPairs(text, at.map, [{ key: 'mirrorPercentage', value: `{ value: ${render(percent)} }` }]),
        );
        if (problem) return problem;
        ops.push({ op: 'set', path: [...at.path, 'mirrorPercentage'], value: { value: percent } });
      } else if (!isScalar(valueNode)) {
        return fail('unsupported', `${label}: mirrorPercentage has no value to set`);
      } else if (valueNode.value !== percent) {
        const problem = add(
          scalarSplice(
            valueNode as Node,
            { value: render(percent), kind: 'number' },
            isMap(percentPair.value) && (percentPair.value as YAMLMap).flow === true,
          ),
        );
        if (problem) return problem;
        ops.push({ op: 'set', path: [...at.path, 'mirrorPercentage', 'value'], value: percent });
      }
      if (ops.length > 0) descriptions.push(`${label}: mirror to ${refName} ${current}% -> ${percent}%`);
    }
  } else {
    const { seq, found } = mirrorFilters(at.map);
    const current = found[0] === undefined ? 0 : gatewayPercent(found[0].map);
    if (percent === 0) {
      if (found.length > 0 && seq !== undefined) {
        if (found.length === seq.items.length) {
          const pair = pairOf(at.map, 'filters');
          if (pair === undefined) return fail('not-found', `${label}: filters not found`);
          const problem = add(removePair(text, at.map, pair));
          if (problem) return problem;
          ops.push({ op: 'delete', path: [...at.path, 'filters'] });
        } else {
          for (const { index } of [...found].reverse()) {
            const problem = add(removeItem(text, seq, index));
            if (problem) return problem;
            ops.push({ op: 'delete', path: [...at.path, 'filters', index] });
          }
        }
        descriptions.push(`${label}: mirror to ${refName} ${current}% -> removed`);
      }
    } else {
      const share = gatewayShare(percent);
      if (isFailure(share)) return share;
      const filter = {
        type: 'RequestMirror',
        requestMirror: { backendRef: ref, ...('percent' in share ? share : { fraction: share }) },
      };
      const existing = found[0];
      if (existing === undefined) {
        if (seq === undefined) {
          const problem = add(appendBlock(text, at.map, [['filters', [filter]]]));
          if (problem) return problem;
          ops.push({ op: 'set', path: [...at.path, 'filters'], value: [filter] });
        } else {
          const last = seq.items[seq.items.length - 1] as Node | undefined;
          const end = last?.range?.[1];
          const start = (seq as unknown as Node).range?.[0];
          if (seq.flow === true || end === undefined || start === undefined)
            return fail('unsupported', `${label}: filters is in flow style; add the mirror by hand`);
          const dash = columnOf(text, start);
          const lines = blockLines(dash + 2, Object.entries(filter)).map((l, i) =>
            i === 0 ? `${' '.repeat(dash)}- ${l.slice(dash + 2)}` : l,
          );
          const problem = add(insertLinesAfter(text, lastLineOfNode(text, end), lines));
          if (problem) return problem;
          ops.push({ op: 'set', path: [...at.path, 'filters', seq.items.length], value: filter });
        }
        descriptions.push(`${label}: mirror to ${refName} (unset) -> ${percent}%`);
      } else {
        const mirror = existing.map.get('requestMirror', true);
        if (!isMap(mirror))
          return fail('unsupported', `${label}: RequestMirror filter without requestMirror`);
        const m = mirror as YAMLMap;
        const base = [...at.path, 'filters', existing.index, 'requestMirror'];
        const percentPair = pairOf(m, 'percent');
        const fractionPair = pairOf(m, 'fraction');
        if ('percent' in share) {
          if (fractionPair !== undefined) {
            const problem = add(removePair(text, m, fractionPair));
            if (problem) return problem;
            ops.push({ op: 'delete', path: [...base, 'fraction'] });
          }
          if (percentPair !== undefined && isScalar(percentPair.value)) {
            if (percentPair.value.value !== share.percent) {
              const problem = add(
                scalarSplice(
                  percentPair.value as Node,
                  { value: render(share.percent), kind: 'number' },
                  m.flow === true,
                ),
              );
              if (problem) return problem;
              ops.push({ op: 'set', path: [...base, 'percent'], value: share.percent });
            }
          } else {
            const problem = add(addPairs(text, m, [{ key: 'percent', value: render(share.percent) }]));
            if (problem) return problem;
            ops.push({ op: 'set', path: [...base, 'percent'], value: share.percent });
          }
        } else if (
          percentPair !== undefined ||
          numberAt(fractionPair?.value, 'numerator') !== share.numerator ||
          (numberAt(fractionPair?.value, 'denominator') ?? 100) !== share.denominator
        ) {
          if (percentPair !== undefined) {
            const problem = add(removePair(text, m, percentPair));
            if (problem) return problem;
            ops.push({ op: 'delete', path: [...base, 'percent'] });
          }
          if (fractionPair !== undefined) {
            const problem = add(removePair(text, m, fractionPair));
            if (problem) return problem;
            ops.push({ op: 'delete', path: [...base, 'fraction'] });
          }
          const problem = add(appendBlock(text, m, [['fraction', share]]));
          if (problem) return problem;
          ops.push({ op: 'set', path: [...base, 'fraction'], value: share });
        }
        if (ops.length > 0) descriptions.push(`${label}: mirror to ${refName} ${current}% -> ${percent}%`);
      }
    }
  }
  if (splices.length === 0) return { ok: true, text, changed: false, descriptions: [] };
  const after = applySplices(text, splices);
  if (isFailure(after)) return after;
  const problem = verifyEdit(original, after, at.split.docIndex, ops);
  if (problem !== undefined) return problem;
  return { ok: true, text: after, changed: after !== text, descriptions };
}
