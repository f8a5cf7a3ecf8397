// The shapes every part of rollgate shares: what was asked, what is known, what was decided.
// Nothing here does I/O; adapters produce these, the pure core consumes them.

import type { CommitTrailers } from './trailers.js';

/** An image reference as promoted: a tag, a digest, or both (`1.4.0@sha256:...`). */
export interface Version {
  readonly tag?: string;
  readonly digest?: string;
}

export type Outcome = 'pass' | 'fail' | 'warn' | 'skip';

/** One gate's judgement. `reasonCode` is stable and machine-readable; `reason` is for people. */
export interface Verdict {
  readonly gate: string;
  readonly kind: string;
  readonly outcome: Outcome;
  readonly reasonCode: string;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** When the gate stops failing on its own (freeze end, bake done), as an ISO time. */
  readonly opensAt?: string;
  /** Set when a failing gate was overridden (label or break-glass); never silent. */
  readonly override?: Override;
}

export interface Override {
  readonly by: 'label' | 'break-glass';
  readonly who: string;
  readonly reason: string;
  /** The label or the requester came from the operator's word (CLI flags), not from GitHub. */
  readonly asserted?: true;
}

/** How an asserted override is marked in verdicts, reports and the Rollgate-Override trailer. */
export const ASSERTED_NOTE = 'asserted on the CLI, not verified';

/** The decision object printed by `check --json` and carried in the Action's `result`. */
export interface Decision {
  readonly allowed: boolean;
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  readonly evaluatedAt: string;
  readonly verdicts: readonly Verdict[];
}

/** What was asked, by whom, from where: the same whether it came from a comment, a workflow or the CLI. */
export interface PromotionRequest {
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: Version;
  readonly requestedBy: string;
  readonly source: string;
  /** Free text given with `--reason`: needed for break-glass, recorded in the trailers. */
  readonly reason?: string;
  /** Labels on the pull request the request came from (for freeze `unless.labels`). */
  readonly labels?: readonly string[];
  /** Users who approved, when no pull request exists (CLI `--approved-by`). */
  readonly approvedBy?: readonly string[];
  readonly dryRun?: boolean;
  /**
   * Who vouches for `requestedBy` and `labels`: GitHub (`verified`, the default: a commenter, a
   * workflow actor, a pull request's labels) or only the operator (`asserted`: the CLI's
   * --requested-by and --label). An override resting on an asserted value is marked so, and a
   * freeze with `unless.verifiedOnly` refuses it.
   */
  readonly identity?: 'verified' | 'asserted';
  /** A rollback restores a version the environment ran before; gates that judge new versions are skipped. */
  readonly kind?: 'promote' | 'rollback';
  /**
   * The run that asks (the Action's run id): written as `Rollgate-Run`, so a run whose commit
   * landed but whose answer was lost can recognise its own commit.
   */
  readonly runId?: string;
  /**
   * When the promoted change was made (the source commit's time, ISO): written as
   * `Rollgate-Source-Time`, the start of the delivery report's lead time.
   */
  readonly sourceTime?: string;
}

/** One rollgate commit read back from the GitOps history through its trailers. */
export interface HistoryEntry {
  readonly sha: string;
  readonly committedAt: Date;
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  /** Every trailer of the commit (phase, reason, run id...), as src/core/trailers.ts reads them. */
  readonly trailers?: CommitTrailers;
}

/** Everything the gates read. Fetched once, before any gate runs. */
export interface Facts {
  readonly now: Date;
  /** rollgate commits on the GitOps branch, newest first. */
  readonly history: readonly HistoryEntry[];
  /** The version each service runs per environment, read from the overlays at the GitOps head. */
  readonly running: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>;
  /** Team slugs (org/team) per user, where known; the CLI knows none. */
  readonly teamsOf?: Readonly<Record<string, readonly string[]>>;
  /** The pull request the request came from (Action), with its reviews. Absent on the CLI. */
  readonly pullRequest?: PullRequestFacts;
  /** Check runs and commit statuses on the promoted commit, where known. */
  readonly checks?: readonly CheckFact[];
  /** Per-gate inputs fetched by a kind's fetcher (src/facts/fetchers.ts), keyed by gate name: e.g. Prometheus samples. */
  readonly gateInputs?: Readonly<Record<string, unknown>>;
}

export interface PullRequestFacts {
  readonly number: number;
  readonly author: string;
  readonly headSha: string;
  readonly labels: readonly string[];
  readonly reviews: readonly ReviewFact[];
}

export interface ReviewFact {
  readonly user: string;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  readonly commitId: string;
  readonly submittedAt: string;
}

export interface CheckFact {
  readonly name: string;
  readonly source: 'check-run' | 'status';
  /** queued | in_progress | completed for check runs; pending | success | failure | error for statuses. */
  readonly status: string;
  readonly conclusion?: string;
}

/** One file change of a plan: the whole new text, and a one-line description for the commit. */
export interface FileEdit {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  readonly descriptions: readonly string[];
}

export interface Plan {
  readonly environment: string;
  readonly edits: readonly FileEdit[];
  /** The services whose overlay actually changes: the ones the commit's trailers record. */
  readonly changedServices: readonly string[];
  /** A rollback's holds: the versions it takes the services away from (Rollgate-Hold). */
  readonly held?: readonly string[];
  /** The commit's subject in the rollout strategy's words (a blue-green preview names its colour). */
  readonly headline?: string;
}

export function formatVersion(version: Version): string {
  if (version.tag !== undefined && version.digest !== undefined) return `${version.tag}@${version.digest}`;
  return version.tag ?? version.digest ?? '';
}
