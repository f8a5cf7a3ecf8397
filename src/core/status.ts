import type { Config } from '../config/schema.js';
import { landedAt } from './history.js';
import { deploysTo } from './overlay-paths.js';
import { overlayProblems, runningVersions } from './running.js';
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
}

/** Every service's version in every environment, in pipeline order, from one snapshot (pure). */
export function pipelineStatus(
  config: Config,
  files: Readonly<Record<string, string | undefined>>,
  history: readonly HistoryEntry[],
): StatusRow[] {
  const services = Object.keys(config.services);
  const running = runningVersions(config, services, files);
  const problems = overlayProblems(config, services, files);
  return environmentOrder(config).flatMap((environment) =>
    services
      .filter((service) => deploysTo(config, environment, service))
      .map((service): StatusRow => {
        const version = running[environment]?.[service];
        const since = version === undefined ? undefined : landedAt(history, environment, service, version);
        const problem = problems.find((p) => p.environment === environment && p.service === service);
        return {
          environment,
          service,
          version,
          since: since?.toISOString(),
          ...(problem === undefined ? {} : { problem: problem.message }),
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
