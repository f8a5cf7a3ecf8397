import type { HistoryEntry } from './types.js';

/**
 * When `version` of `service` landed in `environment` and has stayed there since, from rollgate's
 * commit trailers (history newest first). Undefined when the history does not show it running now.
 */
export function landedAt(
  history: readonly HistoryEntry[],
  environment: string,
  service: string,
  version: string,
): Date | undefined {
  let landed: Date | undefined;
  for (const entry of history) {
    if (entry.environment !== environment || !entry.services.includes(service)) continue;
    if (entry.version !== version) break;
    landed = entry.committedAt;
  }
  return landed;
}
