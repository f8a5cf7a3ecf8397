import type { Config } from '../config/schema.js';
import { overlayCandidates } from '../core/overlay-paths.js';
import { previousVersion } from '../core/rollback.js';
import { runningVersions } from '../core/running.js';
import { readHistory } from '../core/history-read.js';
import type { GitOpsStore } from '../core/store.js';

/**
 * The version to roll back to: the one each service ran in the environment before its current
 * one, from rollgate's commit history. All services named must agree on it.
 */
export async function rollbackVersion(
  store: GitOpsStore,
  config: Config,
  environment: string,
  services: readonly string[],
): Promise<string | { problem: string }> {
  const snapshot = await store.read(overlayCandidates(config, services));
  const running = runningVersions(config, services, snapshot.files)[environment] ?? {};
  const history = await readHistory(
    store,
    snapshot.head,
    services.map((service) => ({ environment, service, version: running[service] })),
  );
  const targets = new Set<string>();
  for (const service of services) {
    const previous = previousVersion(history, environment, service, running[service])?.version;
    if (previous === undefined) {
      return {
        problem: `no earlier version of ${service} in ${environment} in rollgate's history to roll back to`,
      };
    }
    targets.add(previous);
  }
  if (targets.size !== 1) {
    return {
      problem: `the services ran different earlier versions (${[...targets].join(', ')}); roll them back one at a time`,
    };
  }
  return [...targets][0] ?? '';
}
