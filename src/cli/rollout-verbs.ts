import { UsageError } from '../core/errors.js';
import {
  type CommandReport,
  type RolloutDeps,
  type RolloutProblem,
  type RolloutResult,
  runRolloutCommand,
  runTick,
  type TickReport,
} from '../core/rollout-run.js';
import type { RolloutVerb } from '../core/rollout.js';
import { fetchAnalysisInputs } from '../facts/fetchers.js';
import type { CliIo } from './io.js';
import { clockOf } from './at.js';
import { notifyCli } from './notify.js';
import { rolloutEvents } from '../notify/events.js';
import { cliRunId } from './run-id.js';
import { loadConfig, parse, requesterOf, targetOf, withStore } from './verbs.js';

// The rollout verbs of the CLI: `tick` and `advance | pause | resume | abort`. Each is a thin
// shell over runTick / runRolloutCommand (src/core/rollout-run.ts), the same ones the Action calls.

/** The analysis port over real Prometheus: each gate's inputs over the window (a range query for a metric). */
export function cliAnalysis(io: CliIo): NonNullable<RolloutDeps['analysis']> {
  // A metric gate judges a range query over the window, with the rollout's {{service}}/{{version}}.
  return (gates, window, subject) => fetchAnalysisInputs(gates, window, { ...subject, env: io.env });
}

/**
 * The clock of a writing verb: now, or `--at` with `--simulate-clock` (demos, tests, local
 * repositories), whose commits then say `Rollgate-Clock: simulated`. `--at` alone would write
 * history with a made-up time, so it is refused.
 */
export function writingClock(
  values: { at?: string; 'simulate-clock'?: boolean | string },
  verb: string,
): { clock: () => Date; simulated: boolean } {
  if (values.at === undefined) {
    if (values['simulate-clock'] === true)
      throw new UsageError('--simulate-clock needs --at ISO-TIME, the simulated time');
    return { clock: () => new Date(), simulated: false };
  }
  if (values['simulate-clock'] !== true) {
    throw new UsageError(
      `--at on ${verb} would commit with a made-up time; add --simulate-clock to do it on purpose (demos, tests, local repositories: the commits say Rollgate-Clock: simulated), or drop --at`,
    );
  }
  return { clock: clockOf(values.at), simulated: true };
}

function line(r: RolloutResult): string {
  const a = r.action;
  const head = `${r.environment}/${r.service} ${r.version} (stable ${r.stable ?? '-'}) ${r.phase} step ${r.step}/${r.steps} at ${r.weight}%`;
  const what =
    a.kind === 'refused'
      ? `refused (${a.reasonCode}): ${a.message}`
      : `${a.kind} (${a.reasonCode}): ${a.message}${a.kind === 'wait' && a.nextEligibleAt ? `; next eligible ${a.nextEligibleAt}` : ''}`;
  const commit = r.commit ? ` [${r.commit.slice(0, 12)}]` : '';
  const analysis = r.analysis?.summary ? `\n    analysis: ${r.analysis.summary}` : '';
  return `  ${head}\n    ${what}${commit}${analysis}`;
}

export function printRollouts(
  report: TickReport | CommandReport,
  io: CliIo,
  json: boolean,
  empty: string,
): void {
  if (json) {
    io.stdout(JSON.stringify(report, null, 2));
    return;
  }
  if (report.rollouts.length === 0 && report.problems.length === 0) io.stdout(empty);
  for (const r of report.rollouts) io.stdout(line(r));
  for (const p of report.problems)
    io.stderr(`  ${p.environment}/${p.service}: ${p.reasonCode}: ${p.message}`);
}

function deps(
  io: CliIo,
  store: RolloutDeps['store'],
  clock: { clock: () => Date; simulated: boolean },
): RolloutDeps {
  return {
    store,
    clock: clock.clock,
    simulatedClock: clock.simulated,
    analysis: cliAnalysis(io),
    // Every commit names this invocation (Rollgate-Run), as a promotion's does (withStore recognises it).
    runId: cliRunId(),
  };
}

/** `rollgate tick [<env>...] [--service S]... [--json]`: one tick of every active rollout. */
export async function runTickVerb(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('tick', args);
  const config = await loadConfig(io, values.config);
  for (const env of positionals) targetOf(config, [env], values);
  const clock = writingClock(values, 'tick');
  const report = await withStore(config, values, io, async (store) => {
    return runTick(config, deps(io, store, clock), {
      environments: positionals,
      services: values.service ?? [],
      flags: values.flag ?? [],
      ...(values.source !== undefined ? { source: values.source } : {}),
    });
  });
  printRollouts(report, io, values.json === true, 'no active rollout');
  await notifyCli(config, rolloutEvents(report), io);
  return report.exitCode;
}

/** `rollgate advance|pause|resume|abort <env> [--service S]... [--reason TEXT]`. */
export async function runRolloutVerb(verb: RolloutVerb, args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(verb, args);
  const config = await loadConfig(io, values.config);
  // Checks the environment and the named services against the config (did-you-mean on typos).
  const { environment } = targetOf(config, positionals, values);
  const clock = writingClock(values, verb);
  const report = await withStore(config, values, io, async (store) => {
    return runRolloutCommand(config, deps(io, store, clock), {
      verb,
      environment,
      services: values.service ?? [],
      flags: values.flag ?? [],
      requestedBy: requesterOf(values, io),
      source: values.source ?? 'rollgate CLI',
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
    });
  });
  printRollouts(report, io, values.json === true, `no active rollout in ${environment}`);
  await notifyCli(config, rolloutEvents(report, requesterOf(values, io), values.reason), io);
  return report.exitCode;
}

/** The report of the aborts a `rollback` wrote in its one commit, as `abort` reports its own. */
export function abortReport(
  at: Date,
  rollouts: readonly RolloutResult[],
  problems: readonly RolloutProblem[],
  gaveUp: boolean,
): CommandReport {
  return {
    schema_version: 1,
    verb: 'abort',
    at: at.toISOString(),
    exitCode: gaveUp || problems.length > 0 ? 3 : 0,
    rollouts,
    problems,
  };
}
