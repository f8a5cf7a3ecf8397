import { info } from '@actions/core';
import { recognisingStore } from '../core/own-commit.js';
import type { RolloutDeps } from '../core/rollout-run.js';
import type { GitOpsStore } from '../core/store.js';
import { fetchAnalysisInputs } from '../facts/fetchers.js';
import type { ActionContext } from './context.js';

/**
 * The engine's ports for the Action: the GitHub store, the run's one clock, Prometheus over the
 * window. Every commit names the run (Rollgate-Run), and the store recognises a commit of this run
 * whose answer was lost (a 5xx after it landed), so the tick reports the step it made, not a wait.
 */
export function rolloutDeps(ctx: ActionContext, store: GitOpsStore, clock: () => Date): RolloutDeps {
  return {
    store: recognisingStore(store, { log: info, afterMoved: true }),
    clock,
    runId: ctx.runId,
    analysis: (gates, window, subject) => fetchAnalysisInputs(gates, window, { ...subject, env: ctx.env }),
  };
}
