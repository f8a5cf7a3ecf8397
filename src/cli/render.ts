import type { Decision, Verdict } from '../core/types.js';

const OUTCOME_LABEL: Readonly<Record<Verdict['outcome'], string>> = {
  pass: 'pass',
  fail: 'FAIL',
  warn: 'warn',
  skip: 'skip',
};

/** The gate table as aligned text columns, one verdict a row. */
export function gateTable(decision: Decision): string {
  if (decision.verdicts.length === 0) return '  (no gates guard this environment)';
  const rows = decision.verdicts.map((v) => [v.gate, v.kind, OUTCOME_LABEL[v.outcome], v.reason]);
  const header = ['GATE', 'KIND', 'OUTCOME', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function subject(decision: Decision): string {
  return `${decision.services.join(', ')} ${decision.version} -> ${decision.environment}`;
}

/** When no plan can be made: neither ALLOWED nor DENIED, with what the gates said beside it. */
export function cannotPlanLine(decision: Decision, problem: string): string {
  const gates = decision.allowed
    ? 'the gates would allow it'
    : `the gates deny it too: ${decision.verdicts
        .filter((v) => v.outcome === 'fail')
        .map((v) => v.gate)
        .join(', ')}`;
  return `CANNOT PLAN  ${subject(decision)}: ${problem} (${gates})`;
}

export function decisionLine(decision: Decision): string {
  const what = subject(decision);
  if (decision.allowed) return `ALLOWED  ${what}`;
  const opens = decision.verdicts
    .filter((v) => v.outcome === 'fail' && v.opensAt !== undefined)
    .map((v) => v.opensAt as string)
    .sort();
  const latest = opens[opens.length - 1];
  const blocking = decision.verdicts.filter((v) => v.outcome === 'fail').map((v) => v.gate);
  return `DENIED   ${what} by ${blocking.join(', ')}${latest ? ` (earliest retry ${latest})` : ''}`;
}
