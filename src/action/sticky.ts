import { asListedComments, type Repo } from './context.js';

export interface CommentClient {
  readonly rest: {
    readonly issues: {
      listComments(
        p: Repo & { issue_number: number; per_page: number; page: number },
      ): Promise<{ readonly data: unknown }>;
      createComment(
        p: Repo & { issue_number: number; body: string },
      ): Promise<{ readonly data: { readonly id: number | bigint } }>;
      updateComment(p: Repo & { comment_id: number; body: string }): Promise<unknown>;
    };
  };
}

const PAGE = 100;

/** What the run already knows about the sticky from its GraphQL read (src/github/app-read.ts). */
export interface StickyHint {
  /** The sticky's comment id, when the read found it. */
  readonly id?: number;
  /** The read saw every comment of the pull request: no id means there is none yet. */
  readonly complete: boolean;
}

/** The hint for `marker` from a pull request's read comments. */
export function stickyHint(
  pull: { readonly stickies: readonly { id: number; head: string }[]; readonly stickiesComplete: boolean },
  marker: string,
): StickyHint {
  const id = pull.stickies.find((s) => s.head.startsWith(marker))?.id;
  return { ...(id !== undefined ? { id } : {}), complete: pull.stickiesComplete };
}

/**
 * One comment per pull request and marker, updated in place: the first bot comment starting with
 * `marker` is edited, otherwise one is created. `unchanged(existing)` returning true leaves the
 * found comment as it is (nothing new to say). Returns the comment id. With a hint from the run's
 * read, that is one request; without one (or to compare with `unchanged`), the comments are listed.
 */
export async function upsertSticky(
  client: CommentClient,
  repo: Repo,
  issueNumber: number,
  marker: string,
  body: string,
  unchanged?: (existing: string) => boolean,
  hint?: StickyHint,
): Promise<{ id: number; created: boolean }> {
  const create = async () => {
    const { data } = await client.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
    return { id: Number(data.id), created: true };
  };
  if (hint?.id !== undefined && unchanged === undefined) {
    try {
      await client.rest.issues.updateComment({ ...repo, comment_id: hint.id, body });
      return { id: hint.id, created: false };
    } catch (err) {
      // Deleted since the read: a new one takes its place.
      if ((err as { status?: unknown } | null)?.status !== 404) throw err;
      return create();
    }
  }
  if (hint?.id === undefined && hint?.complete === true) return create();
  // Comment ids outgrew 32 bits long ago but still fit a double; Octokit types them number | bigint.
  for (let page = 1; ; page++) {
    const { data } = await client.rest.issues.listComments({
      ...repo,
      issue_number: issueNumber,
      per_page: PAGE,
      page,
    });
    const comments = asListedComments(data);
    // Only a bot's comment that starts with the marker is ours: a person quoting the marker must
    // not get their comment overwritten (a write token may edit anyone's comment).
    const found = comments.find((c) => c.author.endsWith('[bot]') && c.body.startsWith(marker));
    if (found) {
      if (unchanged?.(found.body) !== true)
        await client.rest.issues.updateComment({ ...repo, comment_id: found.id, body });
      return { id: found.id, created: false };
    }
    if (comments.length < PAGE) break;
  }
  return create();
}

export async function reply(
  client: CommentClient,
  repo: Repo,
  issueNumber: number,
  body: string,
): Promise<void> {
  await client.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
}
