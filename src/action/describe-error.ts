import { ConfigError } from '../core/errors.js';

/** A failure as a person can act on it: GitHub's answer names the request, the status and what to check. */
export function describeError(err: unknown): string {
  if (err instanceof ConfigError) return `config problems:\n${err.message}`;
  const request = (err as { request?: { method?: string; url?: string } } | null)?.request;
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && request?.method && request.url) {
    const hint =
      status === 401 || status === 403 || status === 404
        ? 'check that the token can reach that repository (github-token / gitops-token)'
        : 'GitHub kept failing after retries; run the workflow again later';
    return `GitHub API ${request.method} ${request.url} answered ${status} (${(err as Error).message}); ${hint}`;
  }
  return err instanceof Error ? err.message : String(err);
}
