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
  const environments = new Set(requests.map((r) => r.environment));
  if (environments.size > 1)
    throw new Error(`one commit writes one environment; got ${[...environments].join(', ')}`);
  const retrying = retryClock(deps.retry);
  const outcomes: (PromotionOutcome | undefined)[] = requests.map(() => undefined);
  const first: (Evaluation | undefined)[] = requests.map(() => undefined);
  const known: (ExtraFacts | undefined)[] = requests.map(() => undefined);
  const paths = togetherPaths(config, requests);
  for (let attempt = 1; ; attempt++) {
    const attemptStarted = retrying.elapsed();
    const snapshot = attempt === 1 && read !== undefined ? read : await deps.store.read(paths);
    // Each request sees the files as the requests before it leave them.
    const files: Record<string, string | undefined> = { ...snapshot.files };
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
    if (writing.length === 0) return done(outcomes);
    const edits = mergeEdits(writing.flatMap((w) => w.evaluation.plan.edits));
    const message = togetherMessage(
      writing.map((w) => ({ request: requests[w.index] as PromotionRequest, evaluation: w.evaluation })),
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
      return done(outcomes);
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
      return done(outcomes);
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
function mergeEdits(edits: readonly FileEdit[]): FileEdit[] {
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
