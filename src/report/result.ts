import type { Decision } from '../core/types.js';
import { succeeded, type RunStatus } from './status.js';

// The Action's `result` output: versioned JSON that a later step can read with fromJSON().
// Bump RESULT_SCHEMA_VERSION when a field changes meaning or goes away; adding one is compatible.

export const RESULT_SCHEMA_VERSION = 1;

export interface RunResult {
  readonly schema_version: typeof RESULT_SCHEMA_VERSION;
  readonly status: RunStatus['kind'];
  /** Stable and machine-readable: `committed`, `denied`, `head-moved`, `not-permitted`... */
  readonly reason_code: string;
  readonly allowed: boolean;
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  readonly commit_sha?: string;
  readonly url?: string;
  readonly message?: string;
  readonly decision?: Decision;
  /** Every rollout a tick or a rollout command acted on (or found waiting). */
  readonly rollouts?: readonly RolloutSummary[];
}

/** One (environment, service) rollout after the run, in the `result` output. */
export interface RolloutSummary {
  readonly environment: string;
  /** The service, or the flag rollout's name. */
  readonly service: string;
  /** Set (to the rollout's name) for a feature-flag rollout: `version` is the variant, `weight` its share. */
  readonly flag?: string;
  readonly version: string;
  readonly stable?: string;
  readonly phase: string;
  readonly step: number;
  readonly steps: number;
  readonly weight: number;
  /** What the run did: wait, start, step, promote, verify, pause, resume, rollback, abort, refused. */
  readonly action: string;
  readonly reason_code: string;
  readonly message: string;
  readonly commit_sha?: string;
  readonly next_eligible_at?: string;
}

export interface ResultInput {
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  readonly status: RunStatus;
  readonly decision?: Decision;
  readonly rollouts?: readonly RolloutSummary[];
}

export function toResult(input: ResultInput): RunResult {
  const s = input.status;
  return {
    schema_version: RESULT_SCHEMA_VERSION,
    status: s.kind,
    reason_code: reasonCodeOf(input),
    allowed: input.decision?.allowed ?? succeeded(s),
    environment: input.environment,
    services: input.services,
    version: input.version,
    ...(s.kind === 'committed' || s.kind === 'proposed' ? { commit_sha: s.sha } : {}),
    ...((s.kind === 'committed' || s.kind === 'proposed') && s.url ? { url: s.url } : {}),
    ...(s.kind === 'aborted' || s.kind === 'failed' ? { message: s.message } : {}),
    ...(input.decision ? { decision: input.decision } : {}),
    ...(input.rollouts ? { rollouts: input.rollouts } : {}),
  };
}

function reasonCodeOf(input: ResultInput): string {
  const s = input.status;
  if (s.kind === 'aborted') return s.reasonCode;
  if (s.kind === 'denied') {
    const failed = input.decision?.verdicts.find((v) => v.outcome === 'fail' && v.override === undefined);
    return failed ? failed.reasonCode : 'denied';
  }
  return s.kind;
}
