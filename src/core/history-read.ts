import type { GitOpsStore } from './store.js';
import { historyEntriesOf } from './trailers.js';
import type { HistoryEntry } from './types.js';

/**
 * One question the history must answer: how long has `version` of `service` been in `environment`,
 * and what ran there before it. Both are known once an older rollgate entry of the pair shows
 * another version (or the history ends).
 */
export interface HistoryNeed {
  readonly environment: string;
  readonly service: string;
  /** The version whose run is bracketed; undefined when the overlay pins nothing. */
  readonly version: string | undefined;
  /** Versions that do not settle it (held ones a rollback skips): the walk goes on past them. */
  readonly skip?: ReadonlySet<string>;
}

/**
 * rollgate's entries from `head` back, newest first, read only as far as the needs require: the
 * walk stops when every need is settled. No needs, no read.
 */
export async function readHistory(
  store: Pick<GitOpsStore, 'history'>,
  head: string,
  needs: readonly HistoryNeed[],
): Promise<HistoryEntry[]> {
  const open = new Map<string, string | undefined>();
  const skips = new Map<string, ReadonlySet<string>>();
  for (const need of needs) {
    open.set(pairKey(need.environment, need.service), need.version);
    if (need.skip !== undefined) skips.set(pairKey(need.environment, need.service), need.skip);
  }
  const entries: HistoryEntry[] = [];
  if (open.size === 0) return entries;
  await store.history(head, (commit) => {
    for (const entry of historyEntriesOf(commit)) {
      entries.push(entry);
      for (const service of entry.services) {
        const key = pairKey(entry.environment, service);
        if (open.has(key) && open.get(key) !== entry.version && skips.get(key)?.has(entry.version) !== true)
          open.delete(key);
      }
    }
    return open.size === 0 ? 'stop' : 'more';
  });
  return entries;
}

function pairKey(environment: string, service: string): string {
  return `${environment}\u0000${service}`;
}
