import type { RolloutDeps, RolloutStore } from '../core/rollout-run.js';
import { fetchAnalysisInputs } from '../facts/fetchers.js';
import type { ActionContext } from './context.js';

/** The engine's ports for the Action: the GitHub store, the run's one clock, Prometheus over the window. */
export function rolloutDeps(ctx: ActionContext, store: RolloutStore, clock: () => Date): RolloutDeps {
  return {
    store,
    clock,
    analysis: (gates, window, subject) => fetchAnalysisInputs(gates, window, { ...subject, env: ctx.env }),
  };
}
