import type { Config } from '../config/schema.js';
import type { NextMove, RolloutAction } from '../core/rollout.js';
import type { RolloutPhase, RolloutState, ServiceState } from '../core/state.js';
import type { FileEdit } from '../core/types.js';

// A delivery strategy: one file under src/strategies/, registered in registry.ts. The engine
// (src/core/rollout.ts) holds the rules every strategy shares; a strategy says which files it
// reads, what the overlay shows, what comes next, how long it holds, and what an action writes.

export interface StrategyTarget {
  readonly config: Config;
  readonly environment: string;
  readonly service: string;
  /** Set for a feature-flag rollout: its name under `environments.<env>.flags` (then `service` holds it too). */
  readonly flag?: string;
}

/** What the overlay at the head shows for one rollout, or why it cannot be read. */
export type Observation =
  | {
      readonly ok: true;
      /** The service's own (stable) image entry. */
      readonly stable: string | undefined;
      /** The rollout workload's version (the canary image). */
      readonly candidate: string | undefined;
      /** The share of traffic the candidate gets now. */
      readonly weight: number | undefined;
      /**
       * Where the overlay disagrees with the rollout in ways only the strategy knows (a hand-edited
       * shadow mirror): drift, beside the engine's version and weight checks.
       */
      readonly drift?: readonly string[];
    }
  | { readonly ok: false; readonly reasonCode: string; readonly message: string };

/** One workload of a strategy that decides what serves users (blue-green: a colour). */
export interface ServingWorkload {
  /** How the strategy names it (`blue`, `green`). */
  readonly name: string;
  /** True for the workload that takes the traffic. */
  readonly live: boolean;
  readonly version: string | undefined;
  /** Its `replicas:` count in the overlay, when it has one. */
  readonly replicas: number | undefined;
}

/** What serves users in an environment, when the strategy's workloads decide it rather than the service's own image entry. */
export interface Serving {
  /** The version users get: the live workload's. */
  readonly version: string | undefined;
  readonly workloads: readonly ServingWorkload[];
}

/** A strategy's rollback: one switch commit, or a scale-up commit that starts a rollback rollout in `phase`. */
export type RollbackMove =
  | {
      readonly ok: true;
      readonly move: 'switch';
      readonly edits: readonly FileEdit[];
      readonly headline: string;
    }
  | {
      readonly ok: true;
      readonly move: 'scale-up';
      readonly edits: readonly FileEdit[];
      readonly headline: string;
      readonly phase: RolloutPhase;
    };

export type WriteOutcome =
  | { readonly ok: true; readonly edits: readonly FileEdit[] }
  | { readonly ok: false; readonly reasonCode: string; readonly message: string };

export interface Strategy {
  readonly kind: string;
  /** True when the environment rolls out with this strategy. */
  readonly appliesTo: (config: Config, environment: string) => boolean;
  /** Every repository path the strategy may read for the target (beside the state file). */
  readonly paths: (target: StrategyTarget) => readonly string[];
  /** `rollout` is the active rollout, when there is one (blue-green: which colour is the new one). */
  readonly observe: (
    target: StrategyTarget,
    files: Readonly<Record<string, string | undefined>>,
    rollout?: RolloutState,
  ) => Observation;
  /** The number of steps (for `Rollgate-Step: k/n`) and the first step of a new rollout. */
  readonly start: (target: StrategyTarget) => {
    readonly steps: number;
    readonly step: number;
    readonly weight: number;
  };
  /**
   * What serves users, for every reader of "the version of an environment" (status, `after:`,
   * bake, rollback): set by strategies whose live workload is not the service's own image entry
   * (blue-green: the live colour). Without it, the service's own image entry is what runs.
   */
  readonly serving?: (
    target: StrategyTarget,
    files: Readonly<Record<string, string | undefined>>,
  ) => Serving | { readonly message: string };
  readonly next: (target: StrategyTarget, rollout: RolloutState) => NextMove;
  readonly holdMs: (target: StrategyTarget, rollout: RolloutState) => number;
  /** The gates judged as analysis in the rollout's current phase. */
  readonly analysisGates: (target: StrategyTarget, rollout: RolloutState) => readonly string[];
  readonly analysisDelayMs: (target: StrategyTarget) => number;
  /** `rollout`: the active rollout (a rollback rollout of blue-green pauses rather than rolls back). */
  readonly onFailure: (target: StrategyTarget, rollout?: RolloutState) => 'rollback' | 'pause';
  /** False when the promotion itself makes the version stable (no verify; a blue-green rollback's switch). */
  readonly hasVerify: (target: StrategyTarget, rollout?: RolloutState) => boolean;
  /**
   * A plain `rollback` (no rollout active) in the strategy's own moves, when it has some: blue-green
   * switches back in one commit while the previous version's colour still runs, else scales that
   * colour up first (a rollout with `rollbackOf`, that a tick switches once `readiness` passes).
   * Undefined: the plain image rollback.
   */
  readonly rollbackTo?: (
    target: StrategyTarget,
    files: Readonly<Record<string, string | undefined>>,
    to: { readonly version: string; readonly stable: string | undefined },
  ) => RollbackMove | { readonly ok: false; readonly reasonCode: string; readonly message: string };
  /**
   * The strategy's own phase after an action (shadowing, previewing, switched, scaled-down), when it
   * differs from the engine's (progressing, promoted, verified...); undefined keeps the engine's.
   */
  readonly phaseAfter?: (
    target: StrategyTarget,
    action: RolloutAction,
    rollout: RolloutState | undefined,
  ) => RolloutPhase | undefined;
  /** True when the next move waits for an operator's `advance` (blue-green `autoPromote: false`). */
  readonly awaitsAdvance?: (target: StrategyTarget, rollout: RolloutState) => boolean;
  /** The rollout's weight after a promotion: 0 for a canary (the default), 100 for a blue-green switch. */
  readonly promotedWeight?: number;
  /** The strategy's own words for an action the engine decided, when the engine's would mislead. */
  readonly describe?: (
    target: StrategyTarget,
    action: RolloutAction,
    rollout: RolloutState | undefined,
  ) => string | undefined;
  /**
   * The commit's subject for an action, in the strategy's words (blue-green names the colours:
   * `switch production checkout to green (1.5.0)`); undefined keeps the engine's. `files` are the
   * files before the action; the trailers stay the engine's.
   */
  readonly headline?: (
    target: StrategyTarget,
    files: Readonly<Record<string, string | undefined>>,
    action: RolloutAction,
    before: {
      readonly rollout: RolloutState | undefined;
      readonly version: string;
      readonly stable: string | undefined;
    },
  ) => string | undefined;
  /** The overlay edits of an action, from the state before it (`version` is the rollout's version). */
  readonly write: (
    target: StrategyTarget,
    files: Readonly<Record<string, string | undefined>>,
    action: RolloutAction,
    before: {
      readonly state: ServiceState | undefined;
      readonly rollout: RolloutState | undefined;
      readonly version: string;
      readonly stable: string | undefined;
    },
  ) => WriteOutcome;
}
