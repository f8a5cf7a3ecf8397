import { holdsAfter, phaseAfter, type RolloutAction } from './rollout.js';
import {
  isPromotedPhase,
  type PausablePhase,
  phaseOf,
  type RolloutPhase,
  type RolloutState,
  type ServiceState,
} from './state.js';

// How a rollout action changes the state file (pure). The overlay edits come from the strategy;
// this is the other half of the same commit.

export interface TransitionContext {
  readonly environment: string;
  readonly service: string;
  readonly strategy: string;
  readonly now: Date;
  readonly hasVerify: boolean;
  /** The analysis figures of this tick, recorded with the action. */
  readonly analysis?: string;
  /** The strategy's own name for the phase after this action (shadowing, switched...), if it has one. */
  readonly phase?: RolloutPhase;
  /** The rollout's weight after a promotion (0 for a canary, 100 for a blue-green switch). */
  readonly promotedWeight?: number;
}

export interface StartContext extends TransitionContext {
  readonly version: string;
  /** The stable version: the state's, else what the stable workload runs now. */
  readonly stable: string;
  readonly steps: number;
  readonly overrides?: readonly string[];
  readonly source?: string;
}

const iso = (d: Date) => d.toISOString();

/** The state after a rollout starts (or restarts with a new version) at its first step. */
export function stateAtStart(
  before: ServiceState | undefined,
  action: Extract<RolloutAction, { kind: 'start' }>,
  ctx: StartContext,
): ServiceState {
  const rollout: RolloutState = {
    strategy: ctx.strategy,
    version: ctx.version,
    phase: ctx.phase ?? 'progressing',
    step: action.step,
    steps: ctx.steps,
    weight: action.weight,
    windowStart: iso(ctx.now),
    startedAt: iso(ctx.now),
    reason: action.reasonCode,
    ...(ctx.overrides !== undefined && ctx.overrides.length > 0 ? { overrides: [...ctx.overrides] } : {}),
    ...(ctx.source !== undefined ? { source: ctx.source } : {}),
  };
  const holds = (before?.holds ?? []).filter((h) => h.version !== ctx.version);
  return {
    schema_version: 1,
    environment: ctx.environment,
    service: ctx.service,
    version: before?.version ?? ctx.stable,
    landedAt: before?.landedAt ?? iso(ctx.now),
    stable: ctx.stable,
    rollout,
    ...(holds.length > 0 ? { holds } : {}),
  };
}

/** The state after a tick's or a command's action on an active rollout. */
export function stateAfter(
  before: ServiceState,
  rollout: RolloutState,
  action: Exclude<RolloutAction, { kind: 'wait' | 'start' }>,
  ctx: TransitionContext,
): ServiceState {
  const now = iso(ctx.now);
  const phase = ctx.phase ?? phaseAfter(action, rollout);
  const base: RolloutState = {
    strategy: rollout.strategy,
    version: rollout.version,
    phase,
    step: rollout.step,
    steps: rollout.steps,
    weight: rollout.weight,
    windowStart: rollout.windowStart,
    startedAt: rollout.startedAt,
    reason: action.reasonCode,
    ...(rollout.overrides !== undefined ? { overrides: rollout.overrides } : {}),
    ...(ctx.analysis !== undefined
      ? { analysis: ctx.analysis }
      : rollout.analysis !== undefined
        ? { analysis: rollout.analysis }
        : {}),
    ...(rollout.source !== undefined ? { source: rollout.source } : {}),
    ...(rollout.rollbackOf !== undefined ? { rollbackOf: rollout.rollbackOf } : {}),
  };
  const promotedBefore = isPromotedPhase(rollout.phase) || isPromotedPhase(rollout.pausedFrom);
  switch (action.kind) {
    case 'step':
      return { ...before, rollout: { ...base, step: action.step, weight: action.weight, windowStart: now } };
    case 'promote': {
      const stable = ctx.hasVerify ? before.stable : rollout.version;
      return {
        ...before,
        version: rollout.version,
        landedAt: now,
        ...(stable !== undefined ? { stable } : {}),
        rollout: { ...base, weight: ctx.promotedWeight ?? 0, windowStart: now },
      };
    }
    case 'verify':
      return { ...before, stable: rollout.version, rollout: base };
    case 'pause': {
      const current = phaseOf(rollout);
      const from: PausablePhase =
        current === 'promoted' ||
        current === 'shadowing' ||
        current === 'previewing' ||
        current === 'switched'
          ? current
          : 'progressing';
      return { ...before, rollout: { ...base, pausedFrom: from } };
    }
    case 'resume': {
      const { pausedFrom: _dropped, ...rest } = base;
      return { ...before, rollout: { ...rest, windowStart: now } };
    }
    case 'rollback':
    case 'abort': {
      const { pausedFrom: _dropped, ...rest } = base;
      // Giving up a rollback (its colour never got ready, or an abort) leaves users where they are:
      // the version it was going back to is not held, the one it rolled back from stays held.
      if (rollout.rollbackOf !== undefined && !promotedBefore) {
        return { ...before, rollout: { ...rest, weight: 0, windowStart: now } };
      }
      const restored = promotedBefore && before.stable !== undefined;
      return {
        ...before,
        ...(restored ? { version: before.stable as string, landedAt: now } : {}),
        rollout: { ...rest, weight: 0, windowStart: now },
        holds: holdsAfter(before.holds, rollout.version, ctx.now, action.reasonCode),
      };
    }
  }
}

/** The state of a service after a plain (all-at-once) promotion or rollback commit. */
export function stateAfterPromotion(
  before: ServiceState | undefined,
  ctx: {
    readonly environment: string;
    readonly service: string;
    readonly version: string;
    readonly now: Date;
    /** A rollback holds the version it leaves. */
    readonly hold?: { readonly version: string; readonly reason: string };
    /** A promote with --reason lifts a hold on its version. */
    readonly lift?: boolean;
  },
): ServiceState {
  const unchanged = before?.version === ctx.version;
  let holds = before?.holds ?? [];
  if (ctx.lift) holds = holds.filter((h) => h.version !== ctx.version);
  if (ctx.hold !== undefined) holds = holdsAfter(holds, ctx.hold.version, ctx.now, ctx.hold.reason);
  return {
    schema_version: 1,
    environment: ctx.environment,
    service: ctx.service,
    version: ctx.version,
    landedAt: unchanged && before !== undefined ? before.landedAt : iso(ctx.now),
    stable: ctx.version,
    ...(before?.rollout !== undefined ? { rollout: before.rollout } : {}),
    ...(holds.length > 0 ? { holds } : {}),
  };
}
