import type { FileEdit, HistoryEntry } from '../core/types.js';

/**
 * The GitOps repository as the promotion pipeline sees it. Two adapters implement it: git-cli.ts
 * (the CLI's default: any path or git URL) and github-api.ts (GraphQL read, createCommitOnBranch).
 * Both give optimistic concurrency: a commit names the head it was planned on.
 */
export interface GitOpsStore {
  /** Reads the branch head: the named files (undefined when absent) and rollgate's history, newest first. */
  read(paths: readonly string[]): Promise<GitOpsSnapshot>;
  /** Commits every edit as one commit on top of `snapshot.head`; reports `moved` when the branch has moved on. */
  commit(
    snapshot: GitOpsSnapshot,
    edits: readonly FileEdit[],
    message: string,
    at: Date,
  ): Promise<CommitOutcome>;
}

export interface GitOpsSnapshot {
  readonly head: string;
  readonly files: Readonly<Record<string, string | undefined>>;
  readonly history: readonly HistoryEntry[];
}

export type CommitOutcome =
  | { readonly kind: 'committed'; readonly sha: string; readonly url?: string }
  | { readonly kind: 'moved'; readonly detail: string };
