import type { Config } from '../config/schema.js';
import {
  changedSince,
  commitMessage,
  type Evaluation,
  evaluate,
  type ExtraFacts,
  extraOf,
  type PipelineDeps,
  type PromotionOutcome,
  promotionPaths,
  retryClock,
} from './pipeline.js';
import type { GitOpsSnapshot, GitOpsStore } from './store.js';
import { formatTrailers, oneLine } from './trailers.js';
import { formatVersion, type FileEdit, type Plan, type PromotionRequest } from './types.js';

// Several requests on one environment written as one commit: a rollback of services that go back
// to different versions (one request per version). One read of the GitOps head for all of them,
// each judged and planned on it (a later request on the files as the earlier ones leave them), and
// one commit of every plan that may be written; when the branch moved, all of them are judged again
// on the new head, as one promotion is (pipeline.ts), and a request whose services someone else
// changed meanwhile is superseded.

/**
 * The outcome of each request, in order. Requests that were committed share one commit (the same
 * `sha`); a denied, invalid, no-op or dry-run request writes nothing and does not hold the others.
 */
export async function promoteTogether(
  config: Config,
  requests: readonly PromotionRequest[],
  deps: PipelineDeps,
  /** The head already read by the caller, with every path of `togetherPaths`: the first attempt reads nothing more. */
  read?: GitOpsSnapshot,
): Promise<PromotionOutcome[]> {
  return (await writeTogether(config, requests, deps, read)).outcomes;
}

/**
 * A write that is not a promotion, made in the same commit as the requests: an active rollout's
 * abort in a rollback of several services. Planned again on every attempt's files.
 */
export interface ExtraWrite {
  readonly service: string;
  readonly edits: readonly FileEdit[];
  /** The version it leaves (a rollout's version, now held). */
  readonly version: string;
  /** What the service's stable workload runs after the commit. */
  readonly running: string;
  /** A line for the commit body. */
  readonly line: string;
  /** The commit message when this write is the commit's only one. */
  readonly message: string;
}

export interface TogetherExtra<W extends ExtraWrite> {
  /** The environment of the writes (the requests'). */
  readonly environment: string;
  /** The files `plan` reads, beside the requests' own. */
  readonly paths: readonly string[];
  plan(files: Readonly<Record<string, string | undefined>>, now: Date): readonly W[];
  /** Who asks, for a commit of several services (the same as the requests'). */
  readonly who: {
    readonly requestedBy: string;
    readonly source: string;
    readonly reason?: string;
    readonly runId?: string;
  };
  /** Plan only: the writes are reported, not committed. */
  readonly dryRun?: boolean;
  /** The message of a commit of these writes alone (no request written beside them), when not the one write's own. */
  message?(writes: readonly W[]): string;
}

export type ExtraOutcome =
  | { readonly kind: 'committed'; readonly sha: string; readonly attempts: number }
  | { readonly kind: 'dry-run' }
  | { readonly kind: 'gave-up'; readonly attempts: number; readonly detail: string }
  | { readonly kind: 'none' };

/**
 * `promoteTogether` with extra writes in the same commit: one read per attempt, one commit of every
 * request that may be written and every extra write planned on that attempt's files. The extra
 * writes come first (the requests see the files as they leave them).
 */
export async function writeTogether<W extends ExtraWrite = ExtraWrite>(
  config: Config,
  requests: readonly PromotionRequest[],
  deps: PipelineDeps,
  read?: GitOpsSnapshot,
  extra?: TogetherExtra<W>,
): Promise<{ outcomes: PromotionOutcome[]; writes: readonly W[]; extra: ExtraOutcome }> {
  const environments = new Set(requests.map((r) => r.environment));
  if (environments.size > 1)
    throw new Error(`one commit writes one environment; got ${[...environments].join(', ')}`);
  const retrying = retryClock(deps.retry);
  const outcomes: (PromotionOutcome | undefined)[] = requests.map(() => undefined);
  const first: (Evaluation | undefined)[] = requests.map(() => undefined);
  const known: (ExtraFacts | undefined)[] = requests.map(() => undefined);
  const paths = [...new Set([...togetherPaths(config, requests), ...(extra?.paths ?? [])])];
  let writes: readonly W[] = [];
  const finish = (extraOutcome: ExtraOutcome) => ({ outcomes: done(outcomes), writes, extra: extraOutcome });
  for (let attempt = 1; ; attempt++) {
    const attemptStarted = retrying.elapsed();
    const snapshot = attempt === 1 && read !== undefined ? read : await deps.store.read(paths);
    // Each request sees the files as the extra writes and the requests before it leave them.
    const files: Record<string, string | undefined> = { ...snapshot.files };
    writes = extra?.plan(snapshot.files, deps.clock()) ?? [];
    for (const w of writes) for (const edit of w.edits) files[edit.path] = edit.after;
    const committing = extra?.dryRun === true ? [] : writes;
    const writing: { index: number; evaluation: Evaluation & { plan: Plan } }[] = [];
    for (const [index, request] of requests.entries()) {
      if (outcomes[index] !== undefined) continue;
      const view: GitOpsStore = {
        read: async (wanted) => ({
          head: snapshot.head,
          files: Object.fromEntries(wanted.map((p) => [p, files[p]])),
        }),
        history: (...args) => deps.store.history(...args),
        commit: () => Promise.reject(new Error('promoteTogether commits once, for all requests')),
      };
      const evaluation = await evaluate(config, request, { ...deps, store: view }, known[index]);
      known[index] ??= extraOf(evaluation.facts);
      const before = first[index];
      if (before === undefined) first[index] = evaluation;
      else {
        const landed = changedSince(request, before, evaluation);
        if (landed.length > 0) {
          outcomes[index] = {
            kind: 'superseded',
            evaluation,
            attempts: attempt,
            reasonCode: 'superseded',
            landed,
          };
          continue;
        }
      }
      const { plan } = evaluation;
      if (plan === undefined) {
        const error = evaluation.planError ?? { reasonCode: 'plan.failed', message: 'no plan' };
        outcomes[index] = { kind: 'invalid', evaluation, ...error };
      } else if (!evaluation.decision.allowed) outcomes[index] = { kind: 'denied', evaluation };
      else if (plan.edits.length === 0) outcomes[index] = { kind: 'noop', evaluation };
      else if (request.dryRun) outcomes[index] = { kind: 'dry-run', evaluation };
      else {
        for (const edit of plan.edits) files[edit.path] = edit.after;
        writing.push({ index, evaluation: { ...evaluation, plan } });
      }
    }
    const idle: ExtraOutcome =
      writes.length === 0
        ? { kind: 'none' }
        : extra?.dryRun === true
          ? { kind: 'dry-run' }
          : { kind: 'none' };
    if (writing.length === 0 && committing.length === 0) return finish(idle);
    const edits = mergeEdits([
      ...committing.flatMap((w) => w.edits),
      ...writing.flatMap((w) => w.evaluation.plan.edits),
    ]);
    const parts = writing.map((w) => ({
      request: requests[w.index] as PromotionRequest,
      evaluation: w.evaluation,
    }));
    const message =
      committing.length === 0
        ? togetherMessage(parts, deps.simulatedClock === true)
        : parts.length === 0
          ? (extra?.message?.(committing) ?? (committing[0] as W).message)
          : rollbackMessage(
              committing,
              parts,
              extra ?? { environment: '', who: { requestedBy: '', source: '' } },
              deps.simulatedClock === true,
            );
    const head: GitOpsSnapshot = { head: snapshot.head, files: snapshot.files };
    const now = writing[0]?.evaluation.facts.now ?? deps.clock();
    const outcome = await deps.store.commit(head, edits, message, now);
    if (outcome.kind === 'committed') {
      for (const w of writing)
        outcomes[w.index] = {
          kind: 'committed',
          evaluation: w.evaluation,
          sha: outcome.sha,
          attempts: attempt,
        };
      return finish(
        committing.length > 0 ? { kind: 'committed', sha: outcome.sha, attempts: attempt } : idle,
      );
    }
    if (!(await retrying.wait(attempt, attemptStarted))) {
      for (const w of writing)
        outcomes[w.index] = {
          kind: 'gave-up',
          evaluation: w.evaluation,
          attempts: attempt,
          detail: outcome.detail,
          cause: outcome.cause ?? 'moved',
        };
      return finish(
        committing.length > 0 ? { kind: 'gave-up', attempts: attempt, detail: outcome.detail } : idle,
      );
    }
  }
}

/** Every path the requests read (the same whatever their versions). */
export function togetherPaths(
  config: Config,
  requests: readonly Omit<PromotionRequest, 'version'>[],
): string[] {
  return [...new Set(requests.flatMap((r) => promotionPaths(config, { ...r, version: {} })))];
}

function done(outcomes: readonly (PromotionOutcome | undefined)[]): PromotionOutcome[] {
  return outcomes.map((o) => {
    if (o === undefined) throw new Error('a request was left without an outcome');
    return o;
  });
}

/** Edits of one file by several plans: the first one's `before`, the last one's `after`. */
export function mergeEdits(edits: readonly FileEdit[]): FileEdit[] {
  const byPath = new Map<string, FileEdit>();
  for (const edit of edits) {
    const earlier = byPath.get(edit.path);
    byPath.set(
      edit.path,
      earlier === undefined
        ? edit
        : { ...edit, before: earlier.before, descriptions: [...earlier.descriptions, ...edit.descriptions] },
    );
  }
  return [...byPath.values()].filter((e) => e.before !== e.after);
}

/** One request's message as pipeline.ts writes it; several: one headline, every edit, each service's version. */
function togetherMessage(
  parts: readonly { request: PromotionRequest; evaluation: Evaluation & { plan: Plan } }[],
  simulatedClock: boolean,
): string {
  const options = simulatedClock ? { simulatedClock: true } : {};
  const [only, ...others] = parts;
  if (only === undefined) throw new Error('nothing to commit');
  if (others.length === 0)
    return commitMessage(only.request, only.evaluation.plan, only.evaluation.decision, options);
  const versions: Record<string, string> = {};
  const changed: string[] = [];
  for (const { request, evaluation } of parts) {
    const services =
      evaluation.plan.changedServices.length > 0 ? evaluation.plan.changedServices : request.services;
    for (const service of services) {
      versions[service] = formatVersion(request.version);
      changed.push(service);
    }
  }
  // One strategy's subject speaks for one request; several share the generic headline.
  const { headline: _one, ...firstPlan } = only.evaluation.plan;
  const plan: Plan = {
    ...firstPlan,
    changedServices: changed,
    edits: mergeEdits(parts.flatMap((p) => p.evaluation.plan.edits)),
    held: [...new Set(parts.flatMap((p) => p.evaluation.plan.held ?? []))],
  };
  return commitMessage({ ...only.request, services: changed }, plan, only.evaluation.decision, {
    ...options,
    versions,
  });
}

/**
 * A rollback of several services where some had a rollout under way (aborted) and others went back
 * to an earlier version: one headline, every edit, one Rollgate-Service/Rollgate-Version line pair
 * per service. When every service's rollout was aborted the commit reads as one abort does
 * (`Rollgate-Phase: aborted`, each version the one it leaves, held); otherwise it is a plain rollback
 * commit whose version of each service is what its stable workload runs after it.
 */
function rollbackMessage(
  writes: readonly ExtraWrite[],
  parts: readonly { request: PromotionRequest; evaluation: Evaluation & { plan: Plan } }[],
  { environment, who }: Pick<TogetherExtra<ExtraWrite>, 'environment' | 'who'>,
  simulatedClock: boolean,
): string {
  const aborts = parts.length === 0;
  const services: string[] = [];
  const versions: string[] = [];
  const held: string[] = [];
  for (const w of writes) {
    services.push(w.service);
    versions.push(aborts ? w.version : w.running);
    held.push(w.version);
  }
  for (const { request, evaluation } of parts) {
    const changed =
      evaluation.plan.changedServices.length > 0 ? evaluation.plan.changedServices : request.services;
    for (const service of changed) {
      services.push(service);
      versions.push(formatVersion(request.version));
    }
    held.push(...(evaluation.plan.held ?? []));
  }
  const edits = mergeEdits([
    ...writes.flatMap((w) => w.edits),
    ...parts.flatMap((p) => p.evaluation.plan.edits),
  ]);
  const body = [
    ...edits.flatMap((e) => e.descriptions.map((d) => `- ${oneLine(e.path)}: ${oneLine(d)}`)),
    ...writes.map((w) => `- ${oneLine(w.line)}`),
  ];
  const headline = oneLine(
    `${aborts ? 'abort rollouts of' : 'roll back'} ${services.join(', ')} in ${environment}`,
  );
  const trailers = formatTrailers({
    environment,
    services,
    version: versions[0] ?? '',
    serviceVersions: versions,
    requestedBy: who.requestedBy,
    source: who.source,
    decision: aborts ? 'abort (operator)' : 'rollback (gates skipped)',
    ...(aborts ? { phase: 'aborted' } : {}),
    ...(held.length > 0 ? { hold: [...new Set(held)].join(', ') } : {}),
    ...(who.reason !== undefined && who.reason.trim() !== '' ? { reason: who.reason } : {}),
    ...(simulatedClock ? { clock: 'simulated' } : {}),
    ...(who.runId !== undefined ? { run: who.runId } : {}),
  });
  return `${headline}\n\n${body.join('\n')}\n\n${trailers}\n`;
}
