import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import {
  addListKey,
  appendItem,
  applySplices,
  type EditFailure,
  fail,
  failureText,
  isFailure,
  type NewPair,
  parseText,
  type SemanticOp,
  type Splice,
  scalarSplice,
  verifyEdit,
} from '../cst-edit.js';
import { kustomizationDoc } from '../list-entry.js';
import { findSplits, providersFor, selectSplit, setWeight, type WeightOptions } from './set-weight.js';
import {
  computeWeights,
  describeWeight,
  pickCanary,
  type Split,
  weightSource,
  weightValue,
} from './split.js';

// Canary weight for a whole overlay folder. Where the weight already lives in a file of the overlay
// (a resource, a strategic-merge patch, or a JSON patch rollgate or a person wrote), that file is
// edited. Where none holds it, a minimal JSON patch (one `add` per weight) is written beside the
// kustomization and listed under `patches:` with its target, so the base stays untouched.

export interface OverlayInput {
  /** The overlay's kustomization file: its path (as edits report it) and text. */
  readonly kustomization: { readonly path: string; readonly text: string };
  /** Files of the overlay folder by the path the kustomization uses for them. */
  readonly files: Readonly<Record<string, string>>;
  /** Manifests the overlay builds on (its bases), by path: where the route itself is defined. */
  readonly bases: Readonly<Record<string, string>>;
}

export interface OverlayEdit {
  /** Overlay-relative path (the kustomization's own path for it). */
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string;
  readonly descriptions: readonly string[];
}

export type OverlayOutcome = { readonly ok: true; readonly edits: readonly OverlayEdit[] } | EditFailure;

interface Listed {
  readonly path: string;
  readonly target: { readonly kind?: string; readonly name?: string } | undefined;
}

/** The overlay files a kustomization lists: resources, patches and the older patch keys. */
function listedFiles(text: string): Listed[] | EditFailure {
  const parsed = parseText(text);
  if (isFailure(parsed)) return parsed;
  const found = kustomizationDoc(parsed);
  if (isFailure(found)) return found;
  const k = found.doc.toJS({ maxAliasCount: -1 }) as Record<string, unknown>;
  const out: Listed[] = [];
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  for (const path of [...strings(k.resources), ...strings(k.patchesStrategicMerge)])
    out.push({ path, target: undefined });
  for (const key of ['patches', 'patchesJson6902']) {
    const list = k[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (typeof entry !== 'object' || entry === null) continue;
      const e = entry as { path?: unknown; target?: unknown };
      if (typeof e.path === 'string') out.push({ path: e.path, target: targetOf(e.target) });
    }
  }
  return out;
}

/** A patch's `target`, keeping only the string fields: it comes from a file a person wrote. */
function targetOf(target: unknown): Listed['target'] {
  if (typeof target !== 'object' || target === null) return undefined;
  const { kind, name } = target as { kind?: unknown; name?: unknown };
  return { ...(typeof kind === 'string' ? { kind } : {}), ...(typeof name === 'string' ? { name } : {}) };
}

/** JSON pointer of a backend's weight, as a JSON patch names it. */
function pointer(path: readonly (string | number)[], key: string): string {
  return `/${[...path, key].map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

function isJsonPatch(text: string): boolean {
  const parsed = parseText(text);
  if (isFailure(parsed)) return false;
  const contents = parsed.docs[0]?.contents;
  return isSeq(contents) && contents.items.length > 0 && contents.items.every((i) => isMap(i) && i.has('op'));
}

/** The split a patch target refers to, found in the bases. */
function baseSplits(input: OverlayInput, options: WeightOptions): Split[] | EditFailure {
  const providers = providersFor(options);
  if (isFailure(providers)) return providers;
  const splits: Split[] = [];
  for (const [path, text] of Object.entries(input.bases)) {
    const parsed = parseText(text);
    if (isFailure(parsed)) return fail(parsed.code, failureText(path, parsed));
    splits.push(...findSplits(parsed, providers));
  }
  return splits;
}

/** Edits the `value` of each weight op of a JSON patch that targets `split`'s object. */
function editJsonPatch(
  path: string,
  text: string,
  split: Split,
  options: WeightOptions,
): OverlayOutcome | 'absent' {
  const parsed = parseText(text);
  if (isFailure(parsed)) return fail(parsed.code, failureText(path, parsed));
  const ops = parsed.docs[0]?.contents;
  if (!isSeq(ops)) return 'absent';
  const byPointer = new Map<string, { map: YAMLMap; index: number }>();
  ops.items.forEach((item, index) => {
    if (isMap(item) && typeof item.get('path') === 'string')
      byPointer.set(String(item.get('path')), { map: item, index });
  });
  const pointers = split.backends.map((b) => pointer(b.path, b.weightKey));
  const present = pointers.filter((p) => byPointer.has(p));
  if (present.length === 0) return 'absent';
  if (present.length < pointers.length) {
    const missing = pointers.filter((p) => !byPointer.has(p)).join(', ');
    return fail(
      'unsupported',
      `${path}: patches some weights of ${split.label} but not ${missing}; add ops for them`,
    );
  }
  // The patch's values are the weights in force.
  const current: Split = {
    ...split,
    backends: split.backends.map((b, i) => {
      const v = byPointer.get(pointers[i] as string)?.map.get('value');
      return { ...b, weight: Number(v) };
    }),
  };
  const canary = pickCanary(current, options.canaryBackend);
  if (isFailure(canary)) return canary;
  const weights = computeWeights(current, canary, options.percent);
  const splices: Splice[] = [];
  const semantic: SemanticOp[] = [];
  const descriptions: string[] = [];
  for (const [i, b] of current.backends.entries()) {
    const op = byPointer.get(pointers[i] as string);
    const w = weights.get(b);
    const node = op?.map.get('value', true) as Node | undefined;
    if (op === undefined || w === undefined || !isScalar(node)) continue;
    const value = weightValue(split, w);
    if (node.value === value) continue;
    const splice = scalarSplice(
      node,
      { value: String(w), kind: split.valueKind, quoted: split.valueKind === 'string' },
      op.map.flow === true,
    );
    if (isFailure(splice)) return splice;
    splices.push(splice);
    semantic.push({ op: 'set', path: [op.index, 'value'], value });
    descriptions.push(`${split.label}: ${b.name} weight ${b.weight} -> ${w} (patch ${path})`);
  }
  if (splices.length === 0) return { ok: true, edits: [] };
  const after = applySplices(text, splices);
  if (isFailure(after)) return after;
  const problem = verifyEdit(parsed, after, 0, semantic);
  if (problem !== undefined) return problem;
  return { ok: true, edits: [{ path, before: text, after, descriptions }] };
}

function newPatch(
  split: Split,
  options: WeightOptions,
  eol: string,
): { text: string; descriptions: string[] } | EditFailure {
  const canary = pickCanary(split, options.canaryBackend);
  if (isFailure(canary)) return canary;
  const weights = computeWeights(split, canary, options.percent);
  const lines = [`# Canary traffic for ${split.label}, kept by rollgate: edit the values, keep the paths.`];
  const descriptions: string[] = [];
  for (const b of split.backends) {
    const w = weights.get(b);
    if (w === undefined) continue;
    lines.push('- op: add', `  path: ${pointer(b.path, b.weightKey)}`, `  value: ${weightSource(split, w)}`);
    descriptions.push(describeWeight(split, b, w));
  }
  return { text: lines.join(eol) + eol, descriptions };
}

export function setOverlayWeight(input: OverlayInput, options: WeightOptions): OverlayOutcome {
  const listed = listedFiles(input.kustomization.text);
  if (isFailure(listed)) return fail(listed.code, failureText(input.kustomization.path, listed));
  const bases = baseSplits(input, options);
  if (isFailure(bases)) return bases;

  const candidates: OverlayOutcome[] = [];
  const holders: string[] = [];
  for (const file of listed) {
    const text = input.files[file.path];
    if (text === undefined) continue;
    if (isJsonPatch(text)) {
      const targets = bases.filter(
        (s) =>
          (file.target?.kind === undefined || s.object.kind === file.target.kind) &&
          (file.target?.name === undefined || s.object.name === file.target.name) &&
          (options.route === undefined || s.routes.includes(options.route)),
      );
      for (const split of targets) {
        const result = editJsonPatch(file.path, text, split, options);
        if (result === 'absent') continue;
        candidates.push(result);
        holders.push(file.path);
      }
      continue;
    }
    const result = setWeight(text, options);
    if (!result.ok && result.code === 'not-found') continue;
    if (!result.ok) return fail(result.code, failureText(file.path, result));
    candidates.push({
      ok: true,
      edits: result.changed
        ? [{ path: file.path, before: text, after: result.text, descriptions: result.descriptions }]
        : [],
    });
    holders.push(file.path);
  }
  const only = candidates[0];
  if (candidates.length > 1) {
    return fail(
      'ambiguous',
      `the weight is set in ${holders.join(' and ')}; pick one with --route or keep one`,
    );
  }
  if (only !== undefined) return only;

  // No file of the overlay holds the weight: patch the base's route from here.
  const split = selectSplit(bases, options.route);
  if (isFailure(split)) return split;
  const name = `rollgate-traffic-${split.object.name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.yaml`;
  if (input.files[name] !== undefined) {
    return fail(
      'unsupported',
      `${name} exists but is not listed under patches: of ${input.kustomization.path}; list it or remove it`,
    );
  }
  const k = input.kustomization.text;
  const eol = k.includes('\r\n') ? '\r\n' : '\n';
  const patch = newPatch(split, options, eol);
  if (isFailure(patch)) return patch;
  const parsed = parseText(k);
  if (isFailure(parsed)) return parsed;
  const found = kustomizationDoc(parsed);
  if (isFailure(found)) return found;
  const target = {
    ...(split.object.group === '' ? {} : { group: split.object.group }),
    kind: split.object.kind,
    name: split.object.name,
  };
  const flowTarget = `{${Object.entries(target)
    .map(([key, v]) => `${key}: ${v}`)
    .join(', ')}}`;
  const pairs: NewPair[] = [
    { key: 'path', value: name },
    { key: 'target', value: flowTarget },
  ];
  const list = found.doc.get('patches', true);
  if (list !== undefined && !isSeq(list))
    return fail('unsupported', `patches: of ${input.kustomization.path} is not a list`);
  const splice = isSeq(list) ? appendItem(k, list, pairs) : addListKey(k, found.doc, 'patches', pairs);
  if (isFailure(splice)) return splice;
  const after = applySplices(k, [splice]);
  if (isFailure(after)) return after;
  const item = { path: name, target };
  const problem = verifyEdit(
    parsed,
    after,
    found.index,
    isSeq(list)
      ? [{ op: 'set', path: ['patches', list.items.length], value: item }]
      : [{ op: 'set', path: ['patches'], value: [item] }],
  );
  if (problem !== undefined) return problem;
  return {
    ok: true,
    edits: [
      { path: name, before: undefined, after: patch.text, descriptions: patch.descriptions },
      {
        path: input.kustomization.path,
        before: k,
        after,
        descriptions: [`patches: add ${name} for ${split.label}`],
      },
    ],
  };
}
