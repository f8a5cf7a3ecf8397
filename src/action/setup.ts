import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { readApp, type AppRead, type AppReadWants } from '../github/app-read.js';
import { graphqlOver, graphqlPartialOver, type GraphqlFn, type GraphqlPartialFn } from '../github/graphql.js';
import { createOctokit, endpointsFromEnv, type GitHubClient, type WritePacing } from '../github/octokit.js';
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

/**
 * A schedule run writes one status per pull request and environment that changed, a number that
 * grows with the repository: its writes are spaced a second apart. Every other event makes a
 * handful of writes, sent one at a time without the wait (src/github/octokit.ts, WritePacing).
 */
export function pacingFor(eventName: string): WritePacing {
  return eventName === 'schedule' ? 'spaced' : 'serial';
}

export function makeClients(inputs: Inputs, env: NodeJS.ProcessEnv, pacing: WritePacing = 'spaced'): Clients {
  const endpoints = endpointsFromEnv(env);
  const token = inputs['github-token'] || env['GITHUB_TOKEN'] || '';
  if (!token) {
    throw new Error(
      'input github-token is empty; pass `github-token: ${{ github.token }}` (the default) or a token',
    );
  }
  const github = createOctokit({ token, endpoints, pacing });
  const gitopsToken = inputs['gitops-token'];
  const gitops =
    gitopsToken && gitopsToken !== token ? createOctokit({ token: gitopsToken, endpoints, pacing }) : github;
  return { github, gitops, graphqlUrl: endpoints.graphqlUrl };
}

export interface TrustedConfig {
  readonly config: Config;
  /** The default-branch SHA the config was read at. */
  readonly sha: string;
  readonly branch: string;
}

/** GraphQL on this repository with the github-token, refused fields beside the data. */
export function appGraphql(clients: Clients): GraphqlPartialFn {
  return graphqlPartialOver(clients.github, clients.graphqlUrl);
}

/** GraphQL on this repository with the github-token, every error failing the call (mutations). */
export function appGraphqlOver(clients: Clients): GraphqlFn {
  return graphqlOver(clients.github, clients.graphqlUrl);
}

/**
 * The one read of this repository (src/github/app-read.ts): the config and policies from the
 * default branch at a pinned SHA, and whatever else `wants` names.
 */
export function readAppRepository(clients: Clients, repo: Repo, wants: AppReadWants): Promise<AppRead> {
  return readApp(appGraphql(clients), repo, wants);
}

/** What a `schedule` run reads of this repository: the config, every open PR's head and statuses, the latest deployments. */
export function scheduleWants(configPath: string): AppReadWants {
  return { configPath, openPulls: true, deployments: true };
}

/** The config and gates of a read, validated with file:line:col problems. */
export function trustedConfigOf(
  read: Pick<AppRead, 'branch' | 'sha' | 'files'>,
  repo: Repo,
  configPath: string,
  env: NodeJS.ProcessEnv,
): TrustedConfig {
  const text = read.files[configPath];
  if (text === undefined) {
    throw new Error(
      `config ${configPath} not found on ${repo.owner}/${repo.repo}@${read.branch} (${read.sha.slice(0, 7)}); ` +
        'commit it to the default branch or set the `config` input',
    );
  }
  const policies = Object.entries(read.files)
    .filter(([path]) => path !== configPath)
    .map(([file, text]) => ({ file, text }));
  const config = parseConfig({ file: configPath, text }, policies, env);
  return { config, sha: read.sha, branch: read.branch };
}

/** The config and gates from the default branch at a pinned SHA: one GraphQL request. */
export async function loadTrustedConfig(
  clients: Clients,
  repo: Repo,
  configPath: string,
  env: NodeJS.ProcessEnv,
): Promise<TrustedConfig> {
  return trustedConfigOf(await readAppRepository(clients, repo, { configPath }), repo, configPath, env);
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
 * environment reads the same files). After a commit on the GitOps branch (push mode), the next
 * reads are served from what was committed: the commit names the head it was planned on
 * (compare-and-swap), so the new head holds exactly the planned-on files plus the edits, and a
 * re-read would only ask GitHub what the run already knows. A branch that moved, an error, or
 * pull-request mode (the commit is on another branch) forget it.
 */
export function cachingStore(
  store: GitOpsStore,
  options: { readonly mode?: 'push' | 'pull-request' } = {},
): GitOpsStore {
  let cached: { paths: ReadonlySet<string>; snapshot: Promise<GitOpsSnapshot> } | undefined;
  return {
    read: (paths) => {
      const known = cached;
      if (known !== undefined && paths.every((p) => known.paths.has(p))) {
        return known.snapshot.then((s) => ({
          head: s.head,
          files: Object.fromEntries(paths.map((p) => [p, s.files[p]])),
        }));
      }
      const snapshot = store.read(paths);
      cached = { paths: new Set(paths), snapshot };
      // A failed read is not remembered.
      snapshot.catch(() => {
        if (cached?.snapshot === snapshot) cached = undefined;
      });
      return snapshot;
    },
    history: (...args) => store.history(...args),
    commit: async (snapshot, edits, message, at) => {
      cached = undefined;
      const outcome = await store.commit(snapshot, edits, message, at);
      if (outcome.kind === 'committed' && options.mode === 'push') {
        const files: Record<string, string | undefined> = { ...snapshot.files };
        for (const edit of edits) files[edit.path] = edit.after;
        cached = {
          paths: new Set(Object.keys(files)),
          snapshot: Promise.resolve({ head: outcome.sha, files }),
        };
      }
      return outcome;
    },
  };
}
