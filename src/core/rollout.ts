import { formatDuration } from './duration.js';
import type { Hold, RolloutPhase, RolloutState, ServiceState } from './state.js';
import type { FileEdit, Verdict } from './types.js';

// The rollout engine (pure): one function of (state, what the overlay shows, analysis verdicts,
// freeze verdicts, clock) giving exactly one action per rollout and tick. A strategy
// (src/strategies/*) says what "the next step" is, how long each step holds and which files an
// action edits; the rules every strategy shares (drift pauses, failed analysis rolls back, a
// Prometheus error decides nothing, a freeze waits, a hold is a minimum) live here, once.

export type AnalysisOutcome = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface AnalysisVerdict {
  readonly verdict: Verdict;
  readonly outcome: AnalysisOutcome;
}

/** Analysis over the current window: not yet open (the delay after a step), or judged. */
export type AnalysisJudgement =
  | { readonly kind: 'none' }
  | { readonly kind: 'pending'; readonly opensAt: Date }
  | {
      readonly kind: 'judged';
      readonly window: { readonly from: Date; readonly to: Date };
      readonly verdicts: readonly AnalysisVerdict[];
    };

/** What a strategy does next once the hold is over and nothing stands in the way. */
export type NextMove =
  | { readonly kind: 'step'; readonly step: number; readonly weight: number }
  | { readonly kind: 'promote' }
  | { readonly kind: 'verify' };

export type WaitReason =
  | 'hold'
  | 'frozen'
  | 'paused'
  | 'analysis.pending'
  | 'analysis.error'
  | 'analysis.no-data-yet'
  | 'awaiting-advance';

export type RolloutAction =
  | {
      readonly kind: 'wait';
      readonly reasonCode: WaitReason;
      readonly message: string;
      /** The earliest time the next tick may act (end of hold, end of freeze, window opening). */
      readonly nextEligibleAt?: string;
    }
  | {
      readonly kind: 'start';
      readonly reasonCode: 'promote';
      readonly message: string;
      readonly step: number;
      readonly weight: number;
    }
  | {
      readonly kind: 'step';
      readonly reasonCode: 'hold.done' | 'operator.advance';
      readonly message: string;
      readonly step: number;
      readonly weight: number;
    }
  | {
      readonly kind: 'promote';
      readonly reasonCode: 'hold.done' | 'operator.advance';
      readonly message: string;
    }
  | {
      readonly kind: 'verify';
      readonly reasonCode: 'verify.done' | 'operator.advance';
      readonly message: string;
    }
  | {
      readonly kind: 'pause';
      readonly reasonCode: 'drift' | 'analysis.no-data' | 'analysis.failed' | 'operator';
      readonly message: string;
    }
  | { readonly kind: 'resume'; readonly reasonCode: 'operator'; readonly message: string }
  | { readonly kind: 'rollback'; readonly reasonCode: 'analysis.failed'; readonly message: string }
  | { readonly kind: 'abort'; readonly reasonCode: 'operator'; readonly message: string };

export type RolloutActionKind = RolloutAction['kind'];

/** A command that cannot act on the rollout as it stands (exit 1 of the CLI verbs). */
export interface Refusal {
  readonly kind: 'refused';
  readonly reasonCode:
    'not-active' | 'not-paused' | 'already-paused' | 'drift' | 'frozen' | 'analysis' | 'hold';
  readonly message: string;
  readonly nextEligibleAt?: string;
}

export interface RolloutInput {
  readonly now: Date;
  readonly state: ServiceState;
  readonly rollout: RolloutState;
  /** Where the overlay at the head disagrees with the state (empty when it agrees). */
  readonly drift: readonly string[];
  readonly analysis: AnalysisJudgement;
  /** Freeze gates judged now, with the rollout's recorded overrides applied. */
  readonly freeze: readonly Verdict[];
  /** How long the current step (or verify) holds, from rollout.windowStart. */
  readonly holdMs: number;
  /** The move after the hold: the next step, the promotion, or the verification. */
  readonly next: NextMove;
  /** `advance`: the rest of the hold is skipped (freeze and analysis still apply). */
  readonly advance?: boolean;
  readonly onFailure: 'rollback' | 'pause';
  /** The next move waits for an operator's `advance` (blue-green `autoPromote: false`). */
  readonly awaitAdvance?: boolean;
}

/**
 * Classifies a gate verdict judged as analysis (docs/gates.md#metric): `*.error` or `details.error`
 * (Prometheus could not answer) decides nothing; a failure rolls back; no data that the gate did
 * not turn into a pass (`onNoData: pass`) is inconclusive, as is `details.inconclusive`.
 */
export function analysisOutcome(verdict: Verdict): AnalysisOutcome {
  if (/\.error$/.test(verdict.reasonCode) || verdict.details.error === true) return 'error';
  if (verdict.outcome === 'fail') return 'fail';
  if (verdict.outcome === 'pass') return 'pass';
  if (verdict.details.inconclusive === true || /\.(no-data|inconclusive)$/.test(verdict.reasonCode))
    return 'inconclusive';
  return 'pass';
}

/** One line of figures for the trailer, the state file and status: `canary-errors=pass (metric.pass)`. */
export function analysisSummary(analysis: AnalysisJudgement): string | undefined {
  if (analysis.kind !== 'judged' || analysis.verdicts.length === 0) return undefined;
  return analysis.verdicts
    .map(({ verdict, outcome }) => {
      const counts = countsOf(verdict.details);
      return `${verdict.gate}=${outcome}${counts ? ` (${counts})` : ` (${verdict.reasonCode})`}`;
    })
    .join(', ');
}

/** A metric verdict's `details.counts` ({ successful, failed, inconclusive, error }), as a phrase. */
function countsOf(details: Readonly<Record<string, unknown>>): string | undefined {
  const counts = details.counts;
  if (typeof counts !== 'object' || counts === null) return undefined;
  const keys = ['successful', 'failed', 'inconclusive', 'error'] as const;
  const parts = keys.flatMap((k) => {
    const n: unknown = k in counts ? Reflect.get(counts, k) : undefined;
    return typeof n === 'number' ? [`${k} ${n}`] : [];
  });
  return parts.length > 0 ? parts.join(', ') : undefined;
}

const at = (d: Date) => d.toISOString();

/** The tick: exactly one action for an active rollout. */
export function decideTick(input: RolloutInput): RolloutAction {
  const { rollout, now } = input;
  const paused = rollout.phase === 'paused';
  // 1. The overlay wins: a hand edit or a revert pauses the rollout and nothing is overwritten.
  if (input.drift.length > 0) {
    const what = input.drift.join('; ');
    return paused
      ? {
          kind: 'wait',
          reasonCode: 'paused',
          message: `paused (${rollout.reason ?? 'operator'}); the overlay differs from the state: ${what}`,
        }
      : {
          kind: 'pause',
          reasonCode: 'drift',
          message: `the overlay differs from the state: ${what}; pausing, nothing overwritten`,
        };
  }
  // 2. Analysis judges at every tick, even inside the hold and while paused.
  const verdicts = input.analysis.kind === 'judged' ? input.analysis.verdicts : [];
  const failed = verdicts.filter((v) => v.outcome === 'fail');
  if (failed.length > 0) {
    const reasons = failed.map((v) => `${v.verdict.gate}: ${v.verdict.reason}`).join('; ');
    if (input.onFailure === 'rollback') {
      return {
        kind: 'rollback',
        reasonCode: 'analysis.failed',
        message: `analysis failed (${reasons}): rolling back`,
      };
    }
    if (!paused)
      return {
        kind: 'pause',
        reasonCode: 'analysis.failed',
        message: `analysis failed (${reasons}): pausing (onFailure: pause)`,
      };
  }
  const errors = verdicts.filter((v) => v.outcome === 'error');
  if (errors.length > 0) {
    return {
      kind: 'wait',
      reasonCode: 'analysis.error',
      message: `analysis could not be judged (${errors.map((v) => `${v.verdict.gate}: ${v.verdict.reason}`).join('; ')}): no step, no rollback`,
    };
  }
  if (paused) {
    return {
      kind: 'wait',
      reasonCode: 'paused',
      message: `paused (${rollout.reason ?? 'operator'}): resume to go on, abort to roll back`,
    };
  }
  // 3. The hold is a minimum.
  const holdEnds = new Date(Date.parse(rollout.windowStart) + input.holdMs);
  if (!input.advance && now < holdEnds) {
    return {
      kind: 'wait',
      reasonCode: 'hold',
      message: `holding step ${rollout.step}/${rollout.steps} at ${rollout.weight}%: ${formatDuration(holdEnds.getTime() - now.getTime())} left`,
      nextEligibleAt: at(holdEnds),
    };
  }
  // 4. At the end of the hold, analysis must have something to say.
  if (input.analysis.kind === 'pending' && !input.advance) {
    return {
      kind: 'wait',
      reasonCode: 'analysis.pending',
      message: `the analysis window opens at ${at(input.analysis.opensAt)}`,
      nextEligibleAt: at(input.analysis.opensAt),
    };
  }
  const inconclusive = verdicts.filter((v) => v.outcome === 'inconclusive');
  if (inconclusive.length > 0) {
    return {
      kind: 'pause',
      reasonCode: 'analysis.no-data',
      message: `no data at the end of the hold (${inconclusive.map((v) => `${v.verdict.gate}: ${v.verdict.reason}`).join('; ')}): pausing`,
    };
  }
  if (input.awaitAdvance && !input.advance) {
    return {
      kind: 'wait',
      reasonCode: 'awaiting-advance',
      message: `ready for the next move (${input.next.kind}); it waits for /advance (rollgate advance)`,
    };
  }
  const reasonCode = input.advance && now < holdEnds ? 'operator.advance' : 'hold.done';
  const next = input.next;
  if (next.kind === 'verify') {
    return {
      kind: 'verify',
      reasonCode: reasonCode === 'hold.done' ? 'verify.done' : 'operator.advance',
      message: `verified ${rollout.version}: it is the stable version now`,
    };
  }
  // 5. Freeze gates guard every step and the promotion (never a verify, a rollback or an abort).
  const frozen = input.freeze.filter((v) => v.outcome === 'fail');
  if (frozen.length > 0) {
    const opens = frozen
      .map((v) => v.opensAt)
      .filter((t): t is string => t !== undefined)
      .sort();
    const until = opens[opens.length - 1];
    return {
      kind: 'wait',
      reasonCode: 'frozen',
      message: `frozen (${frozen.map((v) => `${v.gate}: ${v.reason}`).join('; ')})${until ? ` until ${until}` : ''}; the hold and the analysis go on`,
      ...(until !== undefined ? { nextEligibleAt: until } : {}),
    };
  }
  if (next.kind === 'step') {
    return {
      kind: 'step',
      reasonCode,
      step: next.step,
      weight: next.weight,
      message: `step ${next.step}/${rollout.steps}: canary weight ${rollout.weight}% -> ${next.weight}%`,
    };
  }
  return {
    kind: 'promote',
    reasonCode,
    message: `promoting ${rollout.version}: stable image := ${rollout.version}, canary weight 0`,
  };
}

export type RolloutVerb = 'advance' | 'pause' | 'resume' | 'abort';

/** An operator's command on an active rollout: the action it takes, or why it cannot. */
export function decideCommand(verb: RolloutVerb, input: RolloutInput): RolloutAction | Refusal {
  const { rollout } = input;
  const paused = rollout.phase === 'paused';
  switch (verb) {
    case 'pause':
      return paused
        ? {
            kind: 'refused',
            reasonCode: 'already-paused',
            message: `the rollout of ${rollout.version} is already paused (${rollout.reason ?? 'operator'})`,
          }
        : {
            kind: 'pause',
            reasonCode: 'operator',
            message: `paused by an operator at step ${rollout.step}/${rollout.steps} (${rollout.weight}%); analysis still rolls back`,
          };
    case 'resume':
      if (!paused)
        return {
          kind: 'refused',
          reasonCode: 'not-paused',
          message: `the rollout of ${rollout.version} is not paused (${rollout.phase})`,
        };
      if (input.drift.length > 0) {
        return {
          kind: 'refused',
          reasonCode: 'drift',
          message: `the overlay still differs from the state (${input.drift.join('; ')}): put it back as the state says, or abort`,
        };
      }
      return {
        kind: 'resume',
        reasonCode: 'operator',
        message: `resumed at step ${rollout.step}/${rollout.steps} (${rollout.weight}%): a fresh window and hold start`,
      };
    case 'abort':
      return {
        kind: 'abort',
        reasonCode: 'operator',
        message: `aborted: back to ${input.state.stable ?? 'the stable version'}, ${rollout.version} held`,
      };
    case 'advance': {
      if (paused)
        return {
          kind: 'refused',
          reasonCode: 'not-paused',
          message: `the rollout of ${rollout.version} is paused: resume it first`,
        };
      const action = decideTick({ ...input, advance: true });
      if (action.kind !== 'wait') return action;
      const reasonCode =
        action.reasonCode === 'frozen' ? 'frozen' : action.reasonCode === 'hold' ? 'hold' : 'analysis';
      return {
        kind: 'refused',
        reasonCode,
        message: action.message,
        ...(action.nextEligibleAt ? { nextEligibleAt: action.nextEligibleAt } : {}),
      };
    }
  }
}

/** The Rollgate-Phase a rollout is in after an action. */
export function phaseAfter(action: RolloutAction, rollout: RolloutState | undefined): RolloutPhase {
  switch (action.kind) {
    case 'start':
    case 'step':
      return 'progressing';
    case 'resume':
      return rollout?.pausedFrom ?? 'progressing';
    case 'pause':
      return 'paused';
    case 'promote':
      return 'promoted';
    case 'verify':
      return 'verified';
    case 'rollback':
      return 'rolled-back';
    case 'abort':
      return 'aborted';
    case 'wait':
      return rollout?.phase ?? 'progressing';
  }
}

/** The holds after an action: a rollback or abort holds the version it took back. */
export function holdsAfter(
  holds: readonly Hold[] | undefined,
  version: string,
  now: Date,
  reason: string,
): Hold[] {
  return [...(holds ?? []).filter((h) => h.version !== version), { version, at: at(now), reason }];
}

/** What a rollout action writes: the overlay edits (by the strategy) and the new state. */
export interface RolloutWrite {
  readonly edits: readonly FileEdit[];
  readonly state: ServiceState;
}
