import { setSecret, warning } from '@actions/core';
import { Octokit } from '@octokit/core';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

// The one place an Octokit is built: retries 5xx, waits out primary and secondary rate limits
// (honouring retry-after), and talks to GitHub Enterprise Server when the runner says so.

const RollgateOctokit = Octokit.plugin(restEndpointMethods, retry, throttling);
export type GitHubClient = InstanceType<typeof RollgateOctokit>;

/** How many times a rate-limited request is retried before the run fails with GitHub's error. */
const RATE_LIMIT_RETRIES = 3;

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
}

export function createOctokit(options: CreateOctokitOptions): GitHubClient {
  // Masked before any request can log it.
  if (options.token) setSecret(options.token);
  return new RollgateOctokit({
    auth: options.token,
    baseUrl: options.endpoints.apiUrl,
    userAgent: options.userAgent ?? 'rollgate',
    retry: { retries: 3 },
    throttle: {
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
}
