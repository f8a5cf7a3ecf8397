import type { Config } from '../config/schema.js';
import { decide } from './decide.js';
import { downgradeVerdicts, isSemverTag, reasonFor } from './downgrade.js';
import { type HistoryNeed, readHistory } from './history-read.js';
import { deploysTo } from './overlay-paths.js';
import { holdVerdicts } from './hold.js';
import { isLanding, landingsFromState } from './landing.js';
import { makePlan, type PlanOutcome } from './plan.js';
import { planStrategyRollback } from './rollout-rollback.js';
import { planRolloutStart, stateOf } from './rollout-start.js';
import { stateAfterPromotion } from './rollout-state.js';
import { formatState, isBeforePromotion, parseState, statePath } from './state.js';
import { strategyFor } from '../strategies/registry.js';
import { runningPaths, runningVersions } from './running.js';
import type { GitOpsSnapshot, GitOpsStore } from './store.js';
import { formatTrailers, oneLine } from './trailers.js';
import {
  ASSERTED_NOTE,
  type Decision,
  type Facts,
  type FileEdit,
  formatVersion,
  type Plan,
  type PromotionRequest,
  type Verdict,
} from './types.js';

/** Extra facts that come from outside the GitOps repository (GitHub reviews, Prometheus samples). */
export type ExtraFacts = Omit<Facts, 'now' | 'history' | 'running'>;

export interface PipelineDeps {
  readonly store: GitOpsStore;
  /** The decision time. The CLI's `--at` sets it; nothing in the core reads the system clock. */
  readonly clock: () => Date;
  /** Facts beyond the GitOps history, fetched once per promotion (gate inputs, PR reviews); `request` fills query placeholders. */
  readonly extraFacts?: (now: Date, request: PromotionRequest) => Promise<ExtraFacts>;
  /** Retries after a moved branch: until the deadline (default 120 s), with full jitter. */
  readonly retry?: RetryOptions;
  /** Set when the clock is a what-if (`--simulate-clock`): the commit says Rollgate-Clock: simulated. */
  readonly simulatedClock?: boolean;
}

export interface RetryOptions {
  /** How long to keep trying from the first read, in ms. */
  readonly deadlineMs?: number;
  /** Milliseconds from an arbitrary origin (performance.now by default); the tests inject one. */
  readonly elapsed?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly maxAttempts?: number;
}

/** A service another promotion changed between this one's decision and its commit. */
export interface Landed {
  readonly service: string;
  /** What ran when this promotion was decided. */
  readonly was: string | undefined;
  /** What runs now. */
  readonly now: string | undefined;
  /** The head that holds it. */
  readonly head: string;
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
      /** Another promotion landed a different version of a service of this one meanwhile: stop, do not overwrite it. */
      readonly kind: 'superseded';
      readonly evaluation: Evaluation;
      readonly attempts: number;
      readonly reasonCode: 'superseded';
      readonly landed: readonly Landed[];
    }
  | {
      readonly kind: 'gave-up';
      readonly evaluation: Evaluation;
      readonly attempts: number;
      readonly detail: string;
      /** moved: the branch kept moving until the deadline; locked: the branch ref stayed locked. */
      readonly cause: 'moved' | 'locked';
    };

/** Reads the GitOps head once and judges the request on it: facts, plan and decision. Writes nothing. */
export async function evaluate(
  config: Config,
  request: PromotionRequest,
  deps: PipelineDeps,
  /** Facts from outside the GitOps repository already fetched (a retry re-reads only the GitOps head). */
  known?: ExtraFacts,
): Promise<Evaluation> {
  const now = deps.clock();
  // Overlays, state files and the rollout strategy's files, all in the one read.
  const [snapshot, extra] = await Promise.all([
    deps.store.read(promotionPaths(config, request)),
    known !== undefined ? known : deps.extraFacts ? deps.extraFacts(now, request) : Promise.resolve({}),
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
  const decision = withVerdicts(decide(config, request, facts), [
    ...downgradeVerdicts(request, facts),
    ...holdVerdicts(request, snapshot.files),
  ]);
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

/** Every path a promotion reads: the overlays (and what serves in each), the state files beside them, and the rollout's files. */
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
  // runningPaths: every environment's overlays, and the files that say what serves there (a
  // blue-green environment's traffic file), so `after:` and bake read what users get upstream.
  return [...new Set([...runningPaths(config, request.services), ...statePaths, ...rolloutPaths])];
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
  if (request.kind === 'rollback') {
    // A strategy with its own way back (blue-green: switch back, or scale the colour up first).
    const rollback = planStrategyRollback(config, request, files, now);
    if (rollback !== undefined) return rollback;
  }
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
  const held = new Set<string>();
  for (const service of planned.plan.changedServices) {
    const loaded = stateOf(files, request.environment, service);
    const before = loaded.ok ? loaded.state : undefined;
    const left = running[service];
    if (request.kind === 'rollback' && left !== undefined) held.add(left);
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
  return {
    ok: true,
    plan: {
      ...planned.plan,
      edits: [...planned.plan.edits, ...stateEdits],
      ...(held.size > 0 ? { held: [...held] } : {}),
    },
  };
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

function withVerdicts(decision: Decision, extra: readonly Verdict[]): Decision {
  if (extra.length === 0) return decision;
  const verdicts = [...decision.verdicts, ...extra];
  return { ...decision, verdicts, allowed: verdicts.every((v) => v.outcome !== 'fail') };
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
  } else {
    // A version that is not semver is older when it is the one that ran before (downgrade.ts).
    const version = formatVersion(request.version);
    for (const service of request.services) {
      const current = running[request.environment]?.[service];
      if (current !== undefined && current !== version && !(isSemverTag(version) && isSemverTag(current)))
        needs.push({ environment: request.environment, service, version: current });
    }
  }
  return needs;
}

/**
 * The whole promotion: evaluate, then commit the plan as one commit when allowed. When the branch
 * moved under us, the GitOps head is re-read (only what changed is fetched) and the plan re-made on
 * it, until a deadline, with full jitter, so a concurrent promotion is never overwritten and never
 * judged on stale facts. When the re-read shows that a service of this promotion was changed by
 * someone else since the decision, it stops: `superseded`, never a silent revert.
 */
export async function promote(
  config: Config,
  request: PromotionRequest,
  deps: PipelineDeps,
): Promise<PromotionOutcome> {
  const retrying = retryClock(deps.retry);
  let first: Evaluation | undefined;
  let known: ExtraFacts | undefined;
  for (let attempt = 1; ; attempt++) {
    const attemptStarted = retrying.elapsed();
    const evaluation = await evaluate(config, request, deps, known);
    known ??= extraOf(evaluation.facts);
    if (first === undefined) first = evaluation;
    else {
      const landed = changedSince(request, first, evaluation);
      if (landed.length > 0)
        return { kind: 'superseded', evaluation, attempts: attempt, reasonCode: 'superseded', landed };
    }
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
    if (!(await retrying.wait(attempt, attemptStarted)))
      return {
        kind: 'gave-up',
        evaluation,
        attempts: attempt,
        detail: outcome.detail,
        cause: outcome.cause ?? 'moved',
      };
  }
}

/**
 * The retry policy of a promotion whose branch moved: `wait` sleeps before the next attempt and
 * answers false once the deadline has passed (give up).
 */
export function retryClock(retry: RetryOptions = {}): {
  elapsed: () => number;
  wait: (attempt: number, attemptStarted: number) => Promise<boolean>;
} {
  const deadlineMs = retry.deadlineMs ?? 120_000;
  const elapsed = retry.elapsed ?? (() => performance.now());
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = retry.random ?? Math.random;
  const started = elapsed();
  return {
    elapsed,
    async wait(attempt, attemptStarted) {
      const spent = elapsed() - started;
      if (spent >= deadlineMs) return false;
      // Full jitter on an exponential base keeps racing promoters from retrying in lockstep. The base
      // is the attempt's own duration, and the window doubles without a small cap (the deadline caps
      // it): N racers settle when their retries spread over about N attempts' time, so one lands per
      // attempt instead of all colliding again.
      const base = Math.max(25, elapsed() - attemptStarted);
      const backoff = random() * base * 2 ** Math.min(attempt - 1, 16);
      await sleep(Math.round(Math.min(backoff, deadlineMs - spent)));
      return true;
    },
  };
}

export function extraOf(facts: Facts): ExtraFacts {
  const { now: _now, history: _history, running: _running, ...extra } = facts;
  return extra;
}

/** Services of the request whose version in its environment changed between two reads. */
export function changedSince(request: PromotionRequest, before: Evaluation, after: Evaluation): Landed[] {
  const env = request.environment;
  const target = request.kind === 'rollback' ? undefined : formatVersion(request.version);
  return request.services.flatMap((service) => {
    const was = before.facts.running[env]?.[service];
    const now = after.facts.running[env]?.[service];
    // The same version landing is not a conflict: the plan is then simply empty (no-op).
    if (was === now || (target !== undefined && now === target)) return [];
    return [{ service, was, now, head: after.snapshot.head }];
  });
}

export function commitMessage(
  request: PromotionRequest,
  plan: Plan,
  decision: Decision,
  options: {
    readonly simulatedClock?: boolean;
    /** Services set to different versions in this one commit (promote-together.ts): each one's version. */
    readonly versions?: Readonly<Record<string, string>>;
  } = {},
): string {
  // Only services whose overlay changes are recorded: the others already ran the version.
  const services = plan.changedServices.length > 0 ? plan.changedServices : request.services;
  const rollout = rolloutOf(plan, services);
  const versions = options.versions;
  const each = (word: string) =>
    services.map((s) => `${s}${word}${versions?.[s] ?? decision.version}`).join(', ');
  const headline = oneLine(
    plan.headline !== undefined
      ? plan.headline
      : versions !== undefined
        ? request.kind === 'rollback'
          ? `roll back ${each(' to ')} in ${request.environment}`
          : `promote ${each(' ')} to ${request.environment}`
        : request.kind === 'rollback'
          ? `roll back ${services.join(', ')} to ${decision.version} in ${request.environment}`
          : rollout !== undefined
            ? `start rollout of ${services.join(', ')} ${decision.version} in ${request.environment}: step ${rollout.step}/${rollout.steps}, weight ${rollout.weight}%`
            : `promote ${services.join(', ')} ${decision.version} to ${request.environment}`,
  );
  // Descriptions quote values read from overlays: one line each, whatever the file held.
  const body = plan.edits.flatMap((e) => e.descriptions.map((d) => `- ${oneLine(e.path)}: ${oneLine(d)}`));
  const verdicts = decision.verdicts
    .filter((v) => v.kind !== 'override')
    // A pass resting on the operator's word (--approved-by) says so, as an asserted override does.
    .map((v) => `${v.gate}=${v.outcome}${v.details['asserted'] === true ? ` (${ASSERTED_NOTE})` : ''}`)
    .join(', ');
  const trailers = formatTrailers({
    environment: request.environment,
    services,
    version: decision.version,
    ...(versions !== undefined
      ? { serviceVersions: services.map((s) => versions[s] ?? decision.version) }
      : {}),
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
    // DESIGN.md: a rollback holds the version it leaves, in the state file and in the audit trail.
    ...(plan.held !== undefined && plan.held.length > 0 ? { hold: plan.held.join(', ') } : {}),
    ...reasonTrailers(request, decision),
    ...(options.simulatedClock ? { clock: 'simulated' } : {}),
    ...(request.runId !== undefined ? { run: request.runId } : {}),
    ...(request.sourceTime !== undefined && request.kind !== 'rollback'
      ? { sourceTime: request.sourceTime }
      : {}),
  });
  return `${headline}\n\n${body.join('\n')}\n\n${trailers}\n`;
}

/** The rollout a start plan writes, read back from the state files it carries. */
export function rolloutOf(plan: Plan, services: readonly string[]) {
  for (const service of services) {
    const edit = plan.edits.find((e) => e.path === statePath(plan.environment, service));
    if (edit === undefined) continue;
    const parsed = parseState(edit.path, edit.after);
    if (parsed.ok && parsed.state.rollout !== undefined && isBeforePromotion(parsed.state.rollout.phase)) {
      return { ...parsed.state.rollout, stable: parsed.state.stable };
    }
  }
  return undefined;
}

/** The text of --reason, and separately why it was needed (downgrade, hold-lifted, break-glass). */
function reasonTrailers(
  request: PromotionRequest,
  decision: Decision,
): { reason?: string; reasonFor?: string } {
  const text = request.reason?.trim() ?? '';
  if (text === '') return {};
  const why = reasonFor(decision.verdicts);
  return { reason: text, ...(why !== undefined ? { reasonFor: why } : {}) };
}
