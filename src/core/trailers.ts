import type { HistoryEntry } from './types.js';

// The trailer format: rollgate's audit trail in the GitOps history. Every rollgate commit ends
// with these lines; the state files (.rollgate/state) hold the current state, the trailers say how
// it came to be. This is a port: the core writes and reads it, both stores carry it verbatim.

/** Every trailer rollgate writes, by field. Order here is the order in a commit message. */
export const TRAILERS = {
  environment: 'Rollgate-Environment',
  services: 'Rollgate-Service',
  version: 'Rollgate-Version',
  requestedBy: 'Rollgate-Requested-By',
  source: 'Rollgate-Source',
  decision: 'Rollgate-Decision',
  overrides: 'Rollgate-Override',
  phase: 'Rollgate-Phase',
  step: 'Rollgate-Step',
  weight: 'Rollgate-Weight',
  stable: 'Rollgate-Stable',
  analysis: 'Rollgate-Analysis',
  hold: 'Rollgate-Hold',
  reason: 'Rollgate-Reason',
  reasonFor: 'Rollgate-Reason-For',
  flag: 'Rollgate-Flag',
  sourceTime: 'Rollgate-Source-Time',
  clock: 'Rollgate-Clock',
  run: 'Rollgate-Run',
} as const;

/** Fields that may repeat (one line each); every other field is written at most once. */
type ListField = 'services' | 'overrides';
type SingleField = Exclude<keyof typeof TRAILERS, ListField>;

/** The trailers of one commit. Environment, services and version are always present. */
export type CommitTrailers = {
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  readonly requestedBy: string;
  readonly source: string;
  readonly decision: string;
  readonly overrides?: readonly string[];
  /**
   * One commit that sets services to different versions (a rollback of several services): the
   * version of each service, aligned with `services`, written as one Rollgate-Version line per
   * service. `version` is then the first of them (what a reader that knows one version sees).
   */
  readonly serviceVersions?: readonly string[];
} & {
  readonly [
    K in Exclude<SingleField, 'environment' | 'version' | 'requestedBy' | 'source' | 'decision'>
  ]?: string;
};

/** Trailer values are single lines: a newline in user text must not forge another trailer. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

export function formatTrailers(t: CommitTrailers): string {
  const lines: string[] = [];
  for (const [field, name] of Object.entries(TRAILERS) as [keyof typeof TRAILERS, string][]) {
    const value =
      field === 'version' && t.serviceVersions !== undefined && t.serviceVersions.length > 0
        ? t.serviceVersions
        : t[field];
    if (value === undefined) continue;
    const values: readonly string[] = typeof value === 'string' ? [value] : value;
    for (const v of values) lines.push(`${name}: ${oneLine(v)}`);
  }
  return lines.join('\n');
}

const FIELD_BY_NAME = new Map(
  (Object.entries(TRAILERS) as [keyof typeof TRAILERS, string][]).map(([field, name]) => [
    name.toLowerCase(),
    field,
  ]),
);

/** Reads the trailers of one commit message; undefined for commits rollgate did not make. */
export function parseTrailers(message: string): CommitTrailers | undefined {
  // Trailers are the last paragraph of the message.
  const paragraphs = message
    .replace(/\r\n/g, '\n')
    .trimEnd()
    .split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const values = new Map<keyof typeof TRAILERS, string[]>();
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    const field = FIELD_BY_NAME.get((match[1] ?? '').toLowerCase());
    if (field === undefined) continue;
    values.set(field, [...(values.get(field) ?? []), match[2] ?? '']);
  }
  const first = (field: SingleField): string | undefined => values.get(field)?.[0];
  const environment = first('environment');
  const version = first('version');
  const services = values.get('services') ?? [];
  if (environment === undefined || version === undefined || services.length === 0) return undefined;
  const optional: Record<string, string> = {};
  for (const field of Object.keys(TRAILERS) as (keyof typeof TRAILERS)[]) {
    if (field === 'services' || field === 'overrides') continue;
    const v = first(field);
    if (v !== undefined) optional[field] = v;
  }
  const overrides = values.get('overrides');
  // As many versions as services, not all the same: each service's own version, in order.
  const versions = values.get('version') ?? [];
  const perService = versions.length === services.length && new Set(versions).size > 1;
  return {
    ...optional,
    environment,
    services,
    version,
    ...(perService ? { serviceVersions: versions } : {}),
    requestedBy: first('requestedBy') ?? '',
    source: first('source') ?? '',
    decision: first('decision') ?? '',
    ...(overrides ? { overrides } : {}),
  };
}

/** A commit as a store reads it from the branch history, before its trailers are read. */
export interface RawCommit {
  readonly sha: string;
  readonly committedAt: Date;
  readonly message: string;
}

/** The version a commit set for one of its services. */
export function versionOf(t: CommitTrailers, service: string): string {
  const i = t.services.indexOf(service);
  return (i === -1 ? undefined : t.serviceVersions?.[i]) ?? t.version;
}

/**
 * The history entries of one commit (none when rollgate did not make it): one per version it set,
 * so a commit that rolled several services back to different versions reads as what it did.
 */
export function historyEntriesOf(commit: RawCommit): HistoryEntry[] {
  const t = parseTrailers(commit.message);
  if (t === undefined) return [];
  const byVersion = new Map<string, string[]>();
  for (const service of t.services) {
    const version = versionOf(t, service);
    byVersion.set(version, [...(byVersion.get(version) ?? []), service]);
  }
  return [...byVersion].map(([version, services]) => ({
    sha: commit.sha,
    committedAt: commit.committedAt,
    environment: t.environment,
    services,
    version,
    trailers: t,
  }));
}

/** The history entry of one commit (its first version's), or undefined when rollgate did not make it. */
export function historyEntryOf(commit: RawCommit): HistoryEntry | undefined {
  return historyEntriesOf(commit)[0];
}

/** History entries from raw commits (newest first), keeping only rollgate's own. */
export function historyFromCommits(commits: readonly RawCommit[]): HistoryEntry[] {
  return commits.flatMap((c) => historyEntriesOf(c));
}
