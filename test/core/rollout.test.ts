import { describe, expect, it } from 'vitest';
import {
  type AnalysisJudgement,
  analysisOutcome,
  decideCommand,
  decideTick,
  type NextMove,
  type RolloutInput,
} from '../../src/core/rollout.js';
import type { RolloutState, ServiceState } from '../../src/core/state.js';
import type { Verdict } from '../../src/core/types.js';

// The engine's table: every (phase, outcome) pair gives exactly one action, as DESIGN.md says.

const START = '2026-12-01T10:00:00.000Z';
const HOLD = 30 * 60_000;
const inHold = new Date(Date.parse(START) + 10 * 60_000);
const afterHold = new Date(Date.parse(START) + 31 * 60_000);

function verdict(outcome: Verdict['outcome'], reasonCode: string): Verdict {
  return { gate: 'canary-errors', kind: 'metric', outcome, reasonCode, reason: reasonCode, details: {} };
}

function judged(...verdicts: Verdict[]): AnalysisJudgement {
  return {
    kind: 'judged',
    window: { from: new Date(START), to: afterHold },
    verdicts: verdicts.map((v) => ({ verdict: v, outcome: analysisOutcome(v) })),
  };
}

const PASS = judged(verdict('pass', 'metric.pass'));
const FAIL = judged(verdict('fail', 'metric.fail'));
const NO_DATA = judged(verdict('warn', 'metric.no-data'));
const ERROR = judged(verdict('fail', 'metric.error'));
const PENDING: AnalysisJudgement = { kind: 'pending', opensAt: new Date(Date.parse(START) + 60_000) };
const FROZEN: Verdict = {
  gate: 'weekend-freeze',
  kind: 'freeze',
  outcome: 'fail',
  reasonCode: 'freeze.active',
  reason: 'weekend',
  details: {},
  opensAt: '2026-12-07T07:00:00.000Z',
};

type Phase = 'progressing' | 'paused' | 'paused-after-promotion' | 'promoted';

function input(phase: Phase, over: Partial<RolloutInput> = {}): RolloutInput {
  const rollout: RolloutState = {
    strategy: 'canary',
    version: '1.5.0',
    phase: phase === 'paused-after-promotion' ? 'paused' : phase,
    step: 2,
    steps: 3,
    weight: 25,
    windowStart: START,
    startedAt: START,
    ...(phase === 'paused-after-promotion' ? { pausedFrom: 'promoted' as const } : {}),
    ...(phase === 'paused' ? { pausedFrom: 'progressing' as const } : {}),
  };
  const state: ServiceState = {
    schema_version: 1,
    environment: 'production',
    service: 'checkout',
    version: '1.4.0',
    landedAt: START,
    stable: '1.4.0',
    rollout,
  };
  const next: NextMove =
    phase === 'promoted' || phase === 'paused-after-promotion'
      ? { kind: 'verify' }
      : { kind: 'step', step: 3, weight: 50 };
  return {
    now: afterHold,
    state,
    rollout,
    drift: [],
    analysis: PASS,
    freeze: [],
    holdMs: HOLD,
    next,
    onFailure: 'rollback',
    ...over,
  };
}

const PHASES: readonly Phase[] = ['progressing', 'paused', 'paused-after-promotion', 'promoted'];

const OUTCOMES: readonly { name: string; over: Partial<RolloutInput>; expect: Record<Phase, string> }[] = [
  {
    name: 'hold over, analysis passes',
    over: {},
    expect: {
      progressing: 'step',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'verify',
    },
  },
  {
    name: 'inside the hold',
    over: { now: inHold },
    expect: {
      progressing: 'wait:hold',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'wait:hold',
    },
  },
  {
    name: 'analysis fails (onFailure rollback)',
    over: { now: inHold, analysis: FAIL },
    expect: {
      progressing: 'rollback',
      paused: 'rollback',
      'paused-after-promotion': 'rollback',
      promoted: 'rollback',
    },
  },
  {
    name: 'analysis fails (onFailure pause)',
    over: { now: inHold, analysis: FAIL, onFailure: 'pause' },
    expect: {
      progressing: 'pause:analysis.failed',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'pause:analysis.failed',
    },
  },
  {
    name: 'Prometheus error',
    over: { analysis: ERROR },
    expect: {
      progressing: 'wait:analysis.error',
      paused: 'wait:analysis.error',
      'paused-after-promotion': 'wait:analysis.error',
      promoted: 'wait:analysis.error',
    },
  },
  {
    name: 'no data inside the hold',
    over: { now: inHold, analysis: NO_DATA },
    expect: {
      progressing: 'wait:hold',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'wait:hold',
    },
  },
  {
    name: 'no data at the end of the hold',
    over: { analysis: NO_DATA },
    expect: {
      progressing: 'pause:analysis.no-data',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'pause:analysis.no-data',
    },
  },
  {
    name: 'analysis window not open yet',
    over: { analysis: PENDING },
    expect: {
      progressing: 'wait:analysis.pending',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'wait:analysis.pending',
    },
  },
  {
    name: 'frozen',
    over: { freeze: [FROZEN] },
    expect: {
      progressing: 'wait:frozen',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'verify',
    },
  },
  {
    name: 'frozen and analysis fails',
    over: { freeze: [FROZEN], analysis: FAIL },
    expect: {
      progressing: 'rollback',
      paused: 'rollback',
      'paused-after-promotion': 'rollback',
      promoted: 'rollback',
    },
  },
  {
    name: 'drift',
    over: { drift: ['canary weight is 40, state says 25'], analysis: FAIL },
    expect: {
      progressing: 'pause:drift',
      paused: 'wait:paused',
      'paused-after-promotion': 'wait:paused',
      promoted: 'pause:drift',
    },
  },
];

function label(action: { kind: string; reasonCode: string }): string {
  if (action.kind === 'wait' || action.kind === 'pause') return `${action.kind}:${action.reasonCode}`;
  return action.kind;
}

describe('decideTick: every (phase, outcome) pair', () => {
  for (const outcome of OUTCOMES) {
    for (const phase of PHASES) {
      it(`${phase} / ${outcome.name} -> ${outcome.expect[phase]}`, () => {
        expect(label(decideTick(input(phase, outcome.over)))).toBe(outcome.expect[phase]);
      });
    }
  }

  it('the last step promotes', () => {
    const action = decideTick(input('progressing', { next: { kind: 'promote' } }));
    expect(action.kind).toBe('promote');
  });

  it('a wait says when the next tick may act', () => {
    const hold = decideTick(input('progressing', { now: inHold }));
    expect(hold).toMatchObject({ kind: 'wait', nextEligibleAt: '2026-12-01T10:30:00.000Z' });
    const frozen = decideTick(input('progressing', { freeze: [FROZEN] }));
    expect(frozen).toMatchObject({ kind: 'wait', nextEligibleAt: FROZEN.opensAt });
  });
});

describe('decideCommand', () => {
  const table: {
    verb: 'advance' | 'pause' | 'resume' | 'abort';
    phase: Phase;
    over?: Partial<RolloutInput>;
    expect: string;
  }[] = [
    { verb: 'pause', phase: 'progressing', expect: 'pause:operator' },
    { verb: 'pause', phase: 'paused', expect: 'refused:already-paused' },
    { verb: 'resume', phase: 'paused', expect: 'resume' },
    { verb: 'resume', phase: 'progressing', expect: 'refused:not-paused' },
    { verb: 'resume', phase: 'paused', over: { drift: ['x'] }, expect: 'refused:drift' },
    { verb: 'abort', phase: 'progressing', expect: 'abort' },
    { verb: 'abort', phase: 'paused', expect: 'abort' },
    { verb: 'abort', phase: 'promoted', expect: 'abort' },
    { verb: 'advance', phase: 'progressing', over: { now: inHold }, expect: 'step' },
    { verb: 'advance', phase: 'promoted', over: { now: inHold }, expect: 'verify' },
    {
      verb: 'advance',
      phase: 'progressing',
      over: { now: inHold, freeze: [FROZEN] },
      expect: 'refused:frozen',
    },
    { verb: 'advance', phase: 'progressing', over: { now: inHold, analysis: FAIL }, expect: 'rollback' },
    {
      verb: 'advance',
      phase: 'progressing',
      over: { now: inHold, analysis: ERROR },
      expect: 'refused:analysis',
    },
    { verb: 'advance', phase: 'paused', expect: 'refused:not-paused' },
  ];
  for (const row of table) {
    it(`${row.verb} on ${row.phase}${row.over ? ` (${Object.keys(row.over).join(', ')})` : ''} -> ${row.expect}`, () => {
      const action = decideCommand(row.verb, input(row.phase, row.over));
      const text =
        action.kind === 'refused' || action.kind === 'pause'
          ? `${action.kind}:${action.reasonCode}`
          : action.kind;
      expect(text).toBe(row.expect);
    });
  }

  it('advance records that the hold was skipped', () => {
    expect(decideCommand('advance', input('progressing', { now: inHold }))).toMatchObject({
      kind: 'step',
      reasonCode: 'operator.advance',
    });
  });
});
