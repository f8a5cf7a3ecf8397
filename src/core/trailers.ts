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
  /**
   * One commit of several services whose rollouts did different things (an `advance` that steps one
   * and promotes another): each service's value of a field, aligned with `services`, written as one
   * line per service (`-` where a service has none). A field the services share is written once, as
   * a single value. The single field (`phase`...) then holds the first service's value.
   */
  readonly perService?: { readonly [K in PerServiceField]?: readonly (string | undefined)[] };
} & {
  readonly [
    K in Exclude<SingleField, 'environment' | 'version' | 'requestedBy' | 'source' | 'decision'>
  ]?: string;
};

/** Fields a commit of several services may carry once per service (beside Rollgate-Version). */
export const PER_SERVICE = ['decision', 'phase', 'step', 'weight', 'stable', 'analysis', 'hold'] as const;
export type PerServiceField = (typeof PER_SERVICE)[number];

/** A per-service line for a service that has no value of the field. */
const NONE = '-';

/** Trailer values are single lines: a newline in user text must not forge another trailer. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

export function formatTrailers(t: CommitTrailers): string {
  const lines: string[] = [];
  for (const [field, name] of Object.entries(TRAILERS) as [keyof typeof TRAILERS, string][]) {
    const perService = (PER_SERVICE as readonly string[]).includes(field)
      ? t.perService?.[field as PerServiceField]?.map((v) => v ?? NONE)
      : undefined;
    const value =
      field === 'version' && t.serviceVersions !== undefined && t.serviceVersions.length > 0
        ? t.serviceVersions
        : perService !== undefined && perService.length > 0
          ? perService
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
  const perService: { [K in PerServiceField]?: (string | undefined)[] } = {};
  for (const field of Object.keys(TRAILERS) as (keyof typeof TRAILERS)[]) {
    if (field === 'services' || field === 'overrides') continue;
    const all = values.get(field) ?? [];
    const own = (PER_SERVICE as readonly string[]).includes(field) ? (field as PerServiceField) : undefined;
    // As many lines as services, not all the same: each service's own value, in order.
    if (own !== undefined && services.length > 1 && all.length === services.length && new Set(all).size > 1)
      perService[own] = all.map((v) => (v === NONE ? undefined : v));
    const v = own !== undefined && perService[own] !== undefined ? perService[own][0] : first(field);
    if (v !== undefined) optional[field] = v;
  }
  const overrides = values.get('overrides');
  // As many versions as services, not all the same: each service's own version, in order.
  const versions = values.get('version') ?? [];
  const perServiceVersions = versions.length === services.length && new Set(versions).size > 1;
  return {
    ...optional,
    environment,
    services,
    version,
    ...(perServiceVersions ? { serviceVersions: versions } : {}),
    ...(Object.keys(perService).length > 0 ? { perService } : {}),
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
 * The trailers as `services` (a part of the commit's services with the same values) see them: their
 * version, phase, step... as single fields, as a commit of those services alone would carry them.
 */
export function trailersFor(t: CommitTrailers, services: readonly string[]): CommitTrailers {
  const [service] = services;
  const i = service === undefined ? -1 : t.services.indexOf(service);
  const {
    perService,
    serviceVersions: _versions,
    phase: _phase,
    step: _step,
    weight: _weight,
    stable: _stable,
    analysis: _analysis,
    hold: _hold,
    ...shared
  } = t;
  const own: { -readonly [K in Exclude<PerServiceField, 'decision'>]?: string } = {};
  for (const field of PER_SERVICE) {
    if (field === 'decision') continue;
    const values = perService?.[field];
    const v = values !== undefined ? values[i] : t[field];
    if (v !== undefined) own[field] = v;
  }
  const decisions = perService?.decision;
  return {
    ...shared,
    ...own,
    decision: decisions !== undefined ? (decisions[i] ?? '') : t.decision,
    services: [...services],
    version: service === undefined ? t.version : versionOf(t, service),
  };
}

/** What a service's part of a commit is keyed by: its version and its per-service values. */
function partKey(t: CommitTrailers, service: string): string {
  const i = t.services.indexOf(service);
  return JSON.stringify([versionOf(t, service), ...PER_SERVICE.map((f) => t.perService?.[f]?.[i] ?? null)]);
}

/**
 * The history entries of one commit (none when rollgate did not make it): one per version (and
 * per phase, step... where services differ) it set, so a commit that rolled several services back
 * to different versions, or stepped one rollout and promoted another, reads as what it did.
 */
export function historyEntriesOf(commit: RawCommit): HistoryEntry[] {
  const t = parseTrailers(commit.message);
  if (t === undefined) return [];
  const parts = new Map<string, string[]>();
  for (const service of t.services) {
    const key = partKey(t, service);
    parts.set(key, [...(parts.get(key) ?? []), service]);
  }
  return [...parts.values()].map((services) => {
    const trailers = trailersFor(t, services);
    return {
      sha: commit.sha,
      committedAt: commit.committedAt,
      environment: t.environment,
      services,
      version: trailers.version,
      trailers,
    };
  });
}

/** The history entry of one commit (its first version's), or undefined when rollgate did not make it. */
export function historyEntryOf(commit: RawCommit): HistoryEntry | undefined {
  return historyEntriesOf(commit)[0];
}

/** History entries from raw commits (newest first), keeping only rollgate's own. */
export function historyFromCommits(commits: readonly RawCommit[]): HistoryEntry[] {
  return commits.flatMap((c) => historyEntriesOf(c));
}
