import { stateOf } from './rollout-start.js';
import { formatVersion, type PromotionRequest, type Verdict } from './types.js';

// Holds: a rollback (by analysis, abort or rollback) puts one on (environment, service, version),
// kept in the state file. No tick or plain promote ships a held version again; a promote with
// --reason lifts the hold, and the commit records why the reason was needed (Rollgate-Reason-For).

/** One verdict per held service: fail without --reason, warn (hold lifted) with it. */
export function holdVerdicts(
  request: PromotionRequest,
  files: Readonly<Record<string, string | undefined>>,
): Verdict[] {
  if (request.kind === 'rollback') return [];
  const version = formatVersion(request.version);
  const verdicts: Verdict[] = [];
  for (const service of request.services) {
    const loaded = stateOf(files, request.environment, service);
    const hold = loaded.ok ? loaded.state?.holds?.find((h) => h.version === version) : undefined;
    if (hold === undefined) continue;
    const details = { service, version, heldAt: hold.at, heldFor: hold.reason };
    verdicts.push(
      request.reason !== undefined && request.reason.trim() !== ''
        ? {
            gate: 'hold',
            kind: 'hold',
            outcome: 'warn',
            reasonCode: 'hold.lifted',
            reason: `${service} ${version} was held in ${request.environment} since ${hold.at} (${hold.reason}); lifted with --reason: ${request.reason}`,
            details,
          }
        : {
            gate: 'hold',
            kind: 'hold',
            outcome: 'fail',
            reasonCode: 'hold.active',
            reason: `${service} ${version} is held in ${request.environment} since ${hold.at} (${hold.reason}); promote with --reason "..." to lift the hold`,
            details,
          },
    );
  }
  return verdicts;
}

/** The versions held for (environment, service) in its state file: a rollback never picks them. */
export function heldVersions(
  files: Readonly<Record<string, string | undefined>>,
  environment: string,
  service: string,
): ReadonlySet<string> {
  const loaded = stateOf(files, environment, service);
  return new Set(loaded.ok ? (loaded.state?.holds ?? []).map((h) => h.version) : []);
}
