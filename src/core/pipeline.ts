import type { Config } from '../config/schema.js';
import { decide } from './decide.js';
import { type HistoryNeed, readHistory } from './history-read.js';
import { overlayCandidates } from './overlay-paths.js';
import { makePlan } from './plan.js';
import { runningVersions } from './running.js';
import type { GitOpsSnapshot, GitOpsStore } from './store.js';
import { formatTrailers } from './trailers.js';
import { type Decision, type Facts, formatVersion, type Plan, type PromotionRequest } from './types.js';

/** Extra facts that come from outside the GitOps repository (GitHub reviews, Prometheus samples). */
export type ExtraFacts = Omit<Facts, 'now' | 'history' | 'running'>;

export interface PipelineDeps {
  readonly store: GitOpsStore;
  /** The decision time. The CLI's `--at` sets it; nothing in the core reads the system clock. */
  readonly clock: () => Date;
  /** Facts beyond the GitOps history, fetched once per attempt (gate inputs, PR reviews). */
  readonly extraFacts?: (now: Date) => Promise<ExtraFacts>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly maxAttempts?: number;
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
  const [snapshot, extra] = await Promise.all([
    deps.store.read(overlayCandidates(config, request.services)),
    deps.extraFacts ? deps.extraFacts(now) : Promise.resolve({}),
  ]);
  const running = runningVersions(config, request.services, snapshot.files);
  const history = await readHistory(deps.store, snapshot.head, historyNeeds(config, request, running));
  const facts: Facts = { ...extra, now, history, running };
  const decision = decide(config, request, facts);
  const planned = makePlan(config, request, snapshot.files);
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
    const message = commitMessage(request, evaluation.plan, evaluation.decision);
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

export function commitMessage(request: PromotionRequest, plan: Plan, decision: Decision): string {
  // Only services whose overlay changes are recorded: the others already ran the version.
  const services = plan.changedServices.length > 0 ? plan.changedServices : request.services;
  const headline =
    request.kind === 'rollback'
      ? `roll back ${services.join(', ')} to ${decision.version} in ${request.environment}`
      : `promote ${services.join(', ')} ${decision.version} to ${request.environment}`;
  const body = plan.edits.flatMap((e) => e.descriptions.map((d) => `- ${e.path}: ${d}`));
  const verdicts = decision.verdicts
    .filter((v) => v.kind !== 'override')
    .map((v) => `${v.gate}=${v.outcome}`)
    .join(', ');
  const overrides = decision.verdicts.flatMap((v) =>
    v.override ? [`${v.gate} by ${v.override.by} ${v.override.who}: ${v.override.reason}`] : [],
  );
  const trailers = formatTrailers({
    environment: request.environment,
    services,
    version: decision.version,
    requestedBy: request.requestedBy,
    source: request.source,
    decision:
      request.kind === 'rollback' ? 'rollback (gates skipped)' : `allowed (${verdicts || 'no gates'})`,
    overrides,
  });
  return `${headline}\n\n${body.join('\n')}\n\n${trailers}\n`;
}
