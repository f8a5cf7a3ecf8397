import { info, warning } from '@actions/core';
import type { Config } from '../config/schema.js';
import type { CommandReport, RolloutResult, RolloutStore, TickReport } from '../core/rollout-run.js';
import {
  flagStatePath,
  isBeforePromotion,
  isPromotedPhase,
  parseState,
  statePath,
  type ServiceState,
} from '../core/state.js';
import { flagRollout } from '../strategies/flag.js';
import { STRATEGIES, strategyFor } from '../strategies/registry.js';
import { markerFor } from '../report/markdown.js';
import type { RolloutSummary } from '../report/result.js';
import { renderRolloutReport, type RolloutView } from '../report/rollout.js';
import type { RunStatus } from '../report/status.js';
import type { ActionContext, Repo } from './context.js';
import { addDeploymentStatus, recordDeployment, type DeploymentClient } from './deployment.js';
import { describeError } from './describe-error.js';
import type { RunEnd } from './finish.js';
import { upsertSticky, type CommentClient, type StickyHint } from './sticky.js';
import type { RecentDeployment } from '../github/app-read.js';
import type { GraphqlFn } from '../github/graphql.js';

// After a tick or an operator's command: every rollout action is published where people look.
// The sticky comment of the pull request that started the rollout is rewritten (per environment),
// a Deployment with its status records the action on the Environments page, and the run ends with
// outputs phase/step/weight and a `result` listing every rollout. Publishing is cosmetic: a failure
// warns and never undoes a commit.

export interface PublishTarget {
  readonly ctx: ActionContext;
  readonly config: Config;
  readonly store: RolloutStore;
  readonly github: CommentClient & DeploymentClient;
  /** owner/name of the GitOps repository, for commit links. */
  readonly gitopsRepository: string;
  /** Who acted: a commenter, or "rollgate" for the schedule. */
  readonly actor: string;
  /** Where the action came from (a comment URL, the run). */
  readonly via: string;
  /** The issue or pull request the command was commented on, if any: it gets the report when the rollout's own PR is unknown. */
  readonly commentedOn?: number;
  /**
   * The repository's latest deployments (newest first) and GraphQL to add a status to one: the
   * deployment that started a rollout gets each later action as a status (one request, not a new
   * deployment's two), and its payload names the sticky report's comment (no listing).
   */
  readonly deployments?: readonly RecentDeployment[];
  readonly graphql?: GraphqlFn;
}

/** A flag rollout's result (its `service` is the rollout's name), not a service's. */
const isFlag = (r: Pick<RolloutResult, 'strategy'>) => r.strategy === 'flag';

/** The state file of a rollout result: per service, or per flag rollout under flags/. */
export function resultStatePath(r: Pick<RolloutResult, 'environment' | 'service' | 'strategy'>): string {
  return isFlag(r) ? flagStatePath(r.environment, r.service) : statePath(r.environment, r.service);
}

/**
 * The newest deployment of the rollout to `environment`, if the run read it: by `services` in the
 * payload for a service, by `flag` for a flag rollout (a flag may share a service's name).
 */
export function deploymentOf(
  t: Pick<PublishTarget, 'deployments'>,
  environment: string,
  service: string,
  flag = false,
): RecentDeployment | undefined {
  return t.deployments?.find((d) => {
    if (d.environment !== environment) return false;
    if (flag) return d.payload['flag'] === service;
    const services = d.payload['services'];
    return Array.isArray(services) && services.includes(service);
  });
}

/** The sticky's id from the deployment that started the rollout, when it was written on this pull request. */
function stickyOf(deployment: RecentDeployment | undefined, pull: number): StickyHint | undefined {
  const payload = deployment?.payload;
  const id = payload?.['comment'];
  return payload?.['pull'] === pull && typeof id === 'number' ? { id, complete: false } : undefined;
}

/** The pull request number in a source URL of this repository (`…/owner/repo/pull/7`), if it is one. */
export function pullOf(source: string | undefined, ctx: ActionContext): number | undefined {
  if (source === undefined) return undefined;
  const base = `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}/`;
  if (!source.startsWith(base)) return undefined;
  const m = /^(?:pull|issues)\/(\d+)(?:[/#?].*)?$/.exec(source.slice(base.length));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The state files of the rollouts that wrote something, as they are now (one read). */
async function statesAfter(
  store: RolloutStore,
  results: readonly RolloutResult[],
): Promise<Map<string, ServiceState>> {
  const states = new Map<string, ServiceState>();
  const paths = [...new Set(results.map(resultStatePath))];
  if (paths.length === 0) return states;
  try {
    const snapshot = await store.read(paths);
    for (const path of paths) {
      const text = snapshot.files[path];
      if (text === undefined) continue;
      const parsed = parseState(path, text);
      if (parsed.ok) states.set(path, parsed.state);
    }
  } catch (err) {
    warning(
      `rollgate: could not read the rollout state back (${describeError(err)}); the report shows the state before`,
    );
  }
  return states;
}

export function rolloutView(
  config: Config,
  result: RolloutResult,
  after: ServiceState | undefined,
  commitUrl?: string,
): RolloutView {
  const r = after?.rollout;
  const action = result.action;
  const next = 'nextEligibleAt' in action ? action.nextEligibleAt : undefined;
  const holdEnds = next ?? (r !== undefined ? holdEnd(config, result, r) : undefined);
  const hold = after?.holds?.find((h) => h.version === (r?.version ?? result.version));
  const stable = after?.stable ?? result.stable;
  return {
    service: result.service,
    ...(isFlag(result) ? { flag: true } : {}),
    version: r?.version ?? result.version,
    ...(stable !== undefined ? { stable } : {}),
    phase: r?.phase ?? result.phase,
    step: r?.step ?? result.step,
    steps: r?.steps ?? result.steps,
    weight: r?.weight ?? result.weight,
    ...stepsOf(config, result.environment, isFlag(result) ? result.service : undefined),
    action: { kind: action.kind, reasonCode: action.reasonCode, message: action.message },
    ...(result.commit !== undefined
      ? { commit: { sha: result.commit, ...(commitUrl !== undefined ? { url: commitUrl } : {}) } }
      : {}),
    ...(holdEnds !== undefined ? { nextEligibleAt: holdEnds } : {}),
    analysis: result.analysis?.verdicts ?? [],
    gates: result.gates ?? [],
    ...(hold !== undefined ? { hold: hold.reason } : {}),
    // Where a pause, rollback or abort came from, for the picture (the phase before this action).
    ...(r?.pausedFrom !== undefined
      ? { from: r.pausedFrom }
      : r !== undefined && r.phase !== result.phase
        ? { from: result.phase }
        : {}),
    ...(r?.rollbackOf !== undefined ? { rollbackOf: r.rollbackOf } : {}),
  };
}

/** A hidden line naming a frozen wait and the freeze's end, so the sticky is rewritten once per freeze. */
function frozenKey(result: RolloutResult): string | undefined {
  const action = result.action;
  if (action.kind !== 'wait' || action.reasonCode !== 'frozen') return undefined;
  return `<!-- rollgate:frozen ${result.environment}/${result.service} ${result.version} until ${action.nextEligibleAt ?? 'unknown'} -->`;
}

/**
 * The deployment statuses that remember a report of frozen waits: one per deployment, naming each
 * of its frozen rollouts and the freeze's end. Undefined when one of them has no known deployment
 * (or the run cannot add a status): then the sticky's text is what remembers.
 */
function frozenMemory(
  t: PublishTarget,
  waits: readonly { result: RolloutResult; deployment: RecentDeployment | undefined }[],
): { deployment: RecentDeployment; description: string }[] | undefined {
  if (t.graphql === undefined || waits.length === 0) return undefined;
  const byDeployment = new Map<string, { deployment: RecentDeployment; results: RolloutResult[] }>();
  for (const { result, deployment } of waits) {
    if (deployment === undefined) return undefined;
    const entry = byDeployment.get(deployment.nodeId) ?? { deployment, results: [] };
    entry.results.push(result);
    byDeployment.set(deployment.nodeId, entry);
  }
  return [...byDeployment.values()].map(({ deployment, results }) => ({
    deployment,
    // GitHub keeps 140 characters of a description; the comparison reads what it kept.
    description: results
      .map((r) => {
        const until = r.action.kind === 'wait' ? r.action.nextEligibleAt : undefined;
        return `${isFlag(r) ? 'flag ' : ''}${r.service} ${r.version} frozen until ${until ?? 'unknown'}`;
      })
      .join('; ')
      .slice(0, 140),
  }));
}

/**
 * The configured weights of an environment's canary (or of the flag rollout `flag`: its shares),
 * and its verify duration, for the report.
 */
export function stepsOf(
  config: Config,
  environment: string,
  flag?: string,
): Pick<RolloutView, 'weights' | 'verify' | 'blueGreen'> {
  const bg = flag === undefined ? config.environments[environment]?.blueGreen : undefined;
  if (bg !== undefined) {
    // Blue-green draws its stages (preview, switch, verify, scale-down), not canary weights.
    return {
      weights: [],
      ...(bg.verify !== undefined ? { verify: bg.verify.duration } : {}),
      blueGreen: {
        ...(bg.preview !== undefined ? { preview: bg.preview.duration } : {}),
        ...(bg.verify !== undefined ? { verify: bg.verify.duration } : {}),
        scaleDownDelay: bg.scaleDownDelay,
        scaleDown: bg.scaleDown,
      },
    };
  }
  const rollout =
    flag !== undefined ? flagRollout(config, environment, flag) : config.environments[environment]?.canary;
  return {
    weights: (rollout?.steps ?? []).map((s) => (typeof s === 'number' ? s : s.weight)),
    ...(rollout?.verify !== undefined ? { verify: rollout.verify.duration } : {}),
  };
}

/** When the step (or verify) that began at windowStart may end, for a rollout still going. */
function holdEnd(
  config: Config,
  result: RolloutResult,
  rollout: NonNullable<ServiceState['rollout']>,
): string | undefined {
  if (!isBeforePromotion(rollout.phase) && !isPromotedPhase(rollout.phase)) return undefined;
  const flag = isFlag(result);
  const strategy = flag ? STRATEGIES.flag : strategyFor(config, result.environment);
  if (strategy === undefined) return undefined;
  const ms = strategy.holdMs(
    {
      config,
      environment: result.environment,
      service: result.service,
      ...(flag ? { flag: result.service } : {}),
    },
    rollout,
  );
  return new Date(Date.parse(rollout.windowStart) + ms).toISOString();
}

const DEPLOYMENT_STATE = {
  start: 'in_progress',
  step: 'in_progress',
  resume: 'in_progress',
  pause: 'in_progress',
  promote: 'in_progress',
  verify: 'success',
  rollback: 'failure',
  abort: 'failure',
} as const;

type DeploymentState = 'in_progress' | 'success' | 'failure';

function deploymentState(view: RolloutView): DeploymentState | undefined {
  const kind = view.action.kind;
  if (!(kind in DEPLOYMENT_STATE)) return undefined;
  // A promotion without verify is the end of the rollout.
  if (kind === 'promote' && view.verify === undefined && view.blueGreen === undefined) return 'success';
  return DEPLOYMENT_STATE[kind as keyof typeof DEPLOYMENT_STATE];
}

/** The deployment status's description (GitHub keeps 140 characters). */
export function describe(view: RolloutView): string {
  if (view.flag === true) return describeFlag(view);
  switch (view.action.kind) {
    case 'pause':
      return `${view.service} ${view.version} paused at ${view.weight}% (${view.action.reasonCode})`;
    case 'promote':
      return `${view.service} ${view.version} promoted${view.verify ? `, verifying for ${view.verify}` : ''}`;
    case 'verify':
      return `${view.service} ${view.version} verified: stable`;
    case 'rollback':
    case 'abort':
      return `${view.service} ${view.version} ${view.action.kind === 'abort' ? 'aborted' : 'rolled back'} to ${view.stable ?? 'stable'}; held`;
    default:
      return `${view.service} ${view.version}: step ${view.step}/${view.steps}, canary ${view.weight}%`;
  }
}

/** A flag rollout's action in the deployment status: the flag, the variant, its share, what comes next. */
function describeFlag(view: RolloutView): string {
  const who = `flag ${view.service}: variant ${view.version}`;
  switch (view.action.kind) {
    case 'pause':
      return `${who} paused at ${view.weight}% (${view.action.reasonCode})`;
    case 'promote':
      return `${who} at 100%, now the defaultVariant${view.verify ? `; verifying for ${view.verify}` : ''}`;
    case 'verify':
      return `${who} verified: the defaultVariant`;
    case 'rollback':
    case 'abort':
      return `${who} ${view.action.kind === 'abort' ? 'aborted' : 'rolled back'} to 0%, ${view.stable ?? 'the default'} for everyone; held`;
    default: {
      const next = view.weights[view.step];
      return `${who} at ${view.weight}% (step ${view.step}/${view.steps}); next ${next !== undefined ? `${next}%` : '100% (promote)'}`;
    }
  }
}

export function summaryOf(environment: string, view: RolloutView): RolloutSummary {
  return {
    environment,
    service: view.service,
    ...(view.flag === true ? { flag: view.service } : {}),
    version: view.version,
    ...(view.stable !== undefined ? { stable: view.stable } : {}),
    phase: view.phase,
    step: view.step,
    steps: view.steps,
    weight: view.weight,
    action: view.action.kind,
    reason_code: view.action.reasonCode,
    message: view.action.message,
    ...(view.commit !== undefined ? { commit_sha: view.commit.sha } : {}),
    ...(view.nextEligibleAt !== undefined ? { next_eligible_at: view.nextEligibleAt } : {}),
  };
}

/**
 * Publishes a tick's or a command's report (sticky comments, deployments) and returns how the run
 * ends and which pull requests got their report. `status` says what the run as a whole did.
 */
export async function publishRollouts(
  t: PublishTarget,
  report: TickReport | CommandReport,
  status: RunStatus,
  options: { readonly environment?: string; readonly failStep?: string } = {},
): Promise<{ readonly end: RunEnd; readonly stickies: readonly number[] }> {
  const repo: Repo = t.ctx.repository;
  const written = report.rollouts.filter((r) => r.commit !== undefined);
  const states = await statesAfter(t.store, report.rollouts);
  const commitUrl = (sha: string) => `${t.ctx.serverUrl}/${t.gitopsRepository}/commit/${sha}`;
  const views = report.rollouts.map((r) => ({
    result: r,
    after: states.get(resultStatePath(r)),
    view: rolloutView(
      t.config,
      r,
      states.get(resultStatePath(r)),
      r.commit !== undefined ? commitUrl(r.commit) : undefined,
    ),
  }));

  // One sticky per (pull request, environment): the PR whose comment or run started the rollout.
  // A commit always updates it; a frozen wait does too, once per freeze (the sticky then says which
  // gate froze the rollout and until when), so a schedule ticking through a weekend edits it once.
  const stickies = new Map<
    string,
    {
      pull: number;
      environment: string;
      views: RolloutView[];
      frozen: string[];
      /** The frozen waits, with the deployment that started each rollout (when the run read it). */
      frozenWaits: { result: RolloutResult; deployment: RecentDeployment | undefined }[];
      written: boolean;
      hint: StickyHint | undefined;
    }
  >();
  for (const { result, after, view } of views) {
    const frozen = frozenKey(result);
    if (result.commit === undefined && frozen === undefined) continue; // other waits change nothing
    const pull = pullOf(after?.rollout?.source, t.ctx) ?? t.commentedOn;
    if (pull === undefined) continue;
    const key = `${pull} ${result.environment}`;
    const entry = stickies.get(key) ?? {
      pull,
      environment: result.environment,
      views: [],
      frozen: [],
      frozenWaits: [],
      written: false,
      hint: undefined,
    };
    entry.views.push(view);
    if (frozen !== undefined) {
      entry.frozen.push(frozen);
      entry.frozenWaits.push({
        result,
        deployment: deploymentOf(t, result.environment, result.service, isFlag(result)),
      });
    }
    if (result.commit !== undefined) entry.written = true;
    entry.hint ??= stickyOf(deploymentOf(t, result.environment, result.service, isFlag(result)), pull);
    stickies.set(key, entry);
  }
  const reports: string[] = [];
  const updated: number[] = [];
  for (const { pull, environment, views: list, frozen, frozenWaits, written, hint } of stickies.values()) {
    const rendered = renderRolloutReport({
      environment,
      actor: t.actor,
      via: t.via,
      at: report.at,
      rollouts: list,
    });
    const body = frozen.length > 0 ? `${rendered}\n${frozen.join('\n')}\n` : rendered;
    reports.push(body);
    // A frozen wait is reported once per freeze. Where every frozen rollout's deployment is known,
    // its latest status remembers the report (read with the deployments: a frozen tick then costs
    // what a waiting one does); elsewhere the sticky's own text does, which takes one request.
    const memory = written ? undefined : frozenMemory(t, frozenWaits);
    if (memory !== undefined && memory.every((m) => m.deployment.latestStatus === m.description)) {
      updated.push(pull);
      continue;
    }
    try {
      // A sticky that already reports these freezes is left alone when nothing was written (that
      // needs its text, so only then is it looked for); after a commit it is updated by its id.
      const same = (existing: string) => frozen.every((k) => existing.includes(k));
      await upsertSticky(
        t.github,
        repo,
        pull,
        markerFor(environment),
        body,
        written || memory !== undefined ? undefined : same,
        hint,
      );
      updated.push(pull);
      for (const m of memory ?? []) {
        if (m.deployment.latestStatus === m.description || t.graphql === undefined) continue;
        await addDeploymentStatus(t.graphql, m.deployment.nodeId, {
          environment,
          state: 'in_progress',
          description: m.description,
          logUrl: t.ctx.runUrl,
        });
      }
    } catch (err) {
      warning(
        `rollgate: could not update the rollout report on #${pull} (${describeError(err)}); the job summary has it`,
      );
    }
  }

  // A deployment status per action; the actions of one commit that share a deployment (the one
  // that started them) and a state share one status, each service's description in it, and those
  // without one share one new deployment naming every service, as a promotion of several services
  // is one deployment: a command on several services costs what it costs on one.
  const records = new Map<
    string,
    {
      started: RecentDeployment | undefined;
      state: DeploymentState;
      written: { result: RolloutResult; view: RolloutView }[];
    }
  >();
  for (const { result, view } of views) {
    if (result.commit === undefined) continue;
    const state = deploymentState(view);
    if (state === undefined) continue;
    const found = deploymentOf(t, result.environment, result.service, isFlag(result));
    const started = t.graphql !== undefined ? found : undefined;
    const key =
      started !== undefined
        ? `status ${started.nodeId} ${state} ${result.commit}`
        : isFlag(result)
          ? `flag ${result.environment} ${result.service} ${result.commit}`
          : `new ${result.environment} ${state} ${result.commit} ${view.version} ${view.phase} ${view.step} ${view.weight}`;
    const record = records.get(key) ?? { started, state, written: [] };
    record.written.push({ result, view });
    records.set(key, record);
  }
  for (const { started, state, written: group } of records.values()) {
    const [first] = group;
    const sha = first?.result.commit;
    if (first === undefined || sha === undefined) continue;
    const { result, view } = first;
    const description = group
      .map((w) => describe(w.view))
      .join('; ')
      .slice(0, 140);
    if (started !== undefined && t.graphql !== undefined) {
      await addDeploymentStatus(t.graphql, started.nodeId, {
        environment: result.environment,
        state,
        description,
        logUrl: t.ctx.runUrl,
        commitUrl: commitUrl(sha),
      });
      continue;
    }
    await recordDeployment(t.github, repo, {
      ref: t.ctx.sha,
      environment: result.environment,
      state,
      description,
      logUrl: t.ctx.runUrl,
      commitUrl: commitUrl(sha),
      payload: {
        ...(isFlag(result)
          ? { flag: result.service, variant: view.version }
          : { services: group.map((w) => w.result.service), version: view.version }),
        commit: sha,
        phase: view.phase,
        step: view.step,
        weight: view.weight,
      },
    });
  }

  for (const { result, view } of views) {
    info(
      `rollgate: ${result.environment}/${isFlag(result) ? 'flag ' : ''}${result.service} ${view.version}: ${view.action.kind} (${view.action.reasonCode}): ${view.action.message}`,
    );
  }
  for (const p of report.problems) {
    warning(`rollgate: ${p.environment}/${p.service}: ${p.message} (${p.reasonCode})`);
  }

  const summaries = views.map(({ result, view }) => summaryOf(result.environment, view));
  const environments = [...new Set(report.rollouts.map((r) => r.environment))];
  const only = views.length === 1 ? views[0]?.view : undefined;
  const jobSummary =
    reports.length > 0
      ? reports.join('\n\n')
      : views.length > 0
        ? renderRolloutReport({
            environment: environments.join(', '),
            actor: t.actor,
            via: t.via,
            at: report.at,
            rollouts: views.map((v) => v.view),
          })
        : undefined;
  const end: RunEnd = {
    kind: 'ran',
    environment: options.environment ?? (environments.length === 1 ? (environments[0] ?? '') : ''),
    services: [...new Set(report.rollouts.map((r) => r.service))],
    version: only?.version ?? '',
    status: written.length === 0 && status.kind === 'committed' ? { kind: 'no-op' } : status,
    rollouts: summaries,
    ...(only !== undefined ? { rollout: { phase: only.phase, step: only.step, weight: only.weight } } : {}),
    ...(jobSummary !== undefined ? { report: jobSummary } : {}),
    ...(options.failStep !== undefined ? { failStep: options.failStep } : {}),
  };
  return { end, stickies: updated };
}
