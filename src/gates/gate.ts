import type { Facts, PromotionRequest, Verdict } from '../core/types.js';

/** What one gate evaluation can see: the request, the facts and the environment's place in the pipeline. */
export interface GateContext {
  readonly request: PromotionRequest;
  readonly facts: Facts;
  /** The environment named by `after`, if any. */
  readonly upstream?: string;
}

/**
 * A gate kind's behaviour: one file under src/gates/ exporting a pure evaluate function, registered
 * in registry.ts. Its config schema lives beside it in `<kind>-schema.ts`, registered in
 * schemas.ts: the behaviour loads no zod, so a run whose config is valid never loads it (the
 * loader checks configs against shapes generated from the schemas, src/config/shape.ts).
 */
export interface GateKind<C = unknown> {
  readonly kind: string;
  /** Checks that the schema cannot express (a cron that parses, a known time zone). Returns messages keyed by sub-path. */
  readonly check?: (config: C) => readonly { path: readonly (string | number)[]; message: string }[];
  readonly evaluate: (name: string, config: C, ctx: GateContext) => Verdict;
}

export function defineGate<C>(gate: GateKind<C>): GateKind<C> {
  return gate;
}

/**
 * A kind as the registry holds it, with its config type erased. Sound because the loader only ever
 * hands `evaluate` and `check` a config that the kind's schema (or the shape generated from it)
 * accepted; this is the one place that cast lives.
 */
export function registered<C>(gate: GateKind<C>): GateKind {
  return gate as unknown as GateKind;
}
