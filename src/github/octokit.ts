import { setSecret, warning } from '@actions/core';
import { Octokit } from '@octokit/core';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

// The one place an Octokit is built: retries 5xx, waits out primary and secondary rate limits
// (honouring retry-after), and talks to GitHub Enterprise Server when the runner says so.

const RollgateOctokit = Octokit.plugin(restEndpointMethods, retry, throttling);
export type GitHubClient = InstanceType<typeof RollgateOctokit>;

/** How many times a rate-limited request is retried before the run fails with GitHub's error. */
const RATE_LIMIT_RETRIES = 3;

/**
 * How mutating requests (and GraphQL, which the throttling plugin counts with them) are paced.
 * GitHub asks integrations to send them one at a time, and to leave a second between them when
 * sending many. Both are one at a time (oneWriteAtATime). `serial`: no wait, for a command, which
 * makes a handful (commit, reply, deployment, status, reaction): a second before each would
 * delay every reply by several seconds. `spaced`: a second apart (three before a request that
 * notifies people: the throttling plugin's defaults), for a schedule run, which writes one status
 * per pull request and environment that changed, a number that grows with the repository.
 */
export type WritePacing = 'serial' | 'spaced';

// The throttling plugin's spacing is per Bottleneck group; `serial` replaces its write groups by
// ones without a minimum time. Made once, so every client of a run shares them.
let unspacedGroups: { write: Bottleneck.Group; notifications: Bottleneck.Group } | undefined;
function unspaced() {
  unspacedGroups ??= {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
  };
  return unspacedGroups;
}

// The plugin spaces when writes start, not whether one is still in flight; this queue holds a
// write (with its retries and rate-limit waits) until the one before it has finished, across
// every client of the run (this repository and the GitOps repository). Reads are not held.
let lastWrite: Promise<unknown> = Promise.resolve();
function isRead(method: string | undefined): boolean {
  return method === undefined || method === 'GET' || method === 'HEAD';
}

export interface GitHubEndpoints {
  /** REST base, e.g. https://api.github.com or https://ghes.example.com/api/v3. */
  readonly apiUrl: string;
  /** GraphQL endpoint, e.g. https://api.github.com/graphql or https://ghes.example.com/api/graphql. */
  readonly graphqlUrl: string;
}

/** The endpoints the runner advertises (GITHUB_API_URL, GITHUB_GRAPHQL_URL), github.com otherwise. */
export function endpointsFromEnv(env: NodeJS.ProcessEnv): GitHubEndpoints {
  const apiUrl = (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, '');
  const graphqlUrl = env['GITHUB_GRAPHQL_URL'] || graphqlUrlFor(apiUrl);
  return { apiUrl, graphqlUrl };
}

/** GHES serves REST under /api/v3 and GraphQL under /api/graphql; github.com under /graphql. */
export function graphqlUrlFor(apiUrl: string): string {
  return /\/api\/v3$/.test(apiUrl) ? apiUrl.replace(/\/api\/v3$/, '/api/graphql') : `${apiUrl}/graphql`;
}

export interface CreateOctokitOptions {
  readonly token: string;
  readonly endpoints: GitHubEndpoints;
  /** Who is asking, for the User-Agent. */
  readonly userAgent?: string;
  /** `spaced` unless told otherwise (see WritePacing). */
  readonly pacing?: WritePacing;
}

export function createOctokit(options: CreateOctokitOptions): GitHubClient {
  // Masked before any request can log it.
  if (options.token) setSecret(options.token);
  const octokit = new RollgateOctokit({
    auth: options.token,
    baseUrl: options.endpoints.apiUrl,
    userAgent: options.userAgent ?? 'rollgate',
    retry: { retries: 3 },
    throttle: {
      ...(options.pacing === 'serial' ? unspaced() : {}),
      onRateLimit: (retryAfter, request, _octokit, retryCount) => {
        warning(`rollgate: rate limited on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
        return retryCount < RATE_LIMIT_RETRIES;
      },
      onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
        warning(
          `rollgate: secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`,
        );
        return retryCount < RATE_LIMIT_RETRIES;
      },
    },
  });
  octokit.hook.wrap('request', (request, route) => {
    if (isRead(route.method)) return request(route);
    const turn = lastWrite.then(() => request(route));
    lastWrite = turn.catch(() => undefined);
    return turn;
  });
  return octokit;
}
