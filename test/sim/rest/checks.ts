// Check runs and commit statuses: create them, list check runs for a ref, and the combined status.
import { resolveCommitish } from '../git.js';
import { isoNow, newId, type SimCheckRun, type SimStatus, type StatusState } from '../state.js';
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

function checkRunObject(ctx: RestCtx, run: SimCheckRun): unknown {
  const url = `${ctx.apiUrl}/repos/${run.repo}/check-runs/${run.id}`;
  const html = `${WEB}/${run.repo}/runs/${run.id}`;
  return synth(ctx.api, 'check-run', {
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.headSha,
    name: run.name,
    url,
    html_url: html,
    details_url: run.detailsUrl ?? html,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    external_id: run.externalId,
    check_suite: { id: run.id },
    output: {
      title: run.title,
      summary: run.summary,
      text: run.text,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    app: {
      id: 15368,
      slug: run.appSlug,
      node_id: 'MDM6QXBwMTUzNjg=',
      name: 'GitHub Actions',
      owner: userObject(ctx, 'github'),
      permissions: {},
      events: [],
    },
    pull_requests: [],
  });
}

export const createCheckRun: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  // Only GitHub Apps (GITHUB_TOKEN is one) may write check runs; a personal token gets 403.
  if (!ctx.actor.endsWith('[bot]')) {
    return {
      status: 403,
      body: {
        message: 'You must authenticate via a GitHub App.',
        documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
        status: '403',
      },
    };
  }
  const body = bodyOf(ctx);
  const output = (
    typeof body['output'] === 'object' && body['output'] !== null ? body['output'] : {}
  ) as Record<string, unknown>;
  const conclusion = str(body['conclusion']) ?? null;
  const status = conclusion ? 'completed' : ((str(body['status']) ?? 'queued') as SimCheckRun['status']);
  if (status === 'completed' && !conclusion) {
    return unprocessable('Invalid request.\n\n"conclusion" wasn\'t supplied.');
  }
  const headSha = str(body['head_sha']) ?? '';
  if (!(await resolveCommitish(repo.dir, headSha)) || !/^[0-9a-f]{40}$/.test(headSha)) {
    return unprocessable('No commit found for SHA: ' + headSha);
  }
  const now = isoNow(ctx.state);
  const run: SimCheckRun = {
    id: newId(ctx.state),
    repo: repo.fullName,
    name: str(body['name']) ?? '',
    headSha,
    status,
    conclusion,
    title: str(output['title']) ?? null,
    summary: str(output['summary']) ?? null,
    text: str(output['text']) ?? null,
    detailsUrl: str(body['details_url']) ?? null,
    externalId: str(body['external_id']) ?? null,
    startedAt: str(body['started_at']) ?? now,
    completedAt: status === 'completed' ? (str(body['completed_at']) ?? now) : null,
    appSlug: 'github-actions',
  };
  ctx.state.checkRuns.push(run);
  return { status: 201, body: checkRunObject(ctx, run) };
};

export const listCheckRuns: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const sha = await resolveCommitish(repo.dir, ctx.params['ref'] ?? '');
  if (!sha) return unprocessable(`No commit found for SHA: ${ctx.params['ref'] ?? ''}`);
  const name = ctx.query.get('check_name');
  const status = ctx.query.get('status');
  let runs = ctx.state.checkRuns
    .filter((r) => r.repo === repo.fullName && r.headSha === sha)
    .filter((r) => name === null || r.name === name)
    .filter((r) => status === null || r.status === status)
    .sort((a, b) => b.id - a.id);
  // filter=latest (the default) keeps the newest run of each name.
  if ((ctx.query.get('filter') ?? 'latest') === 'latest') {
    runs = runs.filter((r, i) => runs.findIndex((o) => o.name === r.name) === i);
  }
  const { items, headers } = paginate(
    ctx,
    runs,
    `/repos/${repo.fullName}/commits/${ctx.params['ref'] ?? ''}/check-runs`,
  );
  return {
    status: 200,
    headers,
    body: { total_count: runs.length, check_runs: items.map((r) => checkRunObject(ctx, r)) },
  };
};

function statusObject(ctx: RestCtx, s: SimStatus, schema: 'status' | 'simple-commit-status'): unknown {
  return synth(ctx.api, schema, {
    id: s.id,
    node_id: `SC_${s.id}`,
    url: `${ctx.apiUrl}/repos/${s.repo}/statuses/${s.sha}`,
    avatar_url: null,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: userObject(ctx, s.creator),
    required: false,
  });
}

export const createStatus: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const sha = ctx.params['sha'] ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha) || !(await resolveCommitish(repo.dir, sha))) {
    return unprocessable(`No commit found for SHA: ${sha}`);
  }
  const body = bodyOf(ctx);
  const s: SimStatus = {
    id: newId(ctx.state),
    repo: repo.fullName,
    sha,
    state: str(body['state']) as StatusState,
    context: str(body['context']) ?? 'default',
    description: str(body['description']) ?? null,
    targetUrl: str(body['target_url']) ?? null,
    creator: ctx.actor,
    createdAt: isoNow(ctx.state),
  };
  ctx.state.statuses.push(s);
  return { status: 201, body: statusObject(ctx, s, 'status') };
};

/** GitHub's rule: any error/failure wins, then pending (also when there are none), else success. */
function combine(states: StatusState[]): StatusState {
  if (states.some((s) => s === 'error' || s === 'failure')) return 'failure';
  if (states.length === 0 || states.some((s) => s === 'pending')) return 'pending';
  return 'success';
}

export const getCombinedStatus: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const ref = ctx.params['ref'] ?? '';
  const sha = await resolveCommitish(repo.dir, ref);
  if (!sha)
    return notFound(
      'https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference',
    );
  const all = ctx.state.statuses
    .filter((s) => s.repo === repo.fullName && s.sha === sha)
    .sort((a, b) => b.id - a.id);
  const latest = all.filter((s, i) => all.findIndex((o) => o.context === s.context) === i);
  const { items } = paginate(ctx, latest, `/repos/${repo.fullName}/commits/${ref}/status`);
  return {
    status: 200,
    body: {
      state: combine(latest.map((s) => s.state)),
      sha,
      total_count: latest.length,
      statuses: items.map((s) => statusObject(ctx, s, 'simple-commit-status')),
      repository: repoObject(ctx, repo, 'minimal-repository'),
      commit_url: `${ctx.apiUrl}/repos/${repo.fullName}/commits/${sha}`,
      url: `${ctx.apiUrl}/repos/${repo.fullName}/commits/${sha}/status`,
    },
  };
};
