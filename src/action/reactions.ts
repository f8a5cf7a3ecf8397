import { warning } from '@actions/core';
import type { Repo } from './context.js';

export type Reaction = 'eyes' | 'rocket' | '-1' | 'confused';

export interface ReactionClient {
  readonly rest: {
    readonly reactions: {
      createForIssueComment(p: Repo & { comment_id: number; content: Reaction }): Promise<unknown>;
    };
  };
}

/** A reaction is cosmetic: when it cannot be added the run carries on, with a warning that says so. */
export async function react(
  client: ReactionClient,
  repo: Repo,
  commentId: number,
  content: Reaction,
): Promise<void> {
  try {
    await client.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content });
  } catch (err) {
    warning(
      `rollgate: could not add the ${content} reaction to comment ${commentId} (${(err as Error).message}); carrying on`,
    );
  }
}
