import type { Config } from '../config/schema.js';
import { flagLayout, flagStrategy } from '../strategies/flag.js';
import { strategyFor } from '../strategies/registry.js';
import type { Strategy, StrategyTarget } from '../strategies/strategy.js';
import { deploysTo, overlayCandidates } from './overlay-paths.js';
import { driftOf } from './rollout-run.js';
import { stateOf } from './rollout-start.js';
import { activeRollout, flagStatePath, type Hold, statePath } from './state.js';

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

/** A feature-flag rollout as `status` lists it (`environments.<env>.flags.<flag>`). */
export interface FlagRolloutStatus extends RolloutStatus {
  readonly environment: string;
  /** The rollout's name (`--flag NAME`). */
  readonly flag: string;
  /** The variant rolled out. */
  readonly variant: string;
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
  // Flag rollouts: the state file and the flag's file (for drift), in the same read.
  paths.push(...flagStatusPaths(config));
  return [...new Set(paths)];
}

/** What flagRolloutStatuses reads: each flag rollout's state file and its flag file. */
export function flagStatusPaths(config: Config): string[] {
  return Object.keys(config.environments).flatMap((environment) =>
    flagTargets(config, environment).flatMap((target) => [
      flagStatePath(environment, target.service),
      ...target.strategy.paths(target),
    ]),
  );
}

/** A rollout target with its strategy. */
type Rolling = StrategyTarget & { readonly strategy: Strategy };

function flagTargets(config: Config, environment: string): Rolling[] {
  return Object.keys(config.environments[environment]?.flags ?? {}).map((name) => ({
    config,
    environment,
    service: name,
    flag: name,
    strategy: flagStrategy,
  }));
}

/** Every flag rollout of the configuration, with its state (none yet: no rollout, no holds). */
export function flagRolloutStatuses(
  config: Config,
  files: Readonly<Record<string, string | undefined>>,
): FlagRolloutStatus[] {
  return Object.keys(config.environments).flatMap((environment) =>
    flagTargets(config, environment).map((target) => ({
      environment,
      flag: target.service,
      variant: flagLayout(target).variant,
      ...statusOf(target, files, environment, target.service, flagStatePath(environment, target.service)),
    })),
  );
}

export function rolloutStatus(
  config: Config,
  environment: string,
  service: string,
  files: Readonly<Record<string, string | undefined>>,
): RolloutStatus {
  const strategy = strategyFor(config, environment);
  const target = strategy === undefined ? undefined : { config, environment, service, strategy };
  return statusOf(target, files, environment, service, statePath(environment, service));
}

/** The status of one rollout from its state file at `path` (`target`: its strategy, if any). */
function statusOf(
  target: Rolling | undefined,
  files: Readonly<Record<string, string | undefined>>,
  environment: string,
  service: string,
  path: string,
): RolloutStatus {
  const loaded = stateOf(files, environment, service, path);
  if (!loaded.ok) return { stable: undefined, holds: [], drift: [], problem: loaded.message };
  const state = loaded.state;
  if (state === undefined) return { stable: undefined, holds: [], drift: [] };
  const r = state.rollout;
  const active = activeRollout(state);
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
