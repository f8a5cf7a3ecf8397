import type { HistoryEntry } from '../core/types.js';

// The delivery report (DORA's four keys) from the GitOps history alone: a pure function of
// rollgate's history entries and a clock. Definitions (docs/report.md says the same):
// - deployment: a version reaching an environment's stable workload: a plain promotion commit,
//   or a rollout's `promoted` (or blue-green `switched`) commit. Rollbacks restore; they are not
//   deployments. Flag rollouts ship no version and are left out.
// - lead time: deployment commit time minus `Rollgate-Source-Time`, which the promotion that
//   started it recorded (a rollout's start commit carries it for its later `promoted` commit).
//   Deployments without one are counted (`withoutSourceTime`) and left out of lead time.
// - change failure rate: failures over deployments. A failure is a rollout rolled back or
//   aborted at any stage (once per rollout), or a plain rollback commit (the promotion before it failed).
// - time to restore: from a failure's commit to the next commit that makes a version stable in
//   the same environment and service (`verified`, a `promoted` with itself as stable, or a plain
//   promotion).
// Percentiles are nearest-rank; durations are in seconds.

export const DELIVERY_SCHEMA_VERSION = 1;

export interface Distribution {
  readonly count: number;
  readonly median: number | undefined;
  readonly p75: number | undefined;
  readonly p90: number | undefined;
  readonly p95: number | undefined;
  readonly max: number | undefined;
}

export interface WeekBucket {
  /** ISO week, e.g. 2026-W48, and the Monday it starts (UTC). */
  readonly week: string;
  readonly start: string;
  readonly deployments: number;
  readonly failures: number;
  /** Median lead time of the week's deployments, in seconds. */
  readonly leadTimeMedian: number | undefined;
}

export interface DeploymentRecord {
  readonly sha: string;
  readonly at: string;
  readonly version: string;
  readonly kind: 'promotion' | 'rollout';
  /** Seconds from the source commit to the deployment; undefined when no source time was recorded. */
  readonly leadTime: number | undefined;
}

export interface FailureRecord {
  readonly sha: string;
  readonly at: string;
  readonly version: string;
  readonly kind: 'rolled-back' | 'aborted' | 'rollback';
  /** When a version became stable again after it; undefined while not restored. */
  readonly restoredAt: string | undefined;
  readonly timeToRestore: number | undefined;
}

export interface DeliveryFigures {
  readonly deployments: number;
  /** Deployments per day and per week over the window. */
  readonly perDay: number;
  readonly perWeek: number;
  readonly leadTime: Distribution;
  readonly withoutSourceTime: number;
  readonly failures: number;
  /** failures / deployments; undefined without deployments. */
  readonly changeFailureRate: number | undefined;
  readonly timeToRestore: Distribution;
  readonly unrestored: number;
  readonly weeks: readonly WeekBucket[];
}

export interface ServiceDelivery extends DeliveryFigures {
  readonly environment: string;
  readonly service: string;
  readonly deploymentList: readonly DeploymentRecord[];
  readonly failureList: readonly FailureRecord[];
}

export interface EnvironmentDelivery extends DeliveryFigures {
  readonly environment: string;
  readonly services: readonly ServiceDelivery[];
}

export interface DeliveryReport {
  readonly schema_version: typeof DELIVERY_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly environments: readonly EnvironmentDelivery[];
}

export interface DeliveryOptions {
  readonly now: Date;
  /** The window, in ms before `now`. */
  readonly sinceMs: number;
  readonly environment?: string;
}

const DAY_MS = 86_400_000;

const DEPLOYING_PHASES = new Set(['promoted', 'switched']);
const FAILED_PHASES = new Set(['rolled-back', 'aborted']);

function isRollbackCommit(e: HistoryEntry): boolean {
  return (e.trailers?.decision ?? '').startsWith('rollback');
}

type Classified =
  | { readonly kind: 'deployment'; readonly deployKind: 'promotion' | 'rollout' }
  | { readonly kind: 'failure'; readonly failKind: FailureRecord['kind'] }
  | { readonly kind: 'other' };

function classify(e: HistoryEntry): Classified {
  const t = e.trailers;
  if (t?.flag !== undefined) return { kind: 'other' };
  const phase = t?.phase;
  if (phase === undefined) {
    if (isRollbackCommit(e)) return { kind: 'failure', failKind: 'rollback' };
    return { kind: 'deployment', deployKind: 'promotion' };
  }
  if (DEPLOYING_PHASES.has(phase)) return { kind: 'deployment', deployKind: 'rollout' };
  if (FAILED_PHASES.has(phase))
    return { kind: 'failure', failKind: phase === 'aborted' ? 'aborted' : 'rolled-back' };
  return { kind: 'other' };
}

/** The commit makes a version stable: what ends a failure's time to restore. */
function restores(e: HistoryEntry): boolean {
  const t = e.trailers;
  if (t?.flag !== undefined) return false;
  if (t?.phase === undefined) return !isRollbackCommit(e);
  if (t.phase === 'verified') return true;
  return DEPLOYING_PHASES.has(t.phase) && t.stable === e.version;
}

function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    median: percentile(sorted, 50),
    p75: percentile(sorted, 75),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1],
  };
}

/** ISO 8601 week of a UTC time, and the Monday 00:00 UTC it starts. */
export function isoWeek(ms: number): { week: string; start: number } {
  const date = new Date(ms);
  const day = (date.getUTCDay() + 6) % 7; // Monday 0
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - day * DAY_MS;
  const thursday = new Date(start + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { week: `${year}-W${String(week).padStart(2, '0')}`, start };
}

function weeksOf(from: number, to: number): { week: string; start: number }[] {
  const weeks: { week: string; start: number }[] = [];
  for (let t = isoWeek(from).start; t <= to; t += 7 * DAY_MS) weeks.push(isoWeek(t));
  return weeks;
}

interface Pair {
  readonly environment: string;
  readonly service: string;
}

/** The delivery figures of every (environment, service) in the history, over [now - since, now]. */
export function deliveryReport(entries: readonly HistoryEntry[], options: DeliveryOptions): DeliveryReport {
  const to = options.now.getTime();
  const from = to - options.sinceMs;
  const days = options.sinceMs / DAY_MS;
  // Oldest first: a source time is known before the deployment that uses it.
  const ordered = [...entries].sort((a, b) => a.committedAt.getTime() - b.committedAt.getTime());
  const sourceTimes = new Map<string, number>();
  const pairs = new Map<string, Pair>();
  const deployments = new Map<string, DeploymentRecord[]>();
  const failures = new Map<string, (FailureRecord & { readonly ms: number })[]>();
  const restorePoints = new Map<string, number[]>();
  const rolloutFailed = new Set<string>();
  // What each (environment, service) ran last: a plain rollback's failed version.
  const lastDeployed = new Map<string, string>();
  for (const e of ordered) {
    if (options.environment !== undefined && e.environment !== options.environment) continue;
    const ms = e.committedAt.getTime();
    if (ms > to) continue;
    const source = parseTime(e.trailers?.sourceTime);
    for (const service of e.services) {
      const pair = `${e.environment}\u0000${service}`;
      const versionKey = `${pair}\u0000${e.version}`;
      if (source !== undefined) sourceTimes.set(versionKey, source);
      const c = classify(e);
      // A new start of the same version is a new rollout: its failure counts again.
      if (e.trailers?.phase === 'progressing' && /^[01]\//.test(e.trailers.step ?? ''))
        rolloutFailed.delete(versionKey);
      if (restores(e)) restorePoints.set(pair, [...(restorePoints.get(pair) ?? []), ms]);
      const failedVersion =
        c.kind === 'failure' && c.failKind === 'rollback' ? lastDeployed.get(pair) : undefined;
      if (c.kind === 'deployment') lastDeployed.set(pair, e.version);
      if (ms < from) continue;
      if (c.kind === 'other') continue;
      pairs.set(pair, { environment: e.environment, service });
      if (c.kind === 'deployment') {
        const sourceMs = sourceTimes.get(versionKey);
        const record: DeploymentRecord = {
          sha: e.sha,
          at: e.committedAt.toISOString(),
          version: e.version,
          kind: c.deployKind,
          leadTime: sourceMs !== undefined && sourceMs <= ms ? Math.round((ms - sourceMs) / 1000) : undefined,
        };
        deployments.set(pair, [...(deployments.get(pair) ?? []), record]);
      } else {
        if (c.failKind !== 'rollback') {
          if (rolloutFailed.has(versionKey)) continue;
          rolloutFailed.add(versionKey);
        }
        failures.set(pair, [
          ...(failures.get(pair) ?? []),
          {
            sha: e.sha,
            at: e.committedAt.toISOString(),
            version: failedVersion ?? e.version,
            kind: c.failKind,
            restoredAt: undefined,
            timeToRestore: undefined,
            ms,
          },
        ]);
      }
    }
  }
  const weeks = weeksOf(from, to);
  const services: ServiceDelivery[] = [...pairs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, pair]) => {
      const points = restorePoints.get(key) ?? [];
      const failureList = (failures.get(key) ?? []).map(({ ms, ...f }): FailureRecord => {
        const restored = points.find((p) => p > ms);
        return restored === undefined
          ? f
          : {
              ...f,
              restoredAt: new Date(restored).toISOString(),
              timeToRestore: Math.round((restored - ms) / 1000),
            };
      });
      const deploymentList = deployments.get(key) ?? [];
      return {
        ...pair,
        ...figures(deploymentList, failureList, days, weeks),
        deploymentList,
        failureList,
      };
    });
  const environments = [...new Set(services.map((s) => s.environment))].map(
    (environment): EnvironmentDelivery => {
      const own = services.filter((s) => s.environment === environment);
      return {
        environment,
        ...figures(
          own.flatMap((s) => s.deploymentList),
          own.flatMap((s) => s.failureList),
          days,
          weeks,
        ),
        services: own,
      };
    },
  );
  return {
    schema_version: DELIVERY_SCHEMA_VERSION,
    generatedAt: options.now.toISOString(),
    from: new Date(from).toISOString(),
    to: options.now.toISOString(),
    days,
    environments,
  };
}

function figures(
  deploymentList: readonly DeploymentRecord[],
  failureList: readonly FailureRecord[],
  days: number,
  weeks: readonly { week: string; start: number }[],
): DeliveryFigures {
  const leadTimes = deploymentList.flatMap((d) => (d.leadTime !== undefined ? [d.leadTime] : []));
  const restored = failureList.flatMap((f) => (f.timeToRestore !== undefined ? [f.timeToRestore] : []));
  const n = deploymentList.length;
  return {
    deployments: n,
    perDay: days > 0 ? n / days : 0,
    perWeek: days > 0 ? (n * 7) / days : 0,
    leadTime: distribution(leadTimes),
    withoutSourceTime: n - leadTimes.length,
    failures: failureList.length,
    changeFailureRate: n > 0 ? failureList.length / n : undefined,
    timeToRestore: distribution(restored),
    unrestored: failureList.length - restored.length,
    weeks: weeks.map(({ week, start }) => {
      const inWeek = (at: string) => isoWeek(Date.parse(at)).week === week;
      const deployed = deploymentList.filter((d) => inWeek(d.at));
      return {
        week,
        start: new Date(start).toISOString().slice(0, 10),
        deployments: deployed.length,
        failures: failureList.filter((f) => inWeek(f.at)).length,
        leadTimeMedian: distribution(deployed.flatMap((d) => (d.leadTime !== undefined ? [d.leadTime] : [])))
          .median,
      };
    }),
  };
}
