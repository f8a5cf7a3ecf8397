import type { CheckFact, Verdict } from '../core/types.js';
import type { ChecksConfig } from './checks-schema.js';
import { defineGate } from './gate.js';

type State = 'green' | 'pending' | 'red';

// Neutral and skipped conclusions are GitHub's own "did not fail" (branch protection accepts them).
const GREEN_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);

export function stateOf(check: CheckFact): State {
  if (check.source === 'status') {
    if (check.status === 'success') return 'green';
    return check.status === 'pending' ? 'pending' : 'red';
  }
  if (check.status !== 'completed') return 'pending';
  return GREEN_CONCLUSIONS.has(check.conclusion ?? '') ? 'green' : 'red';
}

const RANK: Record<State, number> = { green: 0, pending: 1, red: 2 };

export const checksGate = defineGate<ChecksConfig>({
  kind: 'checks',
  check(config) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    config.required?.forEach((name, i) => {
      if (config.ignore?.includes(name))
        problems.push({
          path: ['required', i],
          message: `"${name}" is both required and ignored: keep it in one list`,
        });
    });
    return problems;
  },
  evaluate(name, config, ctx): Verdict {
    const base = { gate: name, kind: 'checks' } as const;
    const facts = ctx.facts.checks;
    if (facts === undefined) {
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'checks.unknown',
        reason:
          'no check results are known for the promoted commit (the CLI cannot read them): promote from the Action, or drop the gate for this environment',
        details: {},
      };
    }
    const ignored = new Set(config.ignore ?? []);
    // A name reported twice (a re-run, or a check run and a status of the same name): the worst counts.
    const byName = new Map<string, State>();
    for (const check of facts) {
      if (ignored.has(check.name)) continue;
      const state = stateOf(check);
      const seen = byName.get(check.name);
      if (seen === undefined || RANK[state] > RANK[seen]) byName.set(check.name, state);
    }
    const names = config.required ?? [...byName.keys()].sort();
    const states = Object.fromEntries(names.map((n) => [n, byName.get(n) ?? 'missing']));
    const red = names.filter((n) => states[n] === 'red');
    const pending = names.filter((n) => states[n] === 'pending');
    const missing = names.filter((n) => states[n] === 'missing');
    const details = { checks: states, ignored: [...ignored] };
    if (red.length > 0) {
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'checks.failed',
        reason: `failed: ${red.join(', ')}`,
        details,
      };
    }
    if (pending.length > 0 || missing.length > 0) {
      const parts = [
        pending.length > 0 ? `still running: ${pending.join(', ')}` : '',
        missing.length > 0 ? `not reported: ${missing.join(', ')}` : '',
      ].filter(Boolean);
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'checks.pending',
        reason: `${parts.join('; ')}: wait for them to finish green, then promote again`,
        details,
      };
    }
    if (names.length === 0) {
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'checks.none',
        reason: 'no checks are reported on the promoted commit, so nothing shows it is green',
        details,
      };
    }
    return {
      ...base,
      outcome: 'pass',
      reasonCode: 'checks.green',
      reason: `${names.length} check${names.length === 1 ? '' : 's'} green: ${names.join(', ')}`,
      details,
    };
  },
});
