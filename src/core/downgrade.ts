import { previousVersion } from './rollback.js';
import type { Facts, PromotionRequest, Verdict } from './types.js';
import { formatVersion } from './types.js';

// A promotion to a version older than the one running is a downgrade: it needs --reason, and it is
// shown as one (a verdict of its own, in the gate table and the commit's decision trailer). Older
// means: by semver when both tags are semver (an optional leading v), else by the history, when
// the version is the one the environment ran before the current one.

interface Semver {
  readonly core: readonly [number, number, number];
  readonly pre: readonly string[];
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseSemver(tag: string | undefined): Semver | undefined {
  const m = tag === undefined ? null : SEMVER.exec(tag);
  if (!m) return undefined;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4]?.split('.') ?? [] };
}

/** Whether a version's tag is semver, so its age needs no history. */
export function isSemverTag(version: string): boolean {
  return parseSemver(version.split('@')[0]) !== undefined;
}

/** Semver precedence: negative when a is older than b. */
export function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) {
    const d = (a.core[i] ?? 0) - (b.core[i] ?? 0);
    if (d !== 0) return d;
  }
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined && nx !== ny) return nx - ny;
    if (nx !== undefined && ny === undefined) return -1;
    if (nx === undefined && ny !== undefined) return 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** How `version` is older than `running`, or undefined when it is not (or cannot be told). */
export function olderBy(
  version: string,
  running: string,
  history: Facts['history'],
  environment: string,
  service: string,
): 'semver' | 'history' | undefined {
  if (version === running) return undefined;
  const tagOf = (v: string) => v.split('@')[0];
  const a = parseSemver(tagOf(version));
  const b = parseSemver(tagOf(running));
  if (a !== undefined && b !== undefined) return compareSemver(a, b) < 0 ? 'semver' : undefined;
  return previousVersion(history, environment, service, running)?.version === version ? 'history' : undefined;
}

/** One verdict per service the request would downgrade: fail without --reason, warn with it. */
export function downgradeVerdicts(request: PromotionRequest, facts: Facts): Verdict[] {
  if (request.kind === 'rollback') return [];
  const version = formatVersion(request.version);
  const reason = request.reason?.trim() ?? '';
  return request.services.flatMap((service): Verdict[] => {
    const running = facts.running[request.environment]?.[service];
    if (running === undefined) return [];
    const by = olderBy(version, running, facts.history, request.environment, service);
    if (by === undefined) return [];
    const how = by === 'semver' ? 'older by semver' : `the version ${request.environment} ran before it`;
    const details = { service, from: running, to: version, olderBy: by };
    return [
      reason !== ''
        ? {
            gate: 'downgrade',
            kind: 'downgrade',
            outcome: 'warn',
            reasonCode: 'downgrade.reason',
            reason: `downgrade of ${service} in ${request.environment} from ${running} to ${version} (${how}): ${reason}`,
            details,
          }
        : {
            gate: 'downgrade',
            kind: 'downgrade',
            outcome: 'fail',
            reasonCode: 'downgrade.needs-reason',
            reason: `${version} is a downgrade of ${service} in ${request.environment}, which runs ${running} (${how}); promote with --reason "why" to go back, or use rollback`,
            details,
          },
    ];
  });
}

/** Why --reason was needed, for the Rollgate-Reason-For trailer: downgrade, hold-lifted, break-glass. */
export function reasonFor(verdicts: readonly Verdict[]): string | undefined {
  const why = new Set<string>();
  for (const v of verdicts) {
    if (v.reasonCode === 'downgrade.reason') why.add('downgrade');
    if (v.reasonCode === 'hold.lifted') why.add('hold-lifted');
    if (v.override?.by === 'break-glass' || v.reasonCode === 'override.break-glass') why.add('break-glass');
  }
  return why.size > 0 ? [...why].join(', ') : undefined;
}
