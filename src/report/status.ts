// What a run ended with, for the report, the reactions and the outputs.

export type RunStatus =
  | { readonly kind: 'committed'; readonly sha: string; readonly url?: string }
  /** pull-request mode: the commit sits on a proposal branch and `url` is the PR. */
  | { readonly kind: 'proposed'; readonly sha: string; readonly url: string }
  | { readonly kind: 'dry-run' }
  | { readonly kind: 'no-op' }
  | { readonly kind: 'denied' }
  /** Stopped for safety before anything was written (head moved, not permitted, fork...). */
  | { readonly kind: 'aborted'; readonly reasonCode: string; readonly message: string }
  /** A technical failure; nothing was written. */
  | { readonly kind: 'failed'; readonly message: string };

/** The run did what was asked (or found it already done): a thumbs-up, not a failed step. */
export function succeeded(status: RunStatus): boolean {
  return (
    status.kind === 'committed' ||
    status.kind === 'proposed' ||
    status.kind === 'dry-run' ||
    status.kind === 'no-op'
  );
}
export function headlineOf(status: RunStatus): string {
  switch (status.kind) {
    case 'committed':
      return 'promoted';
    case 'proposed':
      return 'proposed (pull request opened)';
    case 'dry-run':
      return 'allowed (dry run, nothing written)';
    case 'no-op':
      return 'already there (nothing to change)';
    case 'denied':
      return 'denied';
    case 'aborted':
      return status.reasonCode === 'superseded' ? 'superseded (another version landed meanwhile)' : 'aborted';
    case 'failed':
      return 'failed';
  }
}
