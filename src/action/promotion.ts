import { info } from '@actions/core';
import type { Config } from '../config/schema.js';
import { promote, type Evaluation, type ExtraFacts, type PromotionOutcome } from '../core/pipeline.js';
import { recognisingStore } from '../core/own-commit.js';
import { parseVersion } from '../core/request.js';
import type { PromotionRequest, Version } from '../core/types.js';
import type { CommitOutcome, GitOpsStore } from '../core/store.js';
import type { RunStatus } from '../report/status.js';

// One promotion through the same core the CLI runs, with the Action's safety around the commit.

/** The pull request's head moved between the command and the commit: nothing is written. */
export class HeadMovedError extends Error {
  constructor(
    readonly recorded: string,
    readonly now: string,
  ) {
    super(
      `the pull request's head moved from ${recorded.slice(0, 7)} to ${now.slice(0, 7)} after the command; nothing was written. Check the new commits and comment again`,
    );
    this.name = 'HeadMovedError';
  }
}

export interface PromotionRun {
  readonly config: Config;
  readonly request: PromotionRequest;
  readonly store: GitOpsStore;
  readonly clock: () => Date;
  readonly extraFacts: ExtraFacts;
  /** Per-gate inputs fetched at the decision time (Prometheus samples for slo gates). */
  readonly gateInputs?: (
    now: Date,
    request: PromotionRequest,
  ) => Promise<{ gateInputs: Record<string, unknown> }>;
  /** Called right before the commit; throws HeadMovedError when the PR head is no longer the one recorded. */
  readonly beforeCommit?: () => Promise<void>;
}

export interface PromotionResult {
  readonly status: RunStatus;
  readonly evaluation?: Evaluation;
}

export async function runPromotion(run: PromotionRun): Promise<PromotionResult> {
  let last: CommitOutcome | undefined;
  const guarded: GitOpsStore = {
    read: (paths) => run.store.read(paths),
    history: (...args) => run.store.history(...args),
    commit: async (snapshot, edits, message, at) => {
      await run.beforeCommit?.();
      last = await commitOrRecognise(run, snapshot, edits, message, at);
      return last;
    },
  };
  try {
    const outcome = await promote(run.config, run.request, {
      store: guarded,
      clock: run.clock,
      extraFacts: async (now, request) => ({
        ...run.extraFacts,
        ...(run.gateInputs ? await run.gateInputs(now, request) : {}),
      }),
    });
    return resultOf(run.config, run.request, outcome, last);
  } catch (err) {
    if (err instanceof HeadMovedError) {
      return { status: { kind: 'aborted', reasonCode: 'head-moved', message: err.message } };
    }
    throw err;
  }
}

/** What a promotion's outcome means for the run (`last`: the store's answer to the commit, with its URL). */
export function resultOf(
  config: Config,
  request: PromotionRequest,
  outcome: PromotionOutcome,
  last?: CommitOutcome,
): PromotionResult {
  const evaluation = outcome.evaluation;
  switch (outcome.kind) {
    case 'committed': {
      const url = last?.kind === 'committed' ? last.url : undefined;
      const status: RunStatus =
        config.gitops.mode === 'pull-request' && url !== undefined
          ? { kind: 'proposed', sha: outcome.sha, url }
          : { kind: 'committed', sha: outcome.sha, ...(url !== undefined ? { url } : {}) };
      return { status, evaluation };
    }
    case 'noop':
      return { status: { kind: 'no-op' }, evaluation };
    case 'dry-run':
      return { status: { kind: 'dry-run' }, evaluation };
    case 'denied':
      return { status: { kind: 'denied' }, evaluation };
    case 'invalid':
      return {
        status: { kind: 'aborted', reasonCode: outcome.reasonCode, message: outcome.message },
        evaluation,
      };
    case 'superseded':
      return {
        status: {
          kind: 'aborted',
          reasonCode: 'superseded',
          message: `superseded: ${outcome.landed.map((l) => `${l.service} in ${request.environment} changed from ${l.was ?? 'nothing'} to ${l.now ?? 'nothing'} (${l.head.slice(0, 7)})`).join('; ')} after this command was decided; nothing was written, so that change stays. Comment again to promote ${evaluation.decision.version} over it`,
        },
        evaluation,
      };
    case 'gave-up':
      return {
        status: {
          kind: 'failed',
          message:
            outcome.cause === 'locked'
              ? `the GitOps branch stayed locked: ${outcome.attempts} attempts, last: ${outcome.detail}; nothing was written. Another writer holds the ref lock; try again`
              : `the GitOps branch kept moving: ${outcome.attempts} attempts, last: ${outcome.detail}; nothing was written, try again`,
        },
        evaluation,
      };
  }
}

/**
 * One commit; when GitHub's answer is lost (an error) or the branch looks moved, the run first looks
 * for its own commit (Rollgate-Run) at the head: if it is there, the commit landed. Pull-request
 * mode commits to a fresh branch, where a lost answer is recognised by the store itself.
 */
function commitOrRecognise(
  run: PromotionRun,
  ...[snapshot, edits, message, at]: Parameters<GitOpsStore['commit']>
): Promise<CommitOutcome> {
  const store =
    run.request.runId !== undefined && run.config.gitops.mode === 'push'
      ? recognisingStore(run.store, { log: info, afterMoved: true })
      : run.store;
  return store.commit(snapshot, edits, message, at);
}

/**
 * The version to promote: `--version` when given, otherwise the services' build tag template
 * (`sha-{{sha7}}`) filled with the commit. Returns a problem to report when neither settles it.
 */
export function resolveVersion(
  config: Config,
  services: readonly string[],
  explicit: string | undefined,
  sha: string,
): { version: Version } | { problem: string } {
  if (explicit !== undefined && explicit !== '') {
    try {
      return { version: parseVersion(explicit) };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }
  const tags = new Set<string>();
  for (const service of services) {
    const template = config.services[service]?.tag;
    if (template === undefined) {
      return {
        problem: `no version given and services.${service}.tag has no build tag template; add --version V (a tag or digest)`,
      };
    }
    tags.add(template.replaceAll('{{sha7}}', sha.slice(0, 7)).replaceAll('{{sha}}', sha));
  }
  if (tags.size !== 1) {
    return {
      problem: `no version given and the services' tag templates give different tags (${[...tags].join(', ')}); promote them one at a time or add --version V`,
    };
  }
  return { version: parseVersion([...tags][0] ?? '') };
}

/** Every org/team named by a gate of the environment (approvals teams, break-glass teams). */
export function teamsNamedBy(config: Config, environment: string): string[] {
  const teams = new Set<string>();
  const walk = (value: unknown, key: string | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (key === 'teams' && typeof item === 'string' && item.includes('/')) teams.add(item);
        else walk(item, undefined);
      }
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  for (const name of config.environments[environment]?.gates ?? [])
    walk(config.gates[name]?.config, undefined);
  return [...teams].sort();
}

/** Whether a gate of the environment reads check runs (only then are they fetched). */
export function needsChecks(config: Config, environment: string): boolean {
  return (config.environments[environment]?.gates ?? []).some(
    (name) => config.gates[name]?.kind === 'checks',
  );
}
