import type { Config } from '../config/schema.js';
import { readImages } from '../overlays/kustomization.js';
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
      const image = readImages(found.text).find((i) => i.name === imageNameOf(config, service));
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
