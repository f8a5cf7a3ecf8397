import { asActivities, type Repo } from './context.js';
import type { PullRequest } from '../facts/github.js';

// issue_comment carries no SHA: the command names no commit, so the head a run reads may be one
// pushed after the command was written. GitHub's repository activity records each push with a
// server-side time (committer dates can be forged, GraphQL pushedDate is deprecated); a head
// pushed after the comment was created ships nothing.

export interface ActivityClient {
  readonly rest: {
    readonly repos: {
      listActivities(p: Repo & { ref: string; per_page: number }): Promise<{ readonly data: unknown }>;
    };
  };
}

/** Activity kinds after which `after` is the branch head. */
const MOVES_HEAD = new Set(['push', 'force_push', 'branch_creation', 'pr_merge', 'merge_queue_merge']);

/**
 * When GitHub recorded the push that made `sha` the head of `branch` (ISO 8601, the newest such
 * push), or undefined when its activity has no such push.
 */
export async function readPushTime(
  client: ActivityClient,
  repo: Repo,
  branch: string,
  sha: string,
): Promise<string | undefined> {
  const { data } = await client.rest.repos.listActivities({
    ...repo,
    ref: `refs/heads/${branch}`,
    per_page: 100,
  });
  return asActivities(data).find((a) => a.after === sha && MOVES_HEAD.has(a.activityType))?.timestamp;
}

export type HeadSafety =
  | { readonly kind: 'safe'; readonly sha: string; readonly pushedAt: string }
  | {
      readonly kind: 'pushed-after-command';
      readonly sha: string;
      readonly pushedAt: string;
      readonly commentedAt: string;
    }
  /** No server-side time to compare: only an explicit confirmation may ship it. */
  | { readonly kind: 'no-push-time'; readonly sha: string; readonly why: string };

/** Pure: the head is safe to ship when it was pushed no later than the command was written. */
export function judgeHead(sha: string, commentedAt: string, pushedAt: string | undefined): HeadSafety {
  if (pushedAt === undefined) {
    return { kind: 'no-push-time', sha, why: "GitHub's repository activity has no push of it" };
  }
  const pushed = Date.parse(pushedAt);
  const commented = Date.parse(commentedAt);
  if (Number.isNaN(commented)) {
    return { kind: 'no-push-time', sha, why: 'the comment event carries no creation time' };
  }
  if (Number.isNaN(pushed)) {
    return { kind: 'no-push-time', sha, why: `GitHub gave an unreadable push time "${pushedAt}"` };
  }
  return pushed > commented
    ? { kind: 'pushed-after-command', sha, pushedAt, commentedAt }
    : { kind: 'safe', sha, pushedAt };
}

/** The pull request's head judged against the comment's creation time. */
export async function headSafety(
  client: ActivityClient,
  repo: Repo,
  pr: PullRequest,
  commentedAt: string,
): Promise<HeadSafety> {
  if (pr.fromFork) {
    return {
      kind: 'no-push-time',
      sha: pr.headSha,
      why: 'it was pushed to a fork, whose pushes this repository has no server-side time for',
    };
  }
  return judgeHead(pr.headSha, commentedAt, await readPushTime(client, repo, pr.headRef, pr.headSha));
}
