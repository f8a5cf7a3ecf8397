import { describe, expect, it } from 'vitest';
import type { CheckFact } from '../../src/core/types.js';
import { checksGate } from '../../src/gates/checks.js';
import { checksSchema } from '../../src/gates/checks-schema.js';

const run = (name: string, status: string, conclusion?: string): CheckFact => ({
  name,
  source: 'check-run',
  status,
  ...(conclusion === undefined ? {} : { conclusion }),
});
const status = (name: string, state: string): CheckFact => ({ name, source: 'status', status: state });

function evaluate(config: unknown, checks: readonly CheckFact[] | undefined) {
  return checksGate.evaluate('checks', checksSchema.parse(config), {
    request: {
      environment: 'production',
      services: ['checkout'],
      version: { tag: '1' },
      requestedBy: 'a',
      source: 't',
    },
    facts: { now: new Date(0), history: [], running: {}, ...(checks === undefined ? {} : { checks }) },
  });
}

describe('checks gate', () => {
  const rows: {
    name: string;
    config: unknown;
    checks: CheckFact[] | undefined;
    outcome: string;
    reasonCode: string;
    reason?: RegExp;
  }[] = [
    {
      name: 'all green check runs and statuses pass',
      config: {},
      checks: [
        run('build', 'completed', 'success'),
        status('ci/jenkins', 'success'),
        run('docs', 'completed', 'skipped'),
      ],
      outcome: 'pass',
      reasonCode: 'checks.green',
      reason: /3 checks green: build, ci\/jenkins, docs/,
    },
    {
      name: 'a failed check run fails',
      config: {},
      checks: [run('build', 'completed', 'success'), run('test', 'completed', 'failure')],
      outcome: 'fail',
      reasonCode: 'checks.failed',
      reason: /failed: test/,
    },
    {
      name: 'a cancelled or timed-out run is not green',
      config: {},
      checks: [run('test', 'completed', 'cancelled'), run('e2e', 'completed', 'timed_out')],
      outcome: 'fail',
      reasonCode: 'checks.failed',
    },
    {
      name: 'a queued check run is pending, and pending is not green',
      config: {},
      checks: [run('build', 'completed', 'success'), run('test', 'queued')],
      outcome: 'fail',
      reasonCode: 'checks.pending',
      reason: /still running: test/,
    },
    {
      name: 'a pending commit status is not green',
      config: {},
      checks: [status('ci/jenkins', 'pending')],
      outcome: 'fail',
      reasonCode: 'checks.pending',
    },
    {
      name: 'an error status fails',
      config: {},
      checks: [status('ci/jenkins', 'error')],
      outcome: 'fail',
      reasonCode: 'checks.failed',
    },
    {
      name: 'named checks: only those count',
      config: { required: ['build'] },
      checks: [run('build', 'completed', 'success'), run('lint', 'completed', 'failure')],
      outcome: 'pass',
      reasonCode: 'checks.green',
      reason: /1 check green: build/,
    },
    {
      name: 'named checks: one not reported yet is not green',
      config: { required: ['build', 'e2e'] },
      checks: [run('build', 'completed', 'success')],
      outcome: 'fail',
      reasonCode: 'checks.pending',
      reason: /not reported: e2e/,
    },
    {
      name: 'ignore: an ignored failure never counts',
      config: { ignore: ['lint'] },
      checks: [run('build', 'completed', 'success'), run('lint', 'completed', 'failure')],
      outcome: 'pass',
      reasonCode: 'checks.green',
    },
    {
      name: 'the same name twice: the worst counts',
      config: {},
      checks: [run('test', 'completed', 'success'), status('test', 'failure')],
      outcome: 'fail',
      reasonCode: 'checks.failed',
    },
    {
      name: 'no checks at all is not evidence of green',
      config: {},
      checks: [],
      outcome: 'fail',
      reasonCode: 'checks.none',
    },
    {
      name: 'unknown checks (the CLI) fail with what to do',
      config: {},
      checks: undefined,
      outcome: 'fail',
      reasonCode: 'checks.unknown',
      reason: /promote from the Action, or drop the gate/,
    },
  ];

  it.each(rows)('$name', ({ config, checks, outcome, reasonCode, reason }) => {
    const verdict = evaluate(config, checks);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reasonCode).toBe(reasonCode);
    if (reason) expect(verdict.reason).toMatch(reason);
  });

  it('reports a name both required and ignored at its path', () => {
    const problems =
      checksGate.check?.(checksSchema.parse({ required: ['build', 'lint'], ignore: ['lint'] })) ?? [];
    expect(problems).toEqual([
      { path: ['required', 1], message: '"lint" is both required and ignored: keep it in one list' },
    ]);
  });
});
