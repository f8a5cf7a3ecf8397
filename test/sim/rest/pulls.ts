// Pull request routes: read a PR (head SHA, labels, author, fork flag), list open PRs, list
// reviews, and open a PR (pull-request mode), answered from SimState plus the real git repo.
import { branchHead } from '../git.js';
import { findRepo, isoNow, newId, type SimPull, type SimReview } from '../state.js';
import { synth } from '../synth.js';
import {
  WEB,
  bodyOf,
  notFound,
  paginate,
  repoObject,
  repoOf,
  str,
  unprocessable,
  userObject,
  type Handler,
  type RestCtx,
} from './common.js';

function branchSide(ctx: RestCtx, fullName: string, ref: string, sha: string): Record<string, unknown> {
  const repo = findRepo(ctx.state, ...(fullName.split('/') as [string, string]));
  const owner = fullName.split('/')[0] ?? fullName;
  return {
    label: `${owner}:${ref}`,
    ref,
    sha,
    user: userObject(ctx, owner),
    repo: repo
      ? repoObject(ctx, repo, 'repository')
      : // A fork nobody registered: enough of a repository to tell it apart from the base.
        synth(ctx.api, 'repository', {
          full_name: fullName,
          name: fullName.split('/')[1] ?? fullName,
          owner: userObject(ctx, owner),
          fork: true,
          html_url: `${WEB}/${fullName}`,
          url: `${ctx.apiUrl}/repos/${fullName}`,
        }),
  };
}

export function pullObject(
  ctx: RestCtx,
  pr: SimPull,
  schema: 'pull-request' | 'pull-request-simple',
): unknown {
  const url = `${ctx.apiUrl}/repos/${pr.repo}/pulls/${pr.number}`;
  const html = `${WEB}/${pr.repo}/pull/${pr.number}`;
  const issue = `${ctx.apiUrl}/repos/${pr.repo}/issues/${pr.number}`;
  return synth(ctx.api, schema, {
    id: pr.id,
    node_id: `PR_${pr.id}`,
    number: pr.number,
    url,
    html_url: html,
    issue_url: issue,
    comments_url: `${issue}/comments`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${ctx.apiUrl}/repos/${pr.repo}/pulls/comments{/number}`,
    statuses_url: `${ctx.apiUrl}/repos/${pr.repo}/statuses/${pr.head.sha}`,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    state: pr.state,
    title: pr.title,
    body: pr.body,
    draft: pr.draft,
    user: userObject(ctx, pr.user),
    labels: pr.labels.map((name, i) => ({
      id: i + 1,
      node_id: `LA_${i + 1}`,
      url: `${ctx.apiUrl}/repos/${pr.repo}/labels/${encodeURIComponent(name)}`,
      name,
      description: '',
      color: 'ededed',
      default: false,
    })),
    head: branchSide(ctx, pr.head.repo, pr.head.ref, pr.head.sha),
    base: branchSide(ctx, pr.repo, pr.base.ref, pr.base.sha),
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    merged: pr.merged,
    author_association: 'CONTRIBUTOR',
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${ctx.apiUrl}/repos/${pr.repo}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${ctx.apiUrl}/repos/${pr.repo}/statuses/${pr.head.sha}` },
    },
    mergeable_state: 'clean',
    maintainer_can_modify: false,
  });
}

function findPull(ctx: RestCtx): SimPull | undefined {
  const repo = repoOf(ctx);
  const n = Number(ctx.params['pull_number']);
  return repo ? ctx.state.pulls.find((p) => p.repo === repo.fullName && p.number === n) : undefined;
}

export const getPull: Handler = async (ctx) => {
  const pr = findPull(ctx);
  if (!pr) return notFound('https://docs.github.com/rest/pulls/pulls#get-a-pull-request');
  return { status: 200, body: pullObject(ctx, pr, 'pull-request') };
};

export const listPulls: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const state = ctx.query.get('state') ?? 'open';
  const base = ctx.query.get('base');
  const head = ctx.query.get('head');
  const all = ctx.state.pulls
    .filter((p) => p.repo === repo.fullName)
    .filter((p) => state === 'all' || p.state === state)
    .filter((p) => base === null || p.base.ref === base)
    .filter((p) => head === null || `${p.head.repo.split('/')[0]}:${p.head.ref}` === head)
    .sort((a, b) => b.number - a.number);
  const { items, headers } = paginate(ctx, all, `/repos/${repo.fullName}/pulls`);
  return { status: 200, headers, body: items.map((p) => pullObject(ctx, p, 'pull-request-simple')) };
};

function reviewObject(ctx: RestCtx, r: SimReview): unknown {
  const pullUrl = `${ctx.apiUrl}/repos/${r.repo}/pulls/${r.pullNumber}`;
  const html = `${WEB}/${r.repo}/pull/${r.pullNumber}#pullrequestreview-${r.id}`;
  return synth(ctx.api, 'pull-request-review', {
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: userObject(ctx, r.user),
    body: r.body,
    state: r.state,
    commit_id: r.commitId,
    submitted_at: r.submittedAt,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    author_association: 'MEMBER',
  });
}

export const listReviews: Handler = async (ctx) => {
  const pr = findPull(ctx);
  if (!pr) return notFound();
  const all = ctx.state.reviews
    .filter((r) => r.repo === pr.repo && r.pullNumber === pr.number)
    .sort((a, b) => a.id - b.id);
  const { items, headers } = paginate(ctx, all, `/repos/${pr.repo}/pulls/${pr.number}/reviews`);
  return { status: 200, headers, body: items.map((r) => reviewObject(ctx, r)) };
};

export const createPull: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const body = bodyOf(ctx);
  const headSpec = str(body['head']) ?? '';
  const baseRef = str(body['base']) ?? '';
  const [headOwner, headRef] = headSpec.includes(':') ? headSpec.split(':', 2) : [repo.owner, headSpec];
  const headRepoName = `${headOwner}/${repo.name}`;
  const headRepo = findRepo(ctx.state, headOwner ?? repo.owner, repo.name) ?? repo;
  const headSha = headRef ? await branchHead(headRepo.dir, headRef) : undefined;
  const baseSha = await branchHead(repo.dir, baseRef);
  if (!headSha)
    return unprocessable('Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
  if (!baseSha)
    return unprocessable('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
  const open = ctx.state.pulls.find(
    (p) => p.repo === repo.fullName && p.state === 'open' && p.head.ref === headRef && p.base.ref === baseRef,
  );
  if (open) {
    return unprocessable(`Validation Failed`, [{ resource: 'PullRequest', code: 'custom' }]);
  }
  const now = isoNow(ctx.state);
  const pr: SimPull = {
    id: newId(ctx.state),
    repo: repo.fullName,
    number:
      Math.max(
        0,
        ...ctx.state.pulls.filter((p) => p.repo === repo.fullName).map((p) => p.number),
        ...ctx.state.comments.filter((c) => c.repo === repo.fullName).map((c) => c.issueNumber),
      ) + 1,
    title: str(body['title']) ?? headRef ?? '',
    body: str(body['body']) ?? null,
    state: 'open',
    merged: false,
    draft: body['draft'] === true,
    user: ctx.actor,
    head: { ref: headRef ?? '', sha: headSha, repo: headRepo === repo ? repo.fullName : headRepoName },
    base: { ref: baseRef, sha: baseSha },
    labels: [],
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.pulls.push(pr);
  return {
    status: 201,
    headers: { location: `${ctx.apiUrl}/repos/${repo.fullName}/pulls/${pr.number}` },
    body: pullObject(ctx, pr, 'pull-request'),
  };
};
