// Injected faults: a request matching a fault gets the fault's response instead of the real one,
// `times` times (once by default), then the fault is gone. The bodies and headers follow GitHub's,
// because Octokit's retry and throttling plugins decide what to do from exactly those.

export interface Fault {
  match: { method?: string; path?: RegExp | string; graphql?: RegExp };
  status: 500 | 502 | 503 | 429 | 403 | 422;
  /** The message of a 422 (GitHub's validation refusal); a default one otherwise. */
  message?: string;
  /** Seconds, sent as `retry-after` (and for a primary rate limit, as the reset time). */
  retryAfter?: number;
  /** GitHub's secondary ("abuse") rate limit; otherwise a 403/429 is the primary rate limit. */
  secondaryRateLimit?: boolean;
  /**
   * GraphQL's primary rate limit as GitHub sends it: HTTP 200 with an error of type RATE_LIMITED
   * (and x-ratelimit-remaining 0); `status` is then ignored.
   */
  graphqlRateLimited?: boolean;
  times?: number;
  /**
   * GraphQL only: GitHub did the work, then the answer was lost (a 5xx from a proxy after a
   * createCommitOnBranch landed). The request is handled as usual and the fault is sent instead.
   */
  afterHandling?: boolean;
}

export interface PendingFault extends Fault {
  remaining: number;
}

export interface FaultTarget {
  method: string;
  /** Path with query string, e.g. /repos/o/r/pulls?state=open. */
  url: string;
  pathname: string;
  graphqlQuery?: string;
}

export function matches(fault: Fault, t: FaultTarget): boolean {
  const { method, path, graphql } = fault.match;
  if (method && method.toUpperCase() !== t.method) return false;
  if (path !== undefined) {
    const ok = typeof path === 'string' ? path === t.pathname || path === t.url : path.test(t.url);
    if (!ok) return false;
  }
  if (graphql && (t.graphqlQuery === undefined || !graphql.test(t.graphqlQuery))) return false;
  return true;
}

/** Takes one use of the first pending fault matching the request, if any. */
export function takeFault(pending: PendingFault[], t: FaultTarget): PendingFault | undefined {
  const i = pending.findIndex((f) => matches(f, t));
  const f = pending[i];
  if (!f) return undefined;
  f.remaining -= 1;
  if (f.remaining <= 0) pending.splice(i, 1);
  return f;
}

export function faultResponse(
  f: Fault,
  nowSeconds: number,
): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const headers: Record<string, string> = {};
  if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
  if (f.graphqlRateLimited) {
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = String(nowSeconds + (f.retryAfter ?? 0));
    return {
      status: 200,
      headers,
      body: {
        data: null,
        errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }],
      },
    };
  }
  if (f.status === 403 || f.status === 429) {
    if (f.secondaryRateLimit) {
      return {
        status: f.status,
        headers,
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
          documentation_url:
            'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(f.status),
        },
      };
    }
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = String(nowSeconds + (f.retryAfter ?? 1));
    return {
      status: f.status,
      headers,
      body: {
        message:
          'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        status: String(f.status),
      },
    };
  }
  if (f.status === 422) {
    return {
      status: 422,
      headers,
      body: {
        message: f.message ?? 'Validation Failed',
        documentation_url: 'https://docs.github.com/rest',
        status: '422',
      },
    };
  }
  const message =
    f.status === 500 ? 'Server Error' : f.status === 502 ? 'Server Error' : 'Service Unavailable';
  return { status: f.status, headers, body: { message, status: String(f.status) } };
}
