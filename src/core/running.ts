import { type Config, yamlLimitsOf } from '../config/schema.js';
import { failureText, isFailure } from '../overlays/cst-edit.js';
import { imagesOf } from '../overlays/kustomization.js';
import { findKustomization, imageNameOf, overlayDir, deploysTo } from './overlay-paths.js';
import { formatVersion } from './types.js';

/** Which version each service runs in each environment, read from the overlays of a snapshot. */
export function runningVersions(
  config: Config,
  services: readonly string[],
  files: Readonly<Record<string, string | undefined>>,
): Record<string, Record<string, string | undefined>> {
  const running: Record<string, Record<string, string | undefined>> = {};
  for (const environment of Object.keys(config.environments)) {
    const perService: Record<string, string | undefined> = {};
    for (const service of services) {
      if (!deploysTo(config, environment, service)) continue;
      const found = findKustomization(files, overlayDir(config, environment, service));
      if (found.kind !== 'found') continue;
      const images = imagesOf(found.text, yamlLimitsOf(config));
      const image = isFailure(images)
        ? undefined
        : images.find((i) => i.name === imageNameOf(config, service));
      if (image === undefined) continue;
      const version = formatVersion({
        ...(image.newTag !== undefined ? { tag: image.newTag } : {}),
        ...(image.digest !== undefined ? { digest: image.digest } : {}),
      });
      perService[service] = version || undefined;
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
export function overlayProblems(
  config: Config,
  services: readonly string[],
  files: Readonly<Record<string, string | undefined>>,
): OverlayProblem[] {
  const problems: OverlayProblem[] = [];
  for (const environment of Object.keys(config.environments)) {
    for (const service of services) {
      if (!deploysTo(config, environment, service)) continue;
      const found = findKustomization(files, overlayDir(config, environment, service));
      if (found.kind !== 'found') continue;
      const images = imagesOf(found.text, yamlLimitsOf(config));
      if (isFailure(images))
        problems.push({ environment, service, message: failureText(found.path, images) });
    }
  }
  return problems;
}
