import type { HistoryEntry } from '../core/types.js';

// rollgate's state lives in the GitOps history: each promotion commit carries trailers, and these
// functions write and read them. No database.

export const TRAILERS = {
  environment: 'Rollgate-Environment',
  service: 'Rollgate-Service',
  version: 'Rollgate-Version',
  requestedBy: 'Rollgate-Requested-By',
  source: 'Rollgate-Source',
  decision: 'Rollgate-Decision',
  override: 'Rollgate-Override',
} as const;

export interface CommitTrailers {
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  readonly requestedBy: string;
  readonly source: string;
  readonly decision: string;
  readonly overrides?: readonly string[];
}

/** Trailer values are single lines: a newline in user text must not forge another trailer. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

export function formatTrailers(t: CommitTrailers): string {
  const lines = [
    `${TRAILERS.environment}: ${oneLine(t.environment)}`,
    ...t.services.map((s) => `${TRAILERS.service}: ${oneLine(s)}`),
    `${TRAILERS.version}: ${oneLine(t.version)}`,
    `${TRAILERS.requestedBy}: ${oneLine(t.requestedBy)}`,
    `${TRAILERS.source}: ${oneLine(t.source)}`,
    `${TRAILERS.decision}: ${oneLine(t.decision)}`,
    ...(t.overrides ?? []).map((o) => `${TRAILERS.override}: ${oneLine(o)}`),
  ];
  return lines.join('\n');
}

/** Reads the trailers of one commit message; undefined for commits rollgate did not make. */
export function parseTrailers(message: string): CommitTrailers | undefined {
  // Trailers are the last paragraph of the message.
  const paragraphs = message
    .replace(/\r\n/g, '\n')
    .trimEnd()
    .split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const values = new Map<string, string[]>();
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = (match[1] ?? '').toLowerCase();
    values.set(key, [...(values.get(key) ?? []), match[2] ?? '']);
  }
  const first = (name: string): string | undefined => values.get(name.toLowerCase())?.[0];
  const environment = first(TRAILERS.environment);
  const version = first(TRAILERS.version);
  const services = values.get(TRAILERS.service.toLowerCase()) ?? [];
  if (environment === undefined || version === undefined || services.length === 0) return undefined;
  const overrides = values.get(TRAILERS.override.toLowerCase());
  return {
    environment,
    services,
    version,
    requestedBy: first(TRAILERS.requestedBy) ?? '',
    source: first(TRAILERS.source) ?? '',
    decision: first(TRAILERS.decision) ?? '',
    ...(overrides ? { overrides } : {}),
  };
}

/** History entries from raw commits (newest first), keeping only rollgate's own. */
export function historyFromCommits(
  commits: readonly { sha: string; committedAt: Date; message: string }[],
): HistoryEntry[] {
  return commits.flatMap((c) => {
    const t = parseTrailers(c.message);
    return t
      ? [
          {
            sha: c.sha,
            committedAt: c.committedAt,
            environment: t.environment,
            services: t.services,
            version: t.version,
          },
        ]
      : [];
  });
}
