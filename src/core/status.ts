import type { Config } from '../config/schema.js';
import { landedAt } from './history.js';
import { deploysTo } from './overlay-paths.js';
import { runningOf } from './running.js';
import type { ServingWorkload } from '../strategies/strategy.js';
import type { HistoryEntry } from './types.js';

export interface StatusRow {
  readonly environment: string;
  readonly service: string;
  /** What the overlay pins now; undefined when the overlay or the image is missing. */
  readonly version: string | undefined;
  /** When rollgate put that version there, if it did. */
  readonly since: string | undefined;
  /** Why the overlay could not be read (file:line:col and the cause), when it could not. */
  readonly problem?: string;
  /** Blue-green: both colours, the live one marked, with their versions and replicas. */
  readonly workloads?: readonly ServingWorkload[];
}

/** Every service's version in every environment, in pipeline order, from one snapshot (pure). */
export function pipelineStatus(
  config: Config,
  files: Readonly<Record<string, string | undefined>>,
  history: readonly HistoryEntry[],
): StatusRow[] {
  const services = Object.keys(config.services);
  return environmentOrder(config).flatMap((environment) =>
    services
      .filter((service) => deploysTo(config, environment, service))
      .map((service): StatusRow => {
        const running = runningOf(config, environment, service, files);
        const version = running?.version;
        const since = version === undefined ? undefined : landedAt(history, environment, service, version);
        return {
          environment,
          service,
          version,
          since: since?.toISOString(),
          ...(running?.problem === undefined ? {} : { problem: running.problem }),
          ...(running?.workloads === undefined ? {} : { workloads: running.workloads }),
        };
      }),
  );
}

/** Environments sorted so that each comes after the one named by its `after` (config order otherwise). */
export function environmentOrder(config: Config): string[] {
  const names = Object.keys(config.environments);
  const depth = (name: string): number => {
    let n = 0;
    for (
      let e = config.environments[name]?.after;
      e !== undefined && n <= names.length;
      e = config.environments[e]?.after
    )
      n++;
    return n;
  };
  return names
    .map((name, index) => ({ name, index, d: depth(name) }))
    .sort((a, b) => a.d - b.d || a.index - b.index)
    .map((x) => x.name);
}
