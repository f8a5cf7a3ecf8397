// Deployments and deployment statuses.
import { resolveCommitish } from '../git.js';
import { isoNow, newId, type SimDeployment, type SimDeploymentStatus } from '../state.js';
import { synth } from '../synth.js';
import {
  bodyOf,
  notFound,
  repoOf,
  str,
  unprocessable,
  userObject,
  type Handler,
  type RestCtx,
} from './common.js';

function deploymentObject(ctx: RestCtx, d: SimDeployment): unknown {
  const url = `${ctx.apiUrl}/repos/${d.repo}/deployments/${d.id}`;
  return synth(ctx.api, 'deployment', {
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    environment: d.environment,
    original_environment: d.environment,
    description: d.description,
    payload: d.payload,
    creator: userObject(ctx, d.creator),
    production_environment: d.productionEnvironment,
    transient_environment: d.transientEnvironment,
    url,
    statuses_url: `${url}/statuses`,
    repository_url: `${ctx.apiUrl}/repos/${d.repo}`,
    created_at: d.createdAt,
    updated_at: d.createdAt,
  });
}

export const createDeployment: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const body = bodyOf(ctx);
  const ref = str(body['ref']) ?? '';
  const sha = await resolveCommitish(repo.dir, ref);
  if (!sha) return unprocessable(`No ref found for: ${ref}`);
  // GitHub checks commit statuses before it deploys: every context (or the required ones) must be
  // green, else 409. A caller that means to skip this passes required_contexts: [].
  const latest = ctx.state.statuses
    .filter((st) => st.repo === repo.fullName && st.sha === sha)
    .sort((a, b) => b.id - a.id)
    .filter((st, i, all) => all.findIndex((o) => o.context === st.context) === i);
  const required = Array.isArray(body['required_contexts'])
    ? (body['required_contexts'] as string[])
    : latest.map((st) => st.context);
  const failing = required.filter((c) => latest.find((st) => st.context === c)?.state !== 'success');
  if (failing.length > 0) {
    return {
      status: 409,
      body: {
        message: `Conflict: Commit status checks failed for ${ref}.`,
        documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
        status: '409',
      },
    };
  }
  const environment = str(body['environment']) ?? 'production';
  const payload = body['payload'] ?? {};
  const d: SimDeployment = {
    id: newId(ctx.state),
    repo: repo.fullName,
    ref,
    sha,
    task: str(body['task']) ?? 'deploy',
    environment,
    description: str(body['description']) ?? null,
    payload:
      typeof payload === 'string' && payload !== '' ? safeJson(payload) : payload === '' ? {} : payload,
    creator: ctx.actor,
    productionEnvironment:
      typeof body['production_environment'] === 'boolean'
        ? body['production_environment']
        : environment === 'production',
    transientEnvironment: body['transient_environment'] === true,
    createdAt: isoNow(ctx.state),
  };
  ctx.state.deployments.push(d);
  return { status: 201, body: deploymentObject(ctx, d) };
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const createDeploymentStatus: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  const id = Number(ctx.params['deployment_id']);
  const d = repo ? ctx.state.deployments.find((x) => x.repo === repo.fullName && x.id === id) : undefined;
  if (!d) return notFound('https://docs.github.com/rest/deployments/statuses#create-a-deployment-status');
  const body = bodyOf(ctx);
  const description = str(body['description']) ?? '';
  if ([...description].length > 140) {
    return unprocessable('Validation Failed', [
      {
        resource: 'DeploymentStatus',
        field: 'description',
        code: 'custom: description is too long (maximum is 140 characters)',
      },
    ]);
  }
  const s: SimDeploymentStatus = {
    id: newId(ctx.state),
    repo: d.repo,
    deploymentId: d.id,
    state: str(body['state']) as SimDeploymentStatus['state'],
    description: str(body['description']) ?? '',
    environment: str(body['environment']) ?? d.environment,
    environmentUrl: str(body['environment_url']) ?? '',
    logUrl: str(body['log_url']) ?? str(body['target_url']) ?? '',
    creator: ctx.actor,
    createdAt: isoNow(ctx.state),
  };
  ctx.state.deploymentStatuses.push(s);
  const url = `${ctx.apiUrl}/repos/${d.repo}/deployments/${d.id}/statuses/${s.id}`;
  return {
    status: 201,
    body: synth(ctx.api, 'deployment-status', {
      id: s.id,
      node_id: `DES_${s.id}`,
      state: s.state,
      creator: userObject(ctx, s.creator),
      description: s.description,
      environment: s.environment,
      // The schema demands URIs where GitHub itself sends "" for "not given"; omit or fill instead.
      target_url: s.logUrl || `https://github.com/${d.repo}/deployments`,
      ...(s.logUrl ? { log_url: s.logUrl } : {}),
      ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
      deployment_url: `${ctx.apiUrl}/repos/${d.repo}/deployments/${d.id}`,
      repository_url: `${ctx.apiUrl}/repos/${d.repo}`,
      url,
      created_at: s.createdAt,
      updated_at: s.createdAt,
    }),
  };
};
