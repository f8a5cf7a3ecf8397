import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { readTrustedConfig, type ConfigSourceClient } from '../facts/github.js';
import { graphqlOver } from '../github/graphql.js';
import { createOctokit, endpointsFromEnv, type GitHubClient } from '../github/octokit.js';
import { githubApiStore } from '../gitops/github-api.js';
import type { GitOpsSnapshot, GitOpsStore } from '../core/store.js';
import type { ActionContext, Repo } from './context.js';
import type { Inputs } from './io.js';

/** The two clients a run uses: this repository, and the GitOps repository (may be the same token). */
export interface Clients {
  readonly github: GitHubClient;
  readonly gitops: GitHubClient;
  readonly graphqlUrl: string;
}

export function makeClients(inputs: Inputs, env: NodeJS.ProcessEnv): Clients {
  const endpoints = endpointsFromEnv(env);
  const token = inputs['github-token'] || env['GITHUB_TOKEN'] || '';
  if (!token) {
    throw new Error(
      'input github-token is empty; pass `github-token: ${{ github.token }}` (the default) or a token',
    );
  }
  const github = createOctokit({ token, endpoints });
  const gitopsToken = inputs['gitops-token'];
  const gitops =
    gitopsToken && gitopsToken !== token ? createOctokit({ token: gitopsToken, endpoints }) : github;
  return { github, gitops, graphqlUrl: endpoints.graphqlUrl };
}

export interface TrustedConfig {
  readonly config: Config;
  /** The default-branch SHA the config was read at. */
  readonly sha: string;
  readonly branch: string;
}

/** The config and gates from the default branch at a pinned SHA, validated with file:line:col problems. */
export async function loadTrustedConfig(
  client: ConfigSourceClient,
  repo: Repo,
  configPath: string,
  env: NodeJS.ProcessEnv,
): Promise<TrustedConfig> {
  const pinned = await readTrustedConfig(client, repo, configPath);
  const policies = Object.entries(pinned.files)
    .filter(([path]) => path !== configPath)
    .map(([file, text]) => ({ file, text }));
  const config = parseConfig({ file: configPath, text: pinned.files[configPath] ?? '' }, policies, env);
  return { config, sha: pinned.sha, branch: pinned.branch };
}

/** "." is this repository; anything else is owner/name on the same GitHub host. */
export function gitopsRepository(config: Config, ctx: ActionContext): string {
  const repository = config.gitops.repository;
  return repository === '.' ? `${ctx.repository.owner}/${ctx.repository.repo}` : repository;
}

export function makeStore(config: Config, ctx: ActionContext, clients: Clients): GitOpsStore {
  return githubApiStore({
    graphql: graphqlOver(clients.gitops, clients.graphqlUrl),
    repository: gitopsRepository(config, ctx),
    branch: config.gitops.branch,
    mode: config.gitops.mode,
    rest: clients.gitops,
  });
}

/**
 * Serves repeated reads of the same head from one GraphQL query (re-evaluating a PR for every
 * environment reads the same files); a commit forgets the cached snapshot.
 */
export function cachingStore(store: GitOpsStore): GitOpsStore {
  let cached: { key: string; snapshot: Promise<GitOpsSnapshot> } | undefined;
  return {
    read: (paths) => {
      const key = JSON.stringify([...paths].sort());
      if (cached?.key !== key) cached = { key, snapshot: store.read(paths) };
      return cached.snapshot;
    },
    history: (...args) => store.history(...args),
    commit: async (...args) => {
      cached = undefined;
      return store.commit(...args);
    },
  };
}
