import type { Config } from '../config/schema.js';
import { decide } from './decide.js';
import { type HistoryNeed, readHistory } from './history-read.js';
import { deploysTo, overlayCandidates } from './overlay-paths.js';
import { holdVerdicts } from './hold.js';
import { isLanding, landingsFromState } from './landing.js';
import { makePlan, type PlanOutcome } from './plan.js';
import { planRolloutStart, stateOf } from './rollout-start.js';
import { stateAfterPromotion } from './rollout-state.js';
import { formatState, parseState, statePath } from './state.js';
import { strategyFor } from '../strategies/registry.js';
import { runningVersions } from './running.js';
import type { GitOpsSnapshot, GitOpsStore } from './store.js';
import { formatTrailers } from './trailers.js';
import {
  ASSERTED_NOTE,
  type Decision,
  type Facts,
  type FileEdit,
  formatVersion,
  type Plan,
  type PromotionRequest,
} from './types.js';

/** Extra facts that come from outside the GitOps repository (GitHub reviews, Prometheus samples). */
export type ExtraFacts = Omit<Facts, 'now' | 'history' | 'running'>;

export interface PipelineDeps {
  readonly store: GitOpsStore;
  /** The decision time. The CLI's `--at` sets it; nothing in the core reads the system clock. */
  readonly clock: () => Date;
  /** Facts beyond the GitOps history, fetched once per attempt (gate inputs, PR reviews); `request` fills query placeholders. */
  readonly extraFacts?: (now: Date, request: PromotionRequest) => Promise<ExtraFacts>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly maxAttempts?: number;
  /** Set when the clock is a what-if (`--simulate-clock`): the commit says Rollgate-Clock: simulated. */
  readonly simulatedClock?: boolean;
}

export interface Evaluation {
  readonly snapshot: GitOpsSnapshot;
  readonly facts: Facts;
  readonly decision: Decision;
  readonly plan: Plan | undefined;
  /** Why no plan could be made (an overlay without the image, two kustomization files). */
  readonly planError?: { readonly reasonCode: string; readonly message: string };
}

export type PromotionOutcome =
  | { readonly kind: 'denied'; readonly evaluation: Evaluation }
  | {
      readonly kind: 'invalid';
      readonly evaluation: Evaluation;
      readonly reasonCode: string;
      readonly message: string;
    }
  | { readonly kind: 'noop'; readonly evaluation: Evaluation }
  | { readonly kind: 'dry-run'; readonly evaluation: Evaluation }
  | {
      readonly kind: 'committed';
      readonly evaluation: Evaluation;
      readonly sha: string;
      readonly attempts: number;
    }
  | {
      readonly kind: 'gave-up';
      readonly evaluation: Evaluation;
      readonly attempts: number;
      readonly detail: string;
    };

/** Reads the GitOps head once and judges the request on it: facts, plan and decision. Writes nothing. */
export async function evaluate(
  config: Config,
  request: PromotionRequest,
  deps: PipelineDeps,
): Promise<Evaluation> {
  const now = deps.clock();
  // Overlays, state files and the rollout strategy's files, all in the one read.
  const [snapshot, extra] = await Promise.all([
    deps.store.read(promotionPaths(config, request)),
    deps.extraFacts ? deps.extraFacts(now, request) : Promise.resolve({}),
  ]);
  const running = runningVersions(config, request.services, snapshot.files);
  const needs = historyNeeds(config, request, running);
  const landings = await landingsFromState(deps.store, snapshot.head, config, snapshot.files, running, needs);
  const settled = new Set(landings.entries.map((e) => `${e.environment}\u0000${e.services[0] ?? ''}`));
  const read = await readHistory(deps.store, snapshot.head, landings.rest);
  const history = [
    ...landings.entries,
    ...read.filter((e) => isLanding(e) && !e.services.some((s) => settled.has(`${e.environment}\u0000${s}`))),
  ];
  const facts: Facts = { ...extra, now, history, running };
  const judged = decide(config, request, facts);
  const holds = holdVerdicts(request, snapshot.files);
  const decision =
    holds.length === 0
      ? judged
      : {
          ...judged,
          verdicts: [...judged.verdicts, ...holds],
          allowed: judged.allowed && holds.every((v) => v.outcome !== 'fail'),
        };
  const planned = planFor(config, request, snapshot.files, now, decision);
  return planned.ok
    ? { snapshot, facts, decision, plan: planned.plan }
    : {
        snapshot,
        facts,
        decision,
        plan: undefined,
        planError: { reasonCode: planned.reasonCode, message: planned.message },
      };
}

/** Every path a promotion reads: the overlays, the state files beside them, and the rollout's files. */
export function promotionPaths(config: Config, request: PromotionRequest): string[] {
  const strategy = strategyFor(config, request.environment);
  const statePaths = Object.keys(config.environments).flatMap((environment) =>
    request.services.filter((s) => deploysTo(config, environment, s)).map((s) => statePath(environment, s)),
  );
  const rolloutPaths =
    strategy === undefined
      ? []
      : request.services.flatMap((service) =>
          strategy.paths({ config, environment: request.environment, service }),
        );
  return [...new Set([...overlayCandidates(config, request.services), ...statePaths, ...rolloutPaths])];
}

/**
 * The plan of a request: a rollout start where the environment has a strategy, else the image edits;
 * either way with the state file of every changed service in the same commit.
 */
function planFor(
  config: Config,
  request: PromotionRequest,
  files: Readonly<Record<string, string | undefined>>,
  now: Date,
  decision: Decision,
): PlanOutcome {
  if (request.kind !== 'rollback' && strategyFor(config, request.environment) !== undefined) {
    const started = planRolloutStart(config, request, files, now, { overrides: overridesOf(decision) });
    return started.ok ? { ok: true, plan: started.plan } : started;
  }
  const planned = makePlan(config, request, files);
  if (!planned.ok) return planned;
  const version = formatVersion(request.version);
  const running = runningVersions(config, request.services, files)[request.environment] ?? {};
  const lifted = decision.verdicts.some((v) => v.reasonCode === 'hold.lifted');
  const stateEdits: FileEdit[] = [];
  for (const service of planned.plan.changedServices) {
    const loaded = stateOf(files, request.environment, service);
    const before = loaded.ok ? loaded.state : undefined;
    const left = running[service];
    const state = stateAfterPromotion(before, {
      environment: request.environment,
      service,
      version,
      now,
      ...(lifted ? { lift: true } : {}),
      ...(request.kind === 'rollback' && left !== undefined
        ? { hold: { version: left, reason: 'rollback' } }
        : {}),
    });
    const path = statePath(request.environment, service);
    stateEdits.push({
      path,
      before: files[path] ?? '',
      after: formatState(state),
      descriptions: [`${service} ${version} since ${state.landedAt}`],
    });
  }
  return { ok: true, plan: { ...planned.plan, edits: [...planned.plan.edits, ...stateEdits] } };
}

function overridesOf(decision: Decision): string[] {
  return decision.verdicts.flatMap((v) =>
    v.override
      ? [
          `${v.gate} by ${v.override.by} ${v.override.who}${v.override.asserted ? ` (${ASSERTED_NOTE})` : ''}: ${v.override.reason}`,
        ]
      : [],
  );
}

/**
 * What the history must answer for this request, so its read stops there: how long the version has
 * baked upstream (when a bake gate asks), and for a rollback what ran before the current version.
 */
export function historyNeeds(
  config: Config,
  request: PromotionRequest,
  running: Facts['running'],
): HistoryNeed[] {
  const env = config.environments[request.environment];
  if (env === undefined) return [];
  const needs: HistoryNeed[] = [];
  const bakes = env.gates.some((name) => config.gates[name]?.kind === 'bake');
  if (bakes && env.after !== undefined && request.kind !== 'rollback') {
    const version = formatVersion(request.version);
    for (const service of request.services) needs.push({ environment: env.after, service, version });
  }
  if (request.kind === 'rollback') {
    for (const service of request.services)
      needs.push({
        environment: request.environment,
        service,
        version: running[request.environment]?.[service],
      });
  }
  return needs;
}

/**
 * The whole promotion: evaluate, then commit the plan as one commit when allowed. When the branch
 * moved under us, everything is re-read and re-planned on the new head (bounded, with jitter), so a
 * concurrent promotion is never overwritten and never judged on stale facts.
 */
export async function promote(
  config: Config,
  request: PromotionRequest,
  deps: PipelineDeps,
): Promise<PromotionOutcome> {
  const maxAttempts = deps.maxAttempts ?? 8;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  let last: Evaluation | undefined;
  let detail = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const evaluation = await evaluate(config, request, deps);
    last = evaluation;
    if (evaluation.plan === undefined) {
      const error = evaluation.planError ?? { reasonCode: 'plan.failed', message: 'no plan' };
      return { kind: 'invalid', evaluation, ...error };
    }
    if (!evaluation.decision.allowed) return { kind: 'denied', evaluation };
    if (evaluation.plan.edits.length === 0) return { kind: 'noop', evaluation };
    if (request.dryRun) return { kind: 'dry-run', evaluation };
    const message = commitMessage(request, evaluation.plan, evaluation.decision, {
      ...(deps.simulatedClock ? { simulatedClock: true } : {}),
    });
    const outcome = await deps.store.commit(
      evaluation.snapshot,
      evaluation.plan.edits,
      message,
      evaluation.facts.now,
    );
    if (outcome.kind === 'committed')
      return { kind: 'committed', evaluation, sha: outcome.sha, attempts: attempt };
    detail = outcome.detail;
    // Full jitter on an exponential base keeps racing promoters from retrying in lockstep.
    await sleep(Math.round(random() * Math.min(2000, 50 * 2 ** attempt)));
  }
  return { kind: 'gave-up', evaluation: last as Evaluation, attempts: maxAttempts, detail };
}

export function commitMessage(
  request: PromotionRequest,
  plan: Plan,
  decision: Decision,
  options: { readonly simulatedClock?: boolean } = {},
): string {
  // Only services whose overlay changes are recorded: the others already ran the version.
  const services = plan.changedServices.length > 0 ? plan.changedServices : request.services;
  const rollout = rolloutOf(plan, services);
  const headline =
    request.kind === 'rollback'
      ? `roll back ${services.join(', ')} to ${decision.version} in ${request.environment}`
      : rollout !== undefined
        ? `start rollout of ${services.join(', ')} ${decision.version} in ${request.environment}: step ${rollout.step}/${rollout.steps}, weight ${rollout.weight}%`
        : `promote ${services.join(', ')} ${decision.version} to ${request.environment}`;
  const body = plan.edits.flatMap((e) => e.descriptions.map((d) => `- ${e.path}: ${d}`));
  const verdicts = decision.verdicts
    .filter((v) => v.kind !== 'override')
    .map((v) => `${v.gate}=${v.outcome}`)
    .join(', ');
  const lifted = decision.verdicts.some((v) => v.reasonCode === 'hold.lifted');
  const trailers = formatTrailers({
    environment: request.environment,
    services,
    version: decision.version,
    requestedBy: request.requestedBy,
    source: request.source,
    decision:
      request.kind === 'rollback' ? 'rollback (gates skipped)' : `allowed (${verdicts || 'no gates'})`,
    overrides: overridesOf(decision),
    ...(rollout !== undefined
      ? {
          phase: rollout.phase,
          step: `${rollout.step}/${rollout.steps}`,
          weight: String(rollout.weight),
          ...(rollout.stable !== undefined ? { stable: rollout.stable } : {}),
        }
      : {}),
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    ...(lifted ? { reasonFor: 'hold-lifted' } : {}),
    ...(options.simulatedClock ? { clock: 'simulated' } : {}),
  });
  return `${headline}\n\n${body.join('\n')}\n\n${trailers}\n`;
}

/** The rollout a start plan writes, read back from the state files it carries. */
function rolloutOf(plan: Plan, services: readonly string[]) {
  for (const service of services) {
    const edit = plan.edits.find((e) => e.path === statePath(plan.environment, service));
    if (edit === undefined) continue;
    const parsed = parseState(edit.path, edit.after);
    if (parsed.ok && parsed.state.rollout !== undefined && parsed.state.rollout.phase === 'progressing') {
      return { ...parsed.state.rollout, stable: parsed.state.stable };
    }
  }
  return undefined;
}
