import { isLanding } from './landing.js';
import type { HistoryEntry } from './types.js';

export interface RollbackTarget {
  readonly version: string;
  /** The rollgate commit that last put that version in place. */
  readonly sha: string;
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
