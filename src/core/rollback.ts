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
): RollbackTarget | undefined {
  for (const entry of history) {
    if (entry.environment !== environment || !entry.services.includes(service)) continue;
    if (entry.version === current) continue;
    return { version: entry.version, sha: entry.sha };
  }
  return undefined;
}
