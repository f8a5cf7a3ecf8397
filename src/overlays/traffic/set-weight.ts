import {
  addPairs,
  applySplices,
  type EditFailure,
  type EditOutcome,
  fail,
  isFailure,
  type ParsedText,
  parseText,
  type SemanticOp,
  type Splice,
  scalarSplice,
  verifyEdit,
} from '../cst-edit.js';
import { parsePath, pathProvider } from './path.js';
import { TRAFFIC_PROVIDERS } from './registry.js';
import {
  type Backend,
  computeWeights,
  describeWeight,
  pickCanary,
  type Split,
  type TrafficProvider,
  weightSource,
  weightValue,
} from './split.js';

// `rollgate edit weight`: find the one weighted split the options point at, give the canary its
// percentage and the others the rest, and write only those numbers.

export interface WeightOptions {
  readonly percent: number;
  /** Selects a split by object name or rule/route name. */
  readonly route?: string;
  /** Selects the YAML document (1 for the first) when several objects share a name. */
  readonly document?: number;
  readonly canaryBackend?: string;
  /** Restricts to one provider kind (gateway-api, istio, ingress-nginx, smi, path). */
  readonly kind?: string;
  /** For kind `path`: the YAML path of the scalar to set. */
  readonly path?: string;
}

export function providersFor(options: WeightOptions): readonly TrafficProvider[] | EditFailure {
  if (options.path !== undefined) {
    const path = parsePath(options.path);
    if (isFailure(path)) return path;
    return [pathProvider(path)];
  }
  if (options.kind === 'path') return fail('invalid-spec', 'kind path needs --path <yaml.path>');
  if (options.kind === undefined) return TRAFFIC_PROVIDERS;
  const chosen = TRAFFIC_PROVIDERS.filter((p) => p.kind === options.kind);
  if (chosen.length === 0) {
    const kinds = [...TRAFFIC_PROVIDERS.map((p) => p.kind), 'path'].join(', ');
    return fail('invalid-spec', `traffic kind ${JSON.stringify(options.kind)} is unknown; kinds: ${kinds}`);
  }
  return chosen;
}

/** Every split the providers find in the file, in document order. */
export function findSplits(parsed: ParsedText, providers: readonly TrafficProvider[]): Split[] {
  return parsed.docs.flatMap((doc, index) =>
    providers.filter((p) => p.matches(doc)).flatMap((p) => p.splits(doc, index)),
  );
}

export function selectSplit(
  splits: readonly Split[],
  route: string | undefined,
  document?: number,
): Split | EditFailure {
  const labels = splits.map((s) => s.label).join('; ') || '(none)';
  const named = route === undefined ? splits : splits.filter((s) => s.routes.includes(route));
  const candidates = document === undefined ? named : named.filter((s) => s.docIndex + 1 === document);
  if (document !== undefined && candidates.length === 0 && named.length > 0) {
    return fail(
      'not-found',
      `no traffic split${route === undefined ? '' : ` named ${route}`} in document ${document}; it is in ${named.map((s) => `document ${s.docIndex + 1}`).join(', ')}`,
    );
  }
  const only = candidates[0];
  if (candidates.length === 1 && only !== undefined) return only;
  if (candidates.length === 0) {
    return fail(
      'not-found',
      route === undefined
        ? 'no weighted traffic split found in the file (looked for Gateway API routes, Istio VirtualServices, ingress-nginx canary Ingresses, SMI TrafficSplits); use --path for anything else'
        : `no traffic split named ${route}; splits in the file: ${labels}`,
    );
  }
  // Objects of one name in several documents cannot be told apart by name: offer the position.
  const docs = new Set(candidates.map((s) => s.docIndex));
  const sameName = route !== undefined || new Set(candidates.map((s) => s.label)).size < candidates.length;
  const byDocument = docs.size === candidates.length && sameName;
  return fail(
    'ambiguous',
    `${candidates.length} traffic splits match${route === undefined ? '' : ` ${route}`}: ${candidates.map((s) => `${s.label} (document ${s.docIndex + 1})`).join('; ')}; ${
      byDocument
        ? `they share a name, so pick one by its position with --document N (1 for the file's first document)`
        : 'pick one with --route (a rule or route name), or --document N for the YAML document it is in'
    }`,
  );
}

export function setWeight(text: string, options: WeightOptions): EditOutcome {
  const { percent } = options;
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    return fail('invalid-value', `weight ${percent} is not a whole percentage from 0 to 100`);
  }
  const providers = providersFor(options);
  if (isFailure(providers)) return providers;
  const original = parseText(text);
  if (isFailure(original)) return original;
  const split = selectSplit(findSplits(original, providers), options.route, options.document);
  if (isFailure(split)) return split;
  const canary = pickCanary(split, options.canaryBackend);
  if (isFailure(canary)) return canary;
  const weights = computeWeights(split, canary, percent);
  const byIndex = split.backends.map((b) => weights.get(b));

  const ops: SemanticOp[] = [];
  const descriptions: string[] = [];
  split.backends.forEach((b, i) => {
    const w = byIndex[i];
    if (w === undefined || (b.weightNode !== undefined && String(b.weight) === String(w) && typeOk(split, b)))
      return;
    ops.push({ op: 'set', path: [...b.path, b.weightKey], value: weightValue(split, w) });
    descriptions.push(describeWeight(split, b, w));
  });
  if (ops.length === 0) return { ok: true, text, changed: false, descriptions: [] };

  // Every weight is worked out on this one parse: numbers rewritten through their CST tokens,
  // missing weights added as lines; then the result is parsed again and checked.
  const splices: Splice[] = [];
  for (const [i, b] of split.backends.entries()) {
    const w = byIndex[i];
    if (w === undefined) continue;
    if (b.weightNode === undefined) {
      const splice = addPairs(text, b.map, [{ key: b.weightKey, value: weightSource(split, w) }]);
      if (isFailure(splice)) return splice;
      splices.push(splice);
    } else if (String(b.weight) !== String(w) || !typeOk(split, b)) {
      const write = {
        value: String(w),
        kind: split.valueKind,
        quoted: split.valueKind === 'string',
      } as const;
      const splice = scalarSplice(b.weightNode, write, b.map.flow === true);
      if (isFailure(splice)) return splice;
      splices.push(splice);
    }
  }
  const current = applySplices(text, splices);
  if (isFailure(current)) return current;
  const problem = verifyEdit(original, current, split.docIndex, ops);
  if (problem !== undefined) return problem;
  return { ok: true, text: current, changed: current !== text, descriptions };
}

/** A weight already equal in value may still have the wrong type (an annotation written as a number). */
function typeOk(split: Split, b: Backend): boolean {
  const node = b.weightNode as { value?: unknown } | undefined;
  const value = node?.value;
  return split.valueKind === 'string' ? typeof value === 'string' : typeof value === 'number';
}
