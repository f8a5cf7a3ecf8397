import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from './git-fixture.js';
import { startSimulator, type Simulator } from './index.js';

let sim: Simulator;
let repo: GitFixture;

beforeAll(async () => {
  repo = await createGitFixture({ 'a.txt': 'a\n' });
  sim = await startSimulator();
  sim.addRepo('acme/app', { dir: repo.dir });
});

afterAll(async () => {
  await sim.close();
  await repo.cleanup();
});

beforeEach(() => {
  sim.violations.length = 0;
  sim.requests.length = 0;
  expect(sim.pendingFaults()).toEqual([]);
});

function get(path: string): Promise<Response> {
  return fetch(`${sim.url}${path}`, { headers: { authorization: 'token t' } });
}

function graphql(query: string, variables: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${sim.url}/graphql`, {
    method: 'POST',
    headers: { authorization: 'bearer t', 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
}

describe('injected faults', () => {
  it('answers a one-shot 502 once, then serves normally', async () => {
    sim.inject({ match: { method: 'GET', path: '/repos/acme/app' }, status: 502 });
    const first = await get('/repos/acme/app');
    const second = await get('/repos/acme/app');
    expect([first.status, second.status]).toEqual([502, 200]);
    expect(sim.requests.map((r) => [r.status, r.fault ?? false])).toEqual([
      [502, true],
      [200, false],
    ]);
    expect(sim.pendingFaults()).toEqual([]);
  });

  it('repeats a fault `times` times and only on matching requests', async () => {
    sim.inject({ match: { path: /\/pulls\?state=open$/ }, status: 503, times: 2 });
    const other = await get('/repos/acme/app');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/repos/acme/app/pulls?state=open')).status);
    expect(other.status).toBe(200);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('gives a primary rate limit GitHub headers: remaining 0, a reset time and retry-after', async () => {
    sim.inject({ match: { path: '/repos/acme/app' }, status: 429, retryAfter: 7 });
    const res = await get('/repos/acme/app');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000) + 6,
    );
    expect(((await res.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
  });

  it("gives a secondary rate limit GitHub's 403 message and retry-after", async () => {
    sim.inject({ match: { path: '/repos/acme/app' }, status: 403, secondaryRateLimit: true, retryAfter: 3 });
    const res = await get('/repos/acme/app');
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { message: string }).message).toMatch(
      /You have exceeded a secondary rate limit/,
    );
  });

  it('matches GraphQL documents by content: a failed mutation changes nothing', async () => {
    const before = await repo.head();
    sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502 });
    const read = await graphql(`
      query {
        repository(owner: "acme", name: "app") {
          defaultBranchRef {
            name
          }
        }
      }
    `);
    expect(read.status).toBe(200);
    const write = await graphql(
      `
        mutation ($input: CreateCommitOnBranchInput!) {
          createCommitOnBranch(input: $input) {
            commit {
              oid
            }
          }
        }
      `,
      {
        input: {
          branch: { repositoryNameWithOwner: 'acme/app', branchName: 'main' },
          expectedHeadOid: before,
          message: { headline: 'x' },
          fileChanges: { additions: [{ path: 'b.txt', contents: Buffer.from('b').toString('base64') }] },
        },
      },
    );
    expect(write.status).toBe(502);
    expect(await repo.head()).toBe(before);
    expect(sim.pendingFaults()).toEqual([]);
  });

  it("lets Octokit's retry and throttling plugins recover from a 502 and a secondary rate limit", async () => {
    const Client = Octokit.plugin(retry, throttling);
    const gh = new Client({
      auth: 't',
      baseUrl: sim.url,
      throttle: {
        onRateLimit: (_after, _opts, _o, retryCount) => retryCount < 2,
        onSecondaryRateLimit: (_after, _opts, _o, retryCount) => retryCount < 2,
      },
    });
    sim.inject({ match: { path: '/repos/acme/app' }, status: 502 });
    sim.inject({ match: { path: '/repos/acme/app' }, status: 403, secondaryRateLimit: true, retryAfter: 1 });
    const res = await gh.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' });
    expect(res.data.full_name).toBe('acme/app');
    expect(sim.requests.map((r) => r.status)).toEqual([502, 403, 200]);
    expect(sim.violations).toEqual([]);
  });
});

describe('GraphQL rate limit', () => {
  it("answers 200 with a RATE_LIMITED error, which Octokit's throttling plugin waits out", async () => {
    const Client = Octokit.plugin(throttling);
    const gh = new Client({
      auth: 't',
      baseUrl: sim.url,
      throttle: {
        onRateLimit: (_after, _opts, _o, retryCount) => retryCount < 2,
        onSecondaryRateLimit: () => false,
      },
    });
    sim.inject({ match: { graphql: /defaultBranchRef/ }, status: 429, graphqlRateLimited: true });
    const res = await gh.request('POST /graphql', {
      query: `query { repository(owner: "acme", name: "app") { defaultBranchRef { name } } }`,
    });
    expect(res.data).toEqual({ data: { repository: { defaultBranchRef: { name: 'main' } } } });
    expect(sim.requests.map((r) => [r.status, r.fault ?? false])).toEqual([
      [200, true],
      [200, false],
    ]);
  });
});

describe('GitHub-like headers', () => {
  it('sends rate-limit counters per token and a request id', async () => {
    const a = await get('/repos/acme/app');
    const b = await get('/repos/acme/app');
    expect(a.headers.get('x-github-request-id')).toMatch(/^[0-9A-F-]{10,}$/);
    expect(a.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(
      Number(a.headers.get('x-ratelimit-remaining')) - Number(b.headers.get('x-ratelimit-remaining')),
    ).toBe(1);
    expect(a.headers.get('x-ratelimit-resource')).toBe('core');
  });
});
