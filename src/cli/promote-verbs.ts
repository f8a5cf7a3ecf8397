import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { promote, type PromotionOutcome } from '../core/pipeline.js';
import { rollbackTogether } from '../core/rollback-together.js';
import type { PromotionRequest } from '../core/types.js';
import { gateInputsFor } from '../facts/fetchers.js';
import { promotionEvents, rolloutEvents } from '../notify/events.js';
import type { CliIo } from './io.js';
import { notifyCli } from './notify.js';
import { abortReport, printRollouts, runRolloutVerb, writingClock } from './rollout-verbs.js';
import { cliRunId } from './run-id.js';
import { resolveSourceTime } from './source-time.js';
import {
  buildRequest,
  type Differ,
  loadConfig,
  loadDiffer,
  type Options,
  parse,
  planJson,
  printEvaluation,
  requesterOf,
  targetOf,
  withStore,
} from './verbs.js';

// promote and rollback: the verbs that commit a version, in their own module, so check and plan
// (verbs.ts) load none of the rollout, rollback and notification code.

const PROMOTE_EXIT: Readonly<Record<PromotionOutcome['kind'], number>> = {
  committed: 0,
  noop: 0,
  'dry-run': 0,
  denied: 1,
  invalid: 2,
  superseded: 1,
  'gave-up': 3,
};

export async function runPromote(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('promote', args);
  const config = await loadConfig(io, values.config);
  // Flag rollouts load their own module (and the diff library) only when --flag asks for one.
  if (values.flag !== undefined)
    return (await import('./flag-promote.js')).runFlagPromote(config, positionals, values, io);
  const sourceTime = values['source-time'];
  const request = {
    ...buildRequest(config, positionals, values, io, values['dry-run'] === true),
    ...(typeof sourceTime === 'string' ? { sourceTime: await resolveSourceTime(sourceTime, io.cwd) } : {}),
  };
  const { clock, simulated } = writingClock(values, 'promote');
  const extraFacts = gateInputsFor(config, request.environment, { env: io.env });
  const outcome = await withStore(config, values, io, (store) =>
    promote(config, request, { store, clock, extraFacts, ...(simulated ? { simulatedClock: true } : {}) }),
  );
  const code = reportOutcome(config, request, outcome, values, io, await loadDiffer());
  await notifyCli(config, promotionEvents(request, outcome), io);
  return code;
}

function reportOutcome(
  config: Config,
  request: PromotionRequest,
  outcome: PromotionOutcome,
  values: Options,
  io: CliIo,
  unifiedDiff: Differ,
): number {
  if (values.json) {
    const commit =
      outcome.kind === 'committed'
        ? { commit: outcome.sha }
        : outcome.kind === 'superseded'
          ? { reasonCode: outcome.reasonCode, landed: outcome.landed }
          : outcome.kind === 'gave-up'
            ? { reasonCode: outcome.cause === 'locked' ? 'locked' : 'gave-up', detail: outcome.detail }
            : {};
    io.stdout(
      JSON.stringify(
        {
          ...outcome.evaluation.decision,
          result: outcome.kind,
          ...commit,
          plan: planJson(outcome.evaluation, unifiedDiff),
        },
        null,
        2,
      ),
    );
    return PROMOTE_EXIT[outcome.kind];
  }
  printEvaluation(outcome.evaluation, io, outcome.kind !== 'denied' ? unifiedDiff : undefined);
  switch (outcome.kind) {
    case 'committed':
      io.stdout(
        `committed ${outcome.sha.slice(0, 12)} to ${config.gitops.branch}${outcome.attempts > 1 ? ` after ${outcome.attempts} attempts (the branch moved)` : ''}`,
      );
      break;
    case 'noop':
      io.stdout(
        `nothing to commit: ${request.environment} already runs ${outcome.evaluation.decision.version}`,
      );
      break;
    case 'dry-run':
      io.stdout('dry run: nothing committed');
      break;
    case 'denied':
      io.stdout('nothing committed: denied');
      break;
    case 'invalid':
      io.stderr('nothing committed: no plan');
      break;
    case 'superseded':
      io.stderr(
        `superseded: ${outcome.landed.map((l) => `${l.service} in ${request.environment} changed from ${l.was ?? 'nothing'} to ${l.now ?? 'nothing'} (head ${l.head.slice(0, 12)})`).join('; ')} while this promotion was being committed; nothing committed, so that change stays. Promote again if ${outcome.evaluation.decision.version} should replace it.`,
      );
      break;
    case 'gave-up':
      io.stderr(
        outcome.cause === 'locked'
          ? `gave up after ${outcome.attempts} attempts: the GitOps branch ${config.gitops.branch} stayed locked (${outcome.detail}); nothing committed. Another git process holds the ref lock; if none is running, remove the stale .lock file in the GitOps repository.`
          : `gave up after ${outcome.attempts} attempts: the GitOps branch kept moving (${outcome.detail}); nothing committed. Retry later.`,
      );
      break;
  }
  return PROMOTE_EXIT[outcome.kind];
}

/**
 * `rollback <env>`: each service goes back to the version it ran before the current one, from the
 * GitOps history; a service whose rollout is under way is aborted (back to the stable version, with
 * a hold). One read of the head and the history for all services, and one commit for all of them,
 * whatever versions they go back to (core/rollback-together.ts). Gates are skipped and shown as skipped.
 */
export async function runRollback(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('rollback', args);
  if (values.version !== undefined)
    throw new UsageError(
      'rollback takes no --version: it restores the previous one; use promote for a chosen version',
    );
  const config = await loadConfig(io, values.config);
  // A flag rollout's rollback is its abort: the variant's share back to 0, with a hold.
  if (values.flag !== undefined) return runRolloutVerb('abort', args, io);
  const { environment, services } = targetOf(config, positionals, values);
  const { clock, simulated } = writingClock(values, 'rollback');
  const requestedBy = requesterOf(values, io);
  return withStore(config, values, io, async (store) => {
    const result = await rollbackTogether(
      config,
      {
        environment,
        services,
        requestedBy,
        source: values.source ?? 'rollgate CLI',
        identity: 'asserted',
        runId: cliRunId(),
        ...(values.reason !== undefined ? { reason: values.reason } : {}),
        ...(values['dry-run'] === true ? { dryRun: true } : {}),
      },
      { store, clock, ...(simulated ? { simulatedClock: true } : {}) },
    );
    let worst = 0;
    if (result.aborts.length > 0 || result.problems.length > 0) {
      const outcome = result.abortOutcome;
      const report = abortReport(clock(), result.aborts, result.problems, outcome.kind === 'gave-up');
      printRollouts(report, io, values.json === true, `no active rollout in ${environment}`);
      if (outcome.kind === 'gave-up')
        io.stderr(
          `gave up after ${outcome.attempts} attempts: the GitOps branch kept moving (${outcome.detail}); nothing committed. Retry later.`,
        );
      if (outcome.kind === 'dry-run') io.stdout('dry run: nothing committed');
      worst = report.exitCode;
      if (outcome.kind === 'committed')
        await notifyCli(config, rolloutEvents(report, requestedBy, values.reason), io);
    }
    for (const { service, running } of result.missing) {
      io.stderr(
        `${service}: no earlier version in ${environment} in the GitOps history (it runs ${running ?? 'nothing'}); nothing to roll back to`,
      );
      worst = Math.max(worst, 2);
    }
    for (const t of result.targets)
      io.stdout(
        `${t.service}: ${t.running ?? 'nothing'} -> ${t.version} (${t.sha !== undefined ? `last set by ${t.sha.slice(0, 12)}` : (t.from ?? 'from the history')})`,
      );
    for (const [i, request] of result.requests.entries()) {
      const outcome = result.outcomes[i];
      if (outcome === undefined) continue;
      worst = Math.max(worst, reportOutcome(config, request, outcome, values, io, await loadDiffer()));
      await notifyCli(config, promotionEvents(request, outcome), io);
    }
    return worst;
  });
}
