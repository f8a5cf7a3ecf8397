import type { Config } from '../config/schema.js';
import { isLanding } from './landing.js';
import { runningOf } from './running.js';
import type { HistoryEntry } from './types.js';

export interface RollbackTarget {
  readonly version: string;
  /** The rollgate commit that last put that version in place (from the history). */
  readonly sha?: string;
  /** Where the version was found otherwise: `the idle blue colour`. */
  readonly from?: string;
}

/**
 * The version a rollback returns a service to: the one it ran before the current one in the
 * GitOps history, else (blue-green) the version the idle colour still holds, when it differs from
 * the live one and is not held. `current` is what serves now (the live colour's version).
 */
export function rollbackTarget(
  config: Config,
  environment: string,
  service: string,
  files: Readonly<Record<string, string | undefined>>,
  history: readonly HistoryEntry[],
  held: ReadonlySet<string> = new Set(),
): RollbackTarget | undefined {
  const running = runningOf(config, environment, service, files);
  const current = running?.version;
  const found = previousVersion(history, environment, service, current, held);
  if (found !== undefined) return found;
  const idle = running?.workloads?.find((w) => !w.live);
  if (idle?.version !== undefined && idle.version !== current && !held.has(idle.version))
    return { version: idle.version, from: `the idle ${idle.name} colour` };
  return undefined;
}

/**
 * The version a service ran in an environment before the one it runs now, from the GitOps history
 * (newest first): the newest entry with another version, found past the current version's run.
 */
export function previousVersion(
  history: readonly HistoryEntry[],
  environment: string,
  service: string,
  current: string | undefined,
  held: ReadonlySet<string> = new Set(),
): RollbackTarget | undefined {
  for (const entry of history) {
    if (entry.environment !== environment || !entry.services.includes(service)) continue;
    // A canary step never ran in the stable workload, and a held version is the one rolled back
    // from: rolling back twice never flips back to it.
    if (entry.version === current || !isLanding(entry) || held.has(entry.version)) continue;
    return { version: entry.version, sha: entry.sha };
  }
  return undefined;
}
