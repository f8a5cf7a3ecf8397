import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfigFile } from '../config/load-file.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { evaluate, type Evaluation, promote, type PromotionOutcome } from '../core/pipeline.js';
import { readHistory } from '../core/history-read.js';
import { checkTarget, parseVersion } from '../core/request.js';
import { runningVersions } from '../core/running.js';
import { pipelineStatus } from '../core/status.js';
import type { FileEdit, PromotionRequest } from '../core/types.js';
import type { ServingWorkload } from '../strategies/strategy.js';
import { gateInputsFor } from '../facts/fetchers.js';
import { openGitStore } from '../gitops/git-cli.js';
import type { GitOpsStore } from '../core/store.js';
import { parseOptions } from './args.js';
import type { COMMON } from './verb-options.js';
import { VERB_OPTIONS } from './verb-options.js';
import { type EarlyClone, gitopsLocation } from './early-clone.js';
import { clockOf, notBeforeHead } from './at.js';
import type { CliIo } from './io.js';
import { cannotPlanLine, decisionLine, gateTable } from './render.js';
import { isLanding, landingsFromState } from '../core/landing.js';
import {
  type FlagRolloutStatus,
  flagRolloutStatuses,
  rolloutStatus,
  statusPaths,
} from '../core/rollout-status.js';
import { abortReport, printRollouts, runRolloutVerb, writingClock } from './rollout-verbs.js';
import { rollbackTogether } from '../core/rollback-together.js';
import { rolloutEvents } from '../notify/events.js';
import { notifyCli } from './notify.js';
import { promotionEvents } from '../notify/events.js';
import { resolveSourceTime } from './source-time.js';
import { recognisingStore } from '../core/own-commit.js';
import { cliRunId } from './run-id.js';

type Options = {
  -readonly [K in keyof typeof COMMON]?: (typeof COMMON)[K] extends { multiple: true }
    ? string[]
    : (typeof COMMON)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export function parse(verb: keyof typeof VERB_OPTIONS, args: readonly string[]) {
  const { values, positionals } = parseOptions(verb, args, VERB_OPTIONS[verb]);
  return { values: values as Options & Record<string, string | boolean | undefined>, positionals };
}

export async function loadConfig(io: CliIo, file: string | undefined): Promise<Config> {
  return loadConfigFile(resolve(io.cwd, file ?? DEFAULT_CONFIG_PATH), io.env);
}

export function targetOf(config: Config, positionals: readonly string[], values: Options) {
  const [environment, ...extra] = positionals;
  if (environment === undefined)
    throw new UsageError('name the environment, e.g. "rollgate check staging --version 1.4.0"');
  if (extra.length > 0)
    throw new UsageError(`unexpected argument "${extra[0]}"; name services with --service`);
  return { environment, services: checkTarget(config, environment, values.service ?? []) };
}

/** Who asks: --requested-by, else the first of $ROLLGATE_ACTOR, $GITHUB_ACTOR, $USER that is set; never made up. */
export function requesterOf(values: Options, io: CliIo): string {
  const given = values['requested-by'];
  if (given !== undefined) {
    if (given.trim() === '') throw new UsageError('--requested-by needs a name: write --requested-by USER');
    return given.trim();
  }
  const fromEnv = [io.env.ROLLGATE_ACTOR, io.env.GITHUB_ACTOR, io.env.USER].find(
    (v): v is string => v !== undefined && v.trim() !== '',
  );
  if (fromEnv === undefined)
    throw new UsageError(
      'who asks? none of $ROLLGATE_ACTOR, $GITHUB_ACTOR or $USER is set, and the verdicts and the Rollgate-Requested-By trailer must name someone: pass --requested-by USER',
    );
  return fromEnv.trim();
}

function buildRequest(
  config: Config,
  positionals: readonly string[],
  values: Options,
  io: CliIo,
  dryRun: boolean,
): PromotionRequest {
  const { environment, services } = targetOf(config, positionals, values);
  if (values.version === undefined)
    throw new UsageError('--version is required (a tag, a digest, or tag@digest)');
  const requestedBy = requesterOf(values, io);
  return {
    environment,
    services,
    version: parseVersion(values.version),
    requestedBy,
    source: values.source ?? 'rollgate CLI',
    // --requested-by and --label are the operator's word: nothing on the CLI can check them.
    identity: 'asserted',
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
    ...(values.label !== undefined ? { labels: values.label } : {}),
    ...(values['approved-by'] !== undefined ? { approvedBy: values['approved-by'] } : {}),
    ...(dryRun ? { dryRun } : {}),
    runId: cliRunId(),
  };
}

export async function withStore<T>(
  config: Config,
  values: Options,
  io: CliIo,
  use: (store: GitOpsStore) => Promise<T>,
  early?: EarlyClone,
): Promise<T> {
  const repository = gitopsLocation(values.gitops ?? config.gitops.repository, io.cwd);
  const branch = config.gitops.branch;
  const store = await (early?.take(repository, branch) ?? openGitStore({ repository, branch }));
  try {
    // A what-if time earlier than the history it reads is refused before anything is judged.
    const at = values.at === undefined ? undefined : clockOf(values.at)();
    // A push whose answer was lost (it failed, yet the remote moved) is recognised as this
    // invocation's commit by its Rollgate-Run trailer. A refused lease is someone else's commit:
    // git's push is not retried underneath, so `moved` never hides our own.
    return await use(recognisingStore(at === undefined ? store : notBeforeHead(store, at)));
  } finally {
    await store.close();
  }
}

export async function runValidate(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('validate', args);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const config = await loadConfig(io, values.config);
  const gates = Object.values(config.gates);
  io.stdout(
    `${config.file}: valid. ${Object.keys(config.environments).length} environments (${Object.keys(config.environments).join(' -> ')}), ` +
      `${Object.keys(config.services).length} services, ${gates.length} gates (${gates.map((g) => `${g.name}:${g.kind}`).join(', ')})`,
  );
  return 0;
}

/** Renders an edit as a unified diff; loaded only by plan, so check does not load the diff library. */
type Differ = (edit: FileEdit) => string;

async function loadDiffer(): Promise<Differ> {
  return (await import('../report/diff.js')).unifiedDiff;
}

function printEvaluation(evaluation: Evaluation, io: CliIo, unifiedDiff?: Differ): void {
  io.stdout(gateTable(evaluation.decision));
  // Without a plan there is nothing the gates could allow: one line says so, and what they think.
  if (evaluation.planError) io.stdout(cannotPlanLine(evaluation.decision, evaluation.planError.message));
  else io.stdout(decisionLine(evaluation.decision));
  if (unifiedDiff !== undefined && evaluation.plan) {
    if (evaluation.plan.edits.length === 0)
      io.stdout('plan: nothing to change, the version is already in place');
    for (const edit of evaluation.plan.edits) io.stdout(unifiedDiff(edit));
  }
}

function planJson(evaluation: Evaluation, unifiedDiff: Differ) {
  return {
    edits: (evaluation.plan?.edits ?? []).map((e) => ({
      path: e.path,
      descriptions: e.descriptions,
      diff: unifiedDiff(e),
    })),
    ...(evaluation.planError ? { error: evaluation.planError } : {}),
  };
}

/** check and plan: read the GitOps head once, judge and plan, write nothing. */
async function evaluateArgs(
  verb: 'check' | 'plan',
  args: readonly string[],
  io: CliIo,
  early: EarlyClone | undefined,
) {
  const { values, positionals } = parse(verb, args);
  const config = await loadConfig(io, values.config);
  const request = buildRequest(config, positionals, values, io, false);
  const clock = clockOf(values.at);
  const evaluation = await withStore(
    config,
    values,
    io,
    (store) =>
      evaluate(config, request, {
        store,
        clock,
        extraFacts: gateInputsFor(config, request.environment, { env: io.env }),
      }),
    early,
  );
  return { values, evaluation };
}

export async function runCheck(args: readonly string[], io: CliIo, early?: EarlyClone): Promise<number> {
  const { values, evaluation } = await evaluateArgs('check', args, io, early);
  if (values.json) io.stdout(JSON.stringify(evaluation.decision, null, 2));
  else printEvaluation(evaluation, io);
  if (evaluation.planError) {
    if (values.json) io.stderr(`cannot plan: ${evaluation.planError.message}`);
    return 2;
  }
  return evaluation.decision.allowed ? 0 : 1;
}

export async function runPlan(args: readonly string[], io: CliIo, early?: EarlyClone): Promise<number> {
  const { values, evaluation } = await evaluateArgs('plan', args, io, early);
  const unifiedDiff = await loadDiffer();
  if (values.json)
    io.stdout(JSON.stringify({ ...evaluation.decision, plan: planJson(evaluation, unifiedDiff) }, null, 2));
  else printEvaluation(evaluation, io, unifiedDiff);
  if (evaluation.planError) return 2;
  return evaluation.decision.allowed ? 0 : 1;
}

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

export async function runStatus(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('status', args);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const config = await loadConfig(io, values.config);
  const services = Object.keys(config.services);
  const { rows, flags } = await withStore(config, values, io, async (store) => {
    // Overlays and state files in one read; the history only where no state file answers.
    const snapshot = await store.read(statusPaths(config));
    const running = runningVersions(config, services, snapshot.files);
    const needs = Object.entries(running).flatMap(([environment, versions]) =>
      Object.entries(versions).map(([service, version]) => ({ environment, service, version })),
    );
    const landings = await landingsFromState(store, snapshot.head, config, snapshot.files, running, needs);
    const history = [
      ...landings.entries,
      ...(await readHistory(store, snapshot.head, landings.rest)).filter(isLanding),
    ];
    return {
      rows: pipelineStatus(config, snapshot.files, history).map((row) => ({
        ...row,
        ...rolloutStatus(config, row.environment, row.service, snapshot.files),
      })),
      // Flag rollouts from their state files, in the same read.
      flags: flagRolloutStatuses(config, snapshot.files),
    };
  });
  // An overlay that exists but cannot be read is a problem to fix, not a blank: exit 2 and say why.
  const unreadable = [...rows, ...flags].filter((r) => r.problem !== undefined);
  if (values.json) {
    io.stdout(JSON.stringify({ schema_version: 1, environments: rows, flags }, null, 2));
    return unreadable.length > 0 ? 2 : 0;
  }
  const table = [
    ['ENVIRONMENT', 'SERVICE', 'VERSION', 'STABLE', 'SINCE', 'ROLLOUT'],
    ...rows.map((r) => [
      r.environment,
      r.service,
      r.version === undefined
        ? r.problem
          ? '?'
          : '-'
        : `${r.version}${liveOf(r.workloads) !== undefined ? ` on ${liveOf(r.workloads)?.name ?? ''}` : ''}`,
      r.stable ?? '-',
      r.since ?? '-',
      r.rollout === undefined
        ? '-'
        : `${r.rollout.version} ${r.rollout.phase}${r.rollout.active ? ` step ${r.rollout.step}/${r.rollout.steps} at ${r.rollout.weight}% since ${r.rollout.since}` : ''}`,
    ]),
  ];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const r of table) io.stdout(`  ${r.map((c, i) => (i < 5 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`);
  for (const r of rows) {
    const where = `  ${r.environment}/${r.service}:`;
    if (r.workloads !== undefined) io.stdout(`${where} ${workloadsLine(r.workloads)}`);
    if (r.rollout?.active && r.rollout.nextEligibleAt)
      io.stdout(`${where} next eligible ${r.rollout.nextEligibleAt}`);
    if (r.rollout?.analysis) io.stdout(`${where} last analysis ${r.rollout.analysis}`);
    for (const h of r.holds)
      io.stdout(`${where} ${h.version} held since ${h.at} (${h.reason}); promote --reason lifts it`);
    if (r.drift.length > 0) io.stdout(`${where} drift: ${r.drift.join('; ')}`);
    if (r.problem) io.stderr(`${where} ${r.problem}`);
  }
  if (flags.length > 0) printFlagStatus(flags, io);
  return unreadable.length > 0 ? 2 : 0;
}

const liveOf = (workloads: readonly ServingWorkload[] | undefined) => workloads?.find((w) => w.live);

/** Blue-green: `green 1.5.0 live (4 replicas); blue 1.4.0 idle (0 replicas)`. */
function workloadsLine(workloads: readonly ServingWorkload[]): string {
  return [...workloads]
    .sort((a, b) => Number(b.live) - Number(a.live))
    .map(
      (w) =>
        `${w.name} ${w.version ?? '(no version)'} ${w.live ? 'live' : 'idle'}${w.replicas !== undefined ? ` (${w.replicas} replicas)` : ''}`,
    )
    .join('; ');
}

/** The flag rollouts' table: environment, flag, variant, phase, step, share. */
function printFlagStatus(flags: readonly FlagRolloutStatus[], io: CliIo): void {
  const table = [
    ['ENVIRONMENT', 'FLAG', 'VARIANT', 'PHASE', 'STEP', 'SHARE'],
    ...flags.map((f) => [
      f.environment,
      f.flag,
      f.variant,
      f.rollout?.phase ?? (f.problem ? '?' : '-'),
      f.rollout !== undefined ? `${f.rollout.step}/${f.rollout.steps}` : '-',
      f.rollout !== undefined ? `${f.rollout.weight}%` : '-',
    ]),
  ];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  io.stdout('');
  for (const r of table) io.stdout(`  ${r.map((c, i) => (i < 5 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`);
  for (const f of flags) {
    const where = `  ${f.environment}/flags/${f.flag}:`;
    if (f.rollout?.active && f.rollout.nextEligibleAt)
      io.stdout(`${where} next eligible ${f.rollout.nextEligibleAt}`);
    if (f.rollout?.analysis) io.stdout(`${where} last analysis ${f.rollout.analysis}`);
    for (const h of f.holds)
      io.stdout(`${where} ${h.version} held since ${h.at} (${h.reason}); promote --flag --reason lifts it`);
    if (f.drift.length > 0) io.stdout(`${where} drift: ${f.drift.join('; ')}`);
    if (f.problem) io.stderr(`${where} ${f.problem}`);
  }
}
