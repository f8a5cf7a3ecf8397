import type { Config } from '../config/schema.js';
import { yamlLimitsOf } from '../config/yaml-limits.js';
import { failureText, isFailure } from '../overlays/cst-edit.js';
import { imagesOf } from '../overlays/kustomization.js';
import { strategyFor } from '../strategies/registry.js';
import type { ServingWorkload } from '../strategies/strategy.js';
import { findKustomization, imageNameOf, overlayCandidates, overlayDir, deploysTo } from './overlay-paths.js';
import { formatVersion } from './types.js';

// "The version of an environment": what serves users of a service there. Every reader (status,
// the `after:` order gate, bake, rollback, the pipeline picture) asks here. It is the service's own
// image entry, unless the environment's strategy decides what serves (blue-green: the live colour,
// read from the traffic file, with both colours' versions).

type Files = Readonly<Record<string, string | undefined>>;

/** What serves one service in one environment, from a snapshot (pure). */
export interface RunningService {
  readonly version: string | undefined;
  /** The strategy's workloads (blue-green: both colours), when the strategy decides what serves. */
  readonly workloads?: readonly ServingWorkload[];
  /** Why it cannot be told (file:line:col and the cause), when it cannot. */
  readonly problem?: string;
}

/** Every path the running versions are read from: the overlays, and the files of strategies that decide what serves. */
export function runningPaths(config: Config, services: readonly string[]): string[] {
  const paths = overlayCandidates(config, services);
  for (const environment of Object.keys(config.environments)) {
    const strategy = strategyFor(config, environment);
    if (strategy?.serving === undefined) continue;
    for (const service of services)
      if (deploysTo(config, environment, service))
        paths.push(...strategy.paths({ config, environment, service }));
  }
  return [...new Set(paths)];
}

/** What serves `service` in `environment`; undefined when it is not deployed there (no overlay, no image). */
export function runningOf(
  config: Config,
  environment: string,
  service: string,
  files: Files,
): RunningService | undefined {
  if (!deploysTo(config, environment, service)) return undefined;
  const found = findKustomization(files, overlayDir(config, environment, service));
  const strategy = strategyFor(config, environment);
  if (strategy?.serving !== undefined) {
    const serving = strategy.serving({ config, environment, service }, files);
    if ('message' in serving) {
      return found.kind === 'found' ? { version: undefined, problem: serving.message } : undefined;
    }
    return { version: serving.version, workloads: serving.workloads };
  }
  if (found.kind !== 'found') return undefined;
  const images = imagesOf(found.text, yamlLimitsOf(config));
  if (isFailure(images)) return { version: undefined, problem: failureText(found.path, images) };
  const image = images.find((i) => i.name === imageNameOf(config, service));
  if (image === undefined) return undefined;
  const version = formatVersion({
    ...(image.newTag !== undefined ? { tag: image.newTag } : {}),
    ...(image.digest !== undefined ? { digest: image.digest } : {}),
  });
  return { version: version || undefined };
}

/** Which version serves each service in each environment, read from the overlays of a snapshot. */
export function runningVersions(
  config: Config,
  services: readonly string[],
  files: Files,
): Record<string, Record<string, string | undefined>> {
  const running: Record<string, Record<string, string | undefined>> = {};
  for (const environment of Object.keys(config.environments)) {
    const perService: Record<string, string | undefined> = {};
    for (const service of services) {
      const found = runningOf(config, environment, service, files);
      if (found !== undefined && found.problem === undefined) perService[service] = found.version;
    }
    running[environment] = perService;
  }
  return running;
}

/** An overlay that exists but cannot be read (too large, binary, a link, bad YAML), per environment and service. */
export interface OverlayProblem {
  readonly environment: string;
  readonly service: string;
  readonly message: string;
}

/** Every overlay of a snapshot that cannot be read, with the reason and file:line:col (pure). */
export function overlayProblems(config: Config, services: readonly string[], files: Files): OverlayProblem[] {
  const problems: OverlayProblem[] = [];
  for (const environment of Object.keys(config.environments)) {
    for (const service of services) {
      const problem = runningOf(config, environment, service, files)?.problem;
      if (problem !== undefined) problems.push({ environment, service, message: problem });
    }
  }
  return problems;
}
