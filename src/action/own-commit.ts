import { parseTrailers } from '../core/trailers.js';
import type { GitOpsStore } from '../core/store.js';

/** How far below the branch head a run's own commit is looked for. */
const DEPTH = 20;

/**
 * The commit this run made, found by its `Rollgate-Run` trailer near the head of the GitOps branch,
 * or undefined. GitHub may write a commit and lose the answer (a 5xx after createCommitOnBranch
 * landed); the retry then finds the branch moved and the re-plan changes nothing. Without this the
 * run would say "no-op" (or "nothing was written") about a commit that shipped.
 */
export async function findOwnCommit(
  store: Pick<GitOpsStore, 'read' | 'history'>,
  runId: string,
  environment: string,
): Promise<string | undefined> {
  const { head } = await store.read([]);
  let found: string | undefined;
  let seen = 0;
  await store.history(head, (commit) => {
    const t = parseTrailers(commit.message);
    if (t?.run === runId && t.environment === environment) {
      found = commit.sha;
      return 'stop';
    }
    return ++seen >= DEPTH ? 'stop' : 'more';
  });
  return found;
}
