import type { GitOpsStore } from '../core/store.js';
import { historyEntriesOf } from '../core/trailers.js';
import type { HistoryEntry } from '../core/types.js';
import { deliveryReport, type DeliveryReport } from './delivery.js';

// Reads what the delivery report needs through the GitOps store's history stream: rollgate's
// entries from the head back to the window's start (and a month before it), then the pure figures.

/** How far before the window the history is read: a rollout that deploys inside it may have started (and recorded its source time) before it. */
export const LOOKBACK_MS = 30 * 86_400_000;

/** Every rollgate entry from the head back to `notBefore` (newest first). */
export async function readHistorySince(
  store: Pick<GitOpsStore, 'read' | 'history'>,
  notBefore: Date,
): Promise<HistoryEntry[]> {
  const { head } = await store.read([]);
  const entries: HistoryEntry[] = [];
  await store.history(head, (commit) => {
    if (commit.committedAt < notBefore) return 'stop';
    // A commit of several services is one entry per part (each version, phase... it set).
    entries.push(...historyEntriesOf(commit));
    return 'more';
  });
  return entries;
}

/** The report over the window `sinceMs` before `now` (of one environment, or all). */
export async function buildDeliveryReport(
  store: Pick<GitOpsStore, 'read' | 'history'>,
  options: { readonly now: Date; readonly sinceMs: number; readonly environment?: string },
): Promise<DeliveryReport> {
  const entries = await readHistorySince(
    store,
    new Date(options.now.getTime() - options.sinceMs - LOOKBACK_MS),
  );
  return deliveryReport(entries, options);
}
