import type { Config } from '../config/schema.js';
import { strategyFor } from '../strategies/registry.js';
import { deploysTo, overlayCandidates } from './overlay-paths.js';
import { driftOf } from './rollout-run.js';
import { stateOf } from './rollout-start.js';
import { activeRollout, type Hold, statePath } from './state.js';

// What `status` shows of rollouts and holds, from the one read of overlays and state files (pure).

export interface RolloutStatus {
  /** The last version that finished; what a rollback returns to. */
  readonly stable: string | undefined;
  readonly rollout?: {
    readonly version: string;
    readonly phase: string;
    readonly active: boolean;
    readonly step: number;
    readonly steps: number;
    readonly weight: number;
    /** When the current step's window began. */
    readonly since: string;
    /** The end of the current hold: the earliest time a tick may act (freeze and analysis permitting). */
    readonly nextEligibleAt?: string;
    readonly reason?: string;
    /** The analysis figures recorded with the last action. */
    readonly analysis?: string;
  };
  readonly holds: readonly Hold[];
  /** Where the overlay disagrees with the state of an active rollout (empty when it agrees). */
  readonly drift: readonly string[];
  /** A state file that does not parse, with file:line:col. */
  readonly problem?: string;
}

/** Every path `status` reads: overlays, state files and the rollout strategies' files. */
export function statusPaths(config: Config): string[] {
  const services = Object.keys(config.services);
  const paths = overlayCandidates(config, services);
  for (const environment of Object.keys(config.environments)) {
    const strategy = strategyFor(config, environment);
    for (const service of services) {
      if (!deploysTo(config, environment, service)) continue;
      paths.push(statePath(environment, service));
      if (strategy !== undefined) paths.push(...strategy.paths({ config, environment, service }));
    }
  }
  return [...new Set(paths)];
}

export function rolloutStatus(
  config: Config,
  environment: string,
  service: string,
  files: Readonly<Record<string, string | undefined>>,
): RolloutStatus {
  const loaded = stateOf(files, environment, service);
  if (!loaded.ok) return { stable: undefined, holds: [], drift: [], problem: loaded.message };
  const state = loaded.state;
  if (state === undefined) return { stable: undefined, holds: [], drift: [] };
  const r = state.rollout;
  const active = activeRollout(state);
  const strategy = strategyFor(config, environment);
  const target = strategy === undefined ? undefined : { config, environment, service, strategy };
  const holdMs =
    active !== undefined && target !== undefined ? target.strategy.holdMs(target, active) : undefined;
  const drift =
    active !== undefined && target !== undefined ? driftOf(target, files, state, active) : ([] as string[]);
  return {
    stable: state.stable,
    ...(r !== undefined
      ? {
          rollout: {
            version: r.version,
            phase: r.phase,
            active: active !== undefined,
            step: r.step,
            steps: r.steps,
            weight: r.weight,
            since: r.windowStart,
            ...(holdMs !== undefined && r.phase !== 'paused'
              ? { nextEligibleAt: new Date(Date.parse(r.windowStart) + holdMs).toISOString() }
              : {}),
            ...(r.reason !== undefined ? { reason: r.reason } : {}),
            ...(r.analysis !== undefined ? { analysis: r.analysis } : {}),
          },
        }
      : {}),
    holds: state.holds ?? [],
    drift,
  };
}
