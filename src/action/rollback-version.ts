import type { Config } from '../config/schema.js';
import { heldVersions } from '../core/hold.js';
import { rollbackTarget } from '../core/rollback.js';
import { runningPaths, runningVersions } from '../core/running.js';
import { readHistory } from '../core/history-read.js';
import { activeRollout, statePath } from '../core/state.js';
import { stateOf } from '../core/rollout-start.js';
import type { GitOpsStore } from '../core/store.js';

/**
 * The version to roll back to: the one each service ran in the environment before its current
 * one, from rollgate's commit history, never a held one. All services named must agree on it.
 */
export async function rollbackVersion(
  store: GitOpsStore,
  config: Config,
  environment: string,
  services: readonly string[],
): Promise<string | { problem: string }> {
  const snapshot = await store.read([
    ...runningPaths(config, services),
    ...services.map((service) => statePath(environment, service)),
  ]);
  const running = runningVersions(config, services, snapshot.files)[environment] ?? {};
  // A held version is one a rollback left: rolling back twice never flips back to it (as the CLI).
  const held = new Map(
    services.map((service) => [service, heldVersions(snapshot.files, environment, service)]),
  );
  const history = await readHistory(
    store,
    snapshot.head,
    services.map((service) => ({
      environment,
      service,
      version: running[service],
      skip: held.get(service) ?? new Set<string>(),
    })),
  );
  const targets = new Set<string>();
  for (const service of services) {
    const previous = rollbackTarget(
      config,
      environment,
      service,
      snapshot.files,
      history,
      held.get(service),
    )?.version;
    if (previous === undefined) {
      const skipped = [...(held.get(service) ?? [])];
      return {
        problem: `no earlier version of ${service} in ${environment} in rollgate's history to roll back to${skipped.length > 0 ? ` (held, so skipped: ${skipped.join(', ')})` : ''}`,
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

/** The services of the rollback with a rollout under way in the environment (one read of their state files). */
export async function servicesRollingOut(
  store: Pick<GitOpsStore, 'read'>,
  environment: string,
  services: readonly string[],
): Promise<string[]> {
  const snapshot = await store.read(services.map((service) => statePath(environment, service)));
  return services.filter((service) => {
    const loaded = stateOf(snapshot.files, environment, service);
    return loaded.ok && activeRollout(loaded.state) !== undefined;
  });
}
