import type { RawCommit } from './trailers.js';
import type { FileEdit } from './types.js';

/**
 * The GitOps repository as the core sees it: a port. Two adapters implement it: src/gitops/git-cli.ts
 * (the CLI's default: any path or git URL) and src/gitops/github-api.ts (GraphQL read,
 * createCommitOnBranch). Both give optimistic concurrency: a commit names the head it was planned on.
 */
export interface GitOpsStore {
  /** Reads the branch head and the named files at it (undefined when absent), in one read. */
  read(paths: readonly string[]): Promise<GitOpsSnapshot>;
  /**
   * Walks the history from commit `from`, newest first, handing each commit to `visit` until it
   * returns 'stop' or the history ends. Reading stops as soon as the visitor has its answer, so the
   * cost follows what is asked, not the length of the history.
   */
  history(from: string, visit: HistoryVisitor, options?: HistoryOptions): Promise<void>;
  /** Commits every edit as one commit on top of `snapshot.head`; reports `moved` when the branch has moved on. */
  commit(
    snapshot: GitOpsSnapshot,
    edits: readonly FileEdit[],
    message: string,
    at: Date,
  ): Promise<CommitOutcome>;
}

export type HistoryVisitor = (commit: RawCommit) => 'more' | 'stop';

export interface HistoryOptions {
  /** Only commits that touch one of these repository paths. */
  readonly paths?: readonly string[];
  /** Follow first parents only: the branch's own line, not what merges brought in. */
  readonly firstParent?: boolean;
}

export interface GitOpsSnapshot {
  readonly head: string;
  readonly files: Readonly<Record<string, string | undefined>>;
}

export type CommitOutcome =
  | { readonly kind: 'committed'; readonly sha: string; readonly url?: string }
  | {
      readonly kind: 'moved';
      readonly detail: string;
      /** Set when the branch ref was locked by another writer rather than moved: retried, then said so. */
      readonly cause?: 'locked';
    };
