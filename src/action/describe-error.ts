import { ConfigError } from '../core/errors.js';

/** A failure as a person can act on it: GitHub's answer names the request, the status and the real cause. */
export function describeError(err: unknown): string {
  if (err instanceof ConfigError) return `config problems:\n${err.message}`;
  const request = (err as { request?: { method?: string; url?: string } } | null)?.request;
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && request?.method && request.url) {
    const message = (err as Error).message;
    return `GitHub API ${request.method} ${request.url} answered ${status} (${message}); ${hintFor(status, message, headersOf(err))}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function headersOf(err: unknown): Record<string, unknown> {
  const headers = (err as { response?: { headers?: unknown } } | null)?.response?.headers;
  return typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>) : {};
}

/** What to do about one GitHub answer: the cause, as the status, message and headers tell it. */
function hintFor(status: number, message: string, headers: Record<string, unknown>): string {
  if (/secondary rate limit/i.test(message)) {
    return "GitHub's secondary rate limit held after retries (too many requests at once); wait a few minutes and run it again, and run fewer rollgate jobs at once (see the concurrency setup in docs/action.md)";
  }
  if (
    (status === 403 || status === 429) &&
    (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message))
  ) {
    const reset = Number(headers['x-ratelimit-reset']);
    const when =
      Number.isFinite(reset) && reset > 0
        ? new Date(reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
        : undefined;
    return `the token's API rate limit is used up${when ? ` until ${when}` : ''}; run it again after that, or use a GitHub App token (a higher limit)`;
  }
  if (status === 401) return 'the token is invalid or expired; check github-token / gitops-token';
  if (status === 403 || status === 404) {
    return 'check that the token can reach that repository (github-token / gitops-token)';
  }
  if (status >= 500) return 'GitHub kept failing after retries; run the workflow again later';
  return 'GitHub refused the request (not retried: it would be refused again); the message above says what it objected to';
}
