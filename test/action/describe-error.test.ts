import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/action/describe-error.js';

// Issue 11 item 9: every hint names the real cause.

const github = (status: number, message: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), {
    status,
    request: { method: 'POST', url: 'https://api.github.com/repos/acme/app/statuses/abc' },
    response: { headers, data: { message } },
  });

describe('describeError hints name the real cause', () => {
  it('a 4xx refusal is not "kept failing after retries": GitHub refused it once, for a reason', () => {
    const text = describeError(
      github(422, 'Validation Failed: This SHA and context has reached the maximum number of statuses.'),
    );
    expect(text).not.toContain('retries');
    expect(text).toContain('answered 422');
    expect(text).toMatch(/GitHub refused the request/);
    expect(describeError(github(409, 'Conflict'))).toMatch(/GitHub refused the request/);
  });

  it('a secondary rate limit says so, not "check the token can reach the repository"', () => {
    const text = describeError(
      github(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      ),
    );
    expect(text).not.toContain('can reach');
    expect(text).toMatch(/secondary rate limit/);
    expect(text).toMatch(/fewer .*at once|wait/);
  });

  it('a primary rate limit names when it resets', () => {
    const text = describeError(
      github(403, 'API rate limit exceeded for user ID 1.', {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1767225600',
      }),
    );
    expect(text).not.toContain('can reach');
    expect(text).toContain('rate limit');
    expect(text).toContain('2026-01-01T00:00:00Z');
  });

  it('401 is a bad token; 403/404 is a token that cannot reach the repository; 5xx kept failing', () => {
    expect(describeError(github(401, 'Bad credentials'))).toMatch(/token .*invalid or expired/);
    expect(describeError(github(404, 'Not Found'))).toContain('check that the token can reach');
    expect(describeError(github(403, 'Resource not accessible by integration'))).toContain(
      'check that the token can reach',
    );
    expect(describeError(github(502, 'Server Error'))).toContain('kept failing after retries');
  });
});
