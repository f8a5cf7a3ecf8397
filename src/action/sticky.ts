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

/**
 * One comment per pull request and marker, updated in place: the first bot comment starting with
 * `marker` is edited, otherwise one is created. `unchanged(existing)` returning true leaves the
 * found comment as it is (nothing new to say). Returns the comment id.
 */
export async function upsertSticky(
  client: CommentClient,
  repo: Repo,
  issueNumber: number,
  marker: string,
  body: string,
  unchanged?: (existing: string) => boolean,
): Promise<{ id: number; created: boolean }> {
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
  const { data } = await client.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { id: Number(data.id), created: true };
}

export async function reply(
  client: CommentClient,
  repo: Repo,
  issueNumber: number,
  body: string,
): Promise<void> {
  await client.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
}
