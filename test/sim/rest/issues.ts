// Issue and PR comments (list, create, update) and reactions on comments.
import { isoNow, newId, type ReactionContent, type SimComment, type SimReaction } from '../state.js';
import { synth } from '../synth.js';
import {
  WEB,
  bodyOf,
  notFound,
  paginate,
  repoOf,
  str,
  unprocessable,
  userObject,
  type Handler,
  type RestCtx,
} from './common.js';

/** GitHub refuses comment bodies longer than this many characters. */
export const MAX_COMMENT_CHARS = 65_536;

function commentObject(ctx: RestCtx, c: SimComment): unknown {
  const isPull = ctx.state.pulls.some((p) => p.repo === c.repo && p.number === c.issueNumber);
  const url = `${ctx.apiUrl}/repos/${c.repo}/issues/comments/${c.id}`;
  const reactions = ctx.state.reactions.filter((r) => r.repo === c.repo && r.commentId === c.id);
  const count = (content: ReactionContent): number => reactions.filter((r) => r.content === content).length;
  return synth(ctx.api, 'issue-comment', {
    id: c.id,
    node_id: `IC_${c.id}`,
    url,
    html_url: `${WEB}/${c.repo}/${isPull ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${ctx.apiUrl}/repos/${c.repo}/issues/${c.issueNumber}`,
    body: c.body,
    user: userObject(ctx, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'MEMBER',
    reactions: {
      url: `${url}/reactions`,
      total_count: reactions.length,
      '+1': count('+1'),
      '-1': count('-1'),
      laugh: count('laugh'),
      confused: count('confused'),
      heart: count('heart'),
      hooray: count('hooray'),
      eyes: count('eyes'),
      rocket: count('rocket'),
    },
  });
}

function tooLong(body: string): boolean {
  return [...body].length > MAX_COMMENT_CHARS;
}

function bodyTooLong(length: number) {
  return unprocessable('Validation Failed', [
    {
      resource: 'IssueComment',
      field: 'body',
      code: `custom: Body is too long (maximum is ${MAX_COMMENT_CHARS} characters, got ${length})`,
    },
  ]);
}

export const listComments: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const n = Number(ctx.params['issue_number']);
  const since = ctx.query.get('since');
  const all = ctx.state.comments
    .filter((c) => c.repo === repo.fullName && c.issueNumber === n)
    .filter((c) => since === null || c.updatedAt >= since)
    .sort((a, b) => a.id - b.id);
  const { items, headers } = paginate(ctx, all, `/repos/${repo.fullName}/issues/${n}/comments`);
  return { status: 200, headers, body: items.map((c) => commentObject(ctx, c)) };
};

export const createComment: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const text = str(bodyOf(ctx)['body']) ?? '';
  if (tooLong(text)) return bodyTooLong([...text].length);
  const now = isoNow(ctx.state);
  const c: SimComment = {
    id: newId(ctx.state),
    repo: repo.fullName,
    issueNumber: Number(ctx.params['issue_number']),
    user: ctx.actor,
    body: text,
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.comments.push(c);
  return {
    status: 201,
    headers: { location: `${ctx.apiUrl}/repos/${repo.fullName}/issues/comments/${c.id}` },
    body: commentObject(ctx, c),
  };
};

export const updateComment: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  const id = Number(ctx.params['comment_id']);
  const c = repo ? ctx.state.comments.find((x) => x.repo === repo.fullName && x.id === id) : undefined;
  if (!c) return notFound('https://docs.github.com/rest/issues/comments#update-an-issue-comment');
  const text = str(bodyOf(ctx)['body']) ?? '';
  if (tooLong(text)) return bodyTooLong([...text].length);
  c.body = text;
  c.updatedAt = isoNow(ctx.state);
  return { status: 200, body: commentObject(ctx, c) };
};

export const createReaction: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  const id = Number(ctx.params['comment_id']);
  const c = repo ? ctx.state.comments.find((x) => x.repo === repo.fullName && x.id === id) : undefined;
  if (!repo || !c)
    return notFound('https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue-comment');
  const content = str(bodyOf(ctx)['content']) as ReactionContent;
  // Reacting twice with the same content returns the existing reaction with 200, like GitHub.
  const existing = ctx.state.reactions.find(
    (r) => r.repo === repo.fullName && r.commentId === id && r.user === ctx.actor && r.content === content,
  );
  const reaction = existing ?? {
    id: newId(ctx.state),
    repo: repo.fullName,
    commentId: id,
    user: ctx.actor,
    content,
    createdAt: isoNow(ctx.state),
  };
  if (!existing) ctx.state.reactions.push(reaction);
  return { status: existing ? 200 : 201, body: reactionObject(ctx, reaction) };
};

function reactionObject(ctx: RestCtx, r: SimReaction): unknown {
  return {
    id: r.id,
    node_id: `REA_${r.id}`,
    user: userObject(ctx, r.user),
    content: r.content,
    created_at: r.createdAt,
  };
}

/** The reactions on a comment, oldest first, optionally of one `content`. */
export const listReactions: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  const id = Number(ctx.params['comment_id']);
  const c = repo ? ctx.state.comments.find((x) => x.repo === repo.fullName && x.id === id) : undefined;
  if (!repo || !c)
    return notFound('https://docs.github.com/rest/reactions/reactions#list-reactions-for-an-issue-comment');
  const content = ctx.query.get('content');
  const all = ctx.state.reactions
    .filter((r) => r.repo === repo.fullName && r.commentId === id)
    .filter((r) => content === null || r.content === content)
    .sort((a, b) => a.id - b.id);
  const { items, headers } = paginate(ctx, all, `/repos/${repo.fullName}/issues/comments/${id}/reactions`);
  return { status: 200, headers, body: items.map((r) => reactionObject(ctx, r)) };
};
