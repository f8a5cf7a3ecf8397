import type { Config } from '../config/schema.js';
import type { RolloutDeps, RolloutStore } from '../core/rollout-run.js';
import type { ActionContext } from './context.js';

/** The engine's ports for the Action: the GitHub store, the run's one clock, Prometheus over the window. */
export function rolloutDeps(
  _config: Config,
  _ctx: ActionContext,
  store: RolloutStore,
  clock: () => Date,
): RolloutDeps {
  return { store, clock };
}
