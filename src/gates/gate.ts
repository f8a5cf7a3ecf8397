import type { z } from 'zod';
import type { Facts, PromotionRequest, Verdict } from '../core/types.js';

/** What one gate evaluation can see: the request, the facts and the environment's place in the pipeline. */
export interface GateContext {
  readonly request: PromotionRequest;
  readonly facts: Facts;
  /** The environment named by `after`, if any. */
  readonly upstream?: string;
}

/**
 * A gate kind: one file under src/gates/ exporting its config schema and a pure evaluate function,
 * registered in registry.ts. Adding a kind touches that file and the table, nothing else.
 */
export interface GateKind<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly description: string;
  readonly schema: S;
  /** Checks that the schema cannot express (a cron that parses, a known time zone). Returns messages keyed by sub-path. */
  readonly check?: (
    config: z.output<S>,
  ) => readonly { path: readonly (string | number)[]; message: string }[];
  readonly evaluate: (name: string, config: z.output<S>, ctx: GateContext) => Verdict;
}

export function defineGate<S extends z.ZodType>(gate: GateKind<S>): GateKind<S> {
  return gate;
}

/**
 * A kind as the registry holds it, with its config type erased. Sound because the loader only ever
 * hands `evaluate` and `check` a config that `schema` itself parsed; this is the one place that cast lives.
 */
export function registered<S extends z.ZodType>(gate: GateKind<S>): GateKind {
  return gate as unknown as GateKind;
}
