import type { Document, Node, YAMLMap } from 'yaml';
import { type EditFailure, fail } from '../cst-edit.js';

// What every traffic provider reports: the weighted splits a manifest holds. The shared code in
// set-weight.ts picks one, computes the new weights and writes them; a provider only finds them.

export interface Backend {
  /** How a person names this backend: a Service name, `host/subset`, an Ingress name. */
  readonly name: string;
  /** Other names that select it with --canary-backend (e.g. an Istio subset alone). */
  readonly aliases: readonly string[];
  /** The map holding the weight, where a missing weight is added. */
  readonly map: YAMLMap;
  /** Path from the document root to `map`. */
  readonly path: readonly (string | number)[];
  readonly weightKey: string;
  /** The weight's node, absent when the backend has no weight yet. */
  readonly weightNode: Node | undefined;
  /** The weight as a number (a missing weight counts as the provider's default). */
  readonly weight: number;
}

/** The Kubernetes object a split lives in. */
export interface ObjectRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export interface Split {
  readonly object: ObjectRef;
  /** Names that select this split with --route: the object's name and the rule's name, if any. */
  readonly routes: readonly string[];
  /** A readable label for messages: `HTTPRoute checkout rule 0`. */
  readonly label: string;
  readonly docIndex: number;
  readonly backends: readonly Backend[];
  /**
   * `pair`: weights shared between backends (sum kept at 100 for two). `single`: one number is the
   * canary's share (ingress-nginx canary-weight), written as `valueKind`.
   */
  readonly mode: 'pair' | 'single';
  readonly valueKind: 'number' | 'string';
}

export interface TrafficProvider {
  readonly kind: string;
  readonly description: string;
  /** True when this provider understands the document (by apiVersion and kind). */
  readonly matches: (doc: Document.Parsed) => boolean;
  readonly splits: (doc: Document.Parsed, docIndex: number) => Split[];
}

/** Chooses the canary backend: --canary-backend, else the one whose name says canary, else the later of two. */
export function pickCanary(split: Split, canaryBackend: string | undefined): Backend | EditFailure {
  const names = split.backends.map((b) => b.name).join(', ');
  if (canaryBackend !== undefined) {
    const found = split.backends.filter((b) => b.name === canaryBackend || b.aliases.includes(canaryBackend));
    if (found.length === 1 && found[0] !== undefined) return found[0];
    if (found.length > 1) {
      return fail(
        'ambiguous',
        `--canary-backend ${canaryBackend} matches ${found.length} backends of ${split.label}: ${names}`,
      );
    }
    return fail('not-found', `${split.label} has no backend ${canaryBackend}; backends: ${names}`);
  }
  if (split.backends.length === 1 && split.backends[0] !== undefined) return split.backends[0];
  const canaries = split.backends.filter((b) => /canary/i.test(b.name));
  if (canaries.length === 1 && canaries[0] !== undefined) return canaries[0];
  const last = split.backends[1];
  if (split.backends.length === 2 && last !== undefined) return last;
  return fail(
    'ambiguous',
    `${split.label} has ${split.backends.length} backends (${names}); say which is the canary with --canary-backend`,
  );
}

/**
 * New weights: the canary takes `percent`; the others share the rest in proportion to their current
 * weights (equally when all are zero), rounded so the total stays 100.
 */
export function computeWeights(split: Split, canary: Backend, percent: number): Map<Backend, number> {
  const result = new Map<Backend, number>([[canary, percent]]);
  const others = split.backends.filter((b) => b !== canary);
  if (others.length === 0) return result;
  const rest = 100 - percent;
  const total = others.reduce((sum, b) => sum + Math.max(b.weight, 0), 0);
  const shares = others.map((b) =>
    total === 0 ? rest / others.length : (rest * Math.max(b.weight, 0)) / total,
  );
  const floors = shares.map(Math.floor);
  let left = rest - floors.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left -= 1;
  }
  others.forEach((b, i) => result.set(b, floors[i] ?? 0));
  return result;
}

/** A weight as the split writes it: a number, or a string where the field is an annotation. */
export function weightValue(split: Split, weight: number): number | string {
  return split.valueKind === 'string' ? String(weight) : weight;
}

/** The same as YAML source for a new line: a string weight is quoted so it reads back as a string. */
export function weightSource(split: Split, weight: number): string {
  return split.valueKind === 'string' ? JSON.stringify(String(weight)) : String(weight);
}

/** The commit-message fragment for one backend's new weight. */
export function describeWeight(split: Split, backend: Backend, weight: number): string {
  const before = backend.weightNode === undefined ? '(unset)' : backend.weight;
  return `${split.label}: ${backend.name} weight ${before} -> ${weight}`;
}
