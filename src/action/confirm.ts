import { asReactions, type Repo } from './context.js';

// Deployment confirmation (after github/branch-deploy): when no server-side time proves the head
// predates the command, rollgate replies naming the exact SHA and ships only once the commenter
// reacts +1 to that reply. A -1, or nothing within the timeout, ships nothing.

export interface ConfirmClient {
  readonly rest: {
    readonly issues: {
      createComment(
        p: Repo & { issue_number: number; body: string },
      ): Promise<{ readonly data: { readonly id: number | bigint } }>;
    };
    readonly reactions: {
      listForIssueComment(
        p: Repo & { comment_id: number; per_page: number },
      ): Promise<{ readonly data: unknown }>;
    };
  };
}

export interface ConfirmRequest {
  readonly issueNumber: number;
  /** The commenter: only their reaction counts. */
  readonly author: string;
  readonly sha: string;
  /** What would ship, e.g. "checkout sha-1a2b3c4 to dev". */
  readonly what: string;
  /** Why rollgate asks (no server-side push time, and why). */
  readonly why: string;
  readonly timeoutSeconds: number;
  /** Between two reads of the reactions. */
  readonly pollSeconds?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type Confirmation =
  | { readonly kind: 'confirmed'; readonly replyId: number }
  | { readonly kind: 'rejected'; readonly replyId: number }
  | { readonly kind: 'timed-out'; readonly replyId: number };

export function confirmationText(r: ConfirmRequest): string {
  return [
    '<!-- rollgate:confirm -->',
    `### ⏳ rollgate: confirm the commit to ship`,
    '',
    `- **Will ship:** \`${r.sha}\` (${r.what})`,
    `- **Why ask:** ${r.why}`,
    '',
    `@${r.author}, react 👍 to this comment within ${r.timeoutSeconds} seconds to ship exactly this commit, or 👎 to cancel.`,
  ].join('\n');
}

export async function confirmDeployment(
  client: ConfirmClient,
  repo: Repo,
  r: ConfirmRequest,
): Promise<Confirmation> {
  const now = r.now ?? Date.now;
  const sleep = r.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const poll = (r.pollSeconds ?? 3) * 1000;
  const { data } = await client.rest.issues.createComment({
    ...repo,
    issue_number: r.issueNumber,
    body: confirmationText(r),
  });
  const replyId = Number(data.id);
  const deadline = now() + r.timeoutSeconds * 1000;
  const author = r.author.toLowerCase();
  for (;;) {
    const { data: listed } = await client.rest.reactions.listForIssueComment({
      ...repo,
      comment_id: replyId,
      per_page: 100,
    });
    const mine = asReactions(listed).filter((x) => x.user.toLowerCase() === author);
    if (mine.some((x) => x.content === '-1')) return { kind: 'rejected', replyId };
    if (mine.some((x) => x.content === '+1')) return { kind: 'confirmed', replyId };
    const left = deadline - now();
    if (left <= 0) return { kind: 'timed-out', replyId };
    await sleep(Math.min(poll, left));
  }
}
