import type { GateContext } from '../gates/gate.js';
import { GATE_KINDS } from '../gates/registry.js';
import { evaluateSafely } from './decide.js';
import type { Verdict } from './types.js';

// How the rollout engine reads gate verdicts as a canary's analysis. A Verdict's outcome serves a
// promotion (fail blocks it); analysis needs two more answers, kept in the verdict as data:
//   error         details.error === true (metric.error, an slo whose queries Prometheus refused or
//                 never answered, a gate that threw): neither a step nor a rollback; reported.
//   inconclusive  details.inconclusive === true (metric.no-data with onNoData: inconclusive): pause.
//   fail          any other failing outcome: roll back (or pause with onFailure: pause).
//   pass          pass, warn or skip.

export type AnalysisOutcome = 'pass' | 'fail' | 'inconclusive' | 'error';

export function analysisOutcome(verdict: Verdict): AnalysisOutcome {
  if (verdict.details.error === true || verdict.reasonCode === 'gate.error') return 'error';
  if (verdict.details.inconclusive === true) return 'inconclusive';
  return verdict.outcome === 'fail' ? 'fail' : 'pass';
}

/** Which outcome wins when several analysis gates disagree: a failure seen in real data first. */
const PRECEDENCE: readonly AnalysisOutcome[] = ['fail', 'error', 'inconclusive', 'pass'];

export interface AnalysisReport {
  /** The rollout's analysis as one outcome (pass when there are no analysis gates). */
  readonly outcome: AnalysisOutcome;
  readonly verdicts: readonly (Verdict & { readonly analysis: AnalysisOutcome })[];
}

export interface AnalysisGate {
  readonly name: string;
  readonly kind: string;
  readonly config: unknown;
}

/**
 * Judges a rollout's analysis gates over what fetchAnalysisInputs (src/facts/fetchers.ts) stored
 * in ctx.facts.gateInputs, with ctx.facts.now at the window's end. Pure; a gate that throws or an
 * unknown kind is an error, never a pass.
 */
export function judgeAnalysis(gates: readonly AnalysisGate[], ctx: GateContext): AnalysisReport {
  const verdicts = gates.map((gate) => {
    const verdict = judgeOne(gate, ctx);
    return { ...verdict, analysis: analysisOutcome(verdict) };
  });
  const outcome = PRECEDENCE.find((o) => verdicts.some((v) => v.analysis === o)) ?? 'pass';
  return { outcome, verdicts };
}

function judgeOne(gate: AnalysisGate, ctx: GateContext): Verdict {
  const kind = GATE_KINDS[gate.kind];
  if (kind === undefined) {
    return {
      gate: gate.name,
      kind: gate.kind,
      outcome: 'fail',
      reasonCode: 'gate.unknown',
      reason: `no gate kind ${gate.kind}`,
      details: { error: true },
    };
  }
  return evaluateSafely(gate.name, kind.kind, () => kind.evaluate(gate.name, gate.config, ctx));
}
