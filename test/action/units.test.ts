import { describe, expect, it } from 'vitest';
import { asCommentEvent, asPullRequestEvent } from '../../src/action/context.js';
import { describeError } from '../../src/action/describe-error.js';
import { askFromInputs } from '../../src/action/on-dispatch.js';
import { resolveVersion, teamsNamedBy } from '../../src/action/promotion.js';
import { upsertSticky, type CommentClient } from '../../src/action/sticky.js';
import type { Inputs } from '../../src/action/io.js';
import { parseConfig } from '../../src/config/load.js';
import { endpointsFromEnv, graphqlUrlFor } from '../../src/github/octokit.js';

const config = parseConfig(
  {
    file: '.github/rollgate.yaml',
    text: `version: 1
gitops: { repository: acme/gitops }
services:
  checkout: { image: ghcr.io/acme/checkout, tag: "sha-{{sha7}}" }
  cart: { image: ghcr.io/acme/cart, tag: "v-{{sha}}" }
  web: { image: ghcr.io/acme/web }
environments:
  dev: { path: "apps/{{service}}/dev" }
  production: { path: "apps/{{service}}/prod", after: dev, gates: [weekend] }
gates:
  weekend:
    freeze:
      windows: [{ start: "0 16 * * FRI", end: "0 8 * * MON" }]
      unless: { breakGlass: { teams: [acme/sre, acme/oncall] } }
`,
  },
  [],
  {},
);
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('resolveVersion', () => {
  it('--version wins', () => {
    expect(resolveVersion(config, ['web'], '1.2.3', SHA)).toEqual({ version: { tag: '1.2.3' } });
  });
  it('the build tag template, filled with the commit', () => {
    expect(resolveVersion(config, ['checkout'], undefined, SHA)).toEqual({ version: { tag: 'sha-0123456' } });
  });
  it('a service without a template needs --version', () => {
    expect(resolveVersion(config, ['web'], undefined, SHA)).toEqual({
      problem:
        'no version given and services.web.tag has no build tag template; add --version V (a tag or digest)',
    });
  });
  it('templates that disagree need --version', () => {
    const r = resolveVersion(config, ['checkout', 'cart'], undefined, SHA);
    expect('problem' in r && r.problem).toMatch(/give different tags \(sha-0123456, v-0123456789/);
  });
  it('a bad --version is reported, not thrown', () => {
    expect(resolveVersion(config, ['web'], '-bad', SHA)).toMatchObject({
      problem: expect.stringMatching(/not a valid image tag/),
    });
  });
});

describe('teamsNamedBy', () => {
  it('collects the org/team slugs the environment’s gates name', () => {
    expect(teamsNamedBy(config, 'production')).toEqual(['acme/oncall', 'acme/sre']);
    expect(teamsNamedBy(config, 'dev')).toEqual([]);
  });
});

describe('upsertSticky', () => {
  function fakeIssue(existing: string[]) {
    // "human:" marks a comment written by a person (the prefix is not part of the body).
    const comments = existing.map((text, i) => ({
      id: i + 1,
      body: text.replace(/^human:/, ''),
      user: { login: text.startsWith('human:') ? 'mallory' : 'github-actions[bot]' },
    }));
    const client: CommentClient = {
      rest: {
        issues: {
          listComments: async ({ per_page, page }) => ({
            data: comments.slice((page - 1) * per_page, page * per_page),
          }),
          createComment: async ({ body }) => {
            comments.push({ id: comments.length + 1, body, user: { login: 'bot' } });
            return { data: { id: comments.length } };
          },
          updateComment: async ({ comment_id, body }) => {
            const c = comments.find((x) => x.id === comment_id);
            if (c) c.body = body;
          },
        },
      },
    };
    return { client, comments };
  }
  const repo = { owner: 'acme', repo: 'app' };
  it('finds the marker past the first page and updates it', async () => {
    const issue = fakeIssue([
      ...Array.from({ length: 150 }, (_, i) => `comment ${i}`),
      '<!-- rollgate:dev --> old',
    ]);
    expect(
      await upsertSticky(issue.client, repo, 1, '<!-- rollgate:dev -->', '<!-- rollgate:dev --> new'),
    ).toEqual({ id: 151, created: false });
    expect(issue.comments).toHaveLength(151);
    expect(issue.comments[150]?.body).toBe('<!-- rollgate:dev --> new');
  });
  it('leaves the found comment alone when it already says what there is to say', async () => {
    const issue = fakeIssue(['<!-- rollgate:dev --> frozen until 2100']);
    const same = (existing: string) => existing.includes('until 2100');
    expect(
      await upsertSticky(issue.client, repo, 1, '<!-- rollgate:dev -->', '<!-- rollgate:dev --> new', same),
    ).toEqual({
      id: 1,
      created: false,
    });
    expect(issue.comments[0]?.body).toBe('<!-- rollgate:dev --> frozen until 2100');
  });
  it("a person's comment quoting the marker is never taken over", async () => {
    const issue = fakeIssue([
      'human:<!-- rollgate:dev --> quoted by a person',
      '<!-- rollgate:dev --> report',
    ]);
    expect(
      await upsertSticky(issue.client, repo, 1, '<!-- rollgate:dev -->', '<!-- rollgate:dev --> new'),
    ).toEqual({ id: 2, created: false });
    expect(issue.comments[0]?.body).toBe('<!-- rollgate:dev --> quoted by a person');
    expect(issue.comments[1]?.body).toBe('<!-- rollgate:dev --> new');
  });
  it('creates one when none carries the marker (another environment’s does not count)', async () => {
    const issue = fakeIssue(['<!-- rollgate:staging --> x']);
    expect(await upsertSticky(issue.client, repo, 1, '<!-- rollgate:dev -->', 'body')).toEqual({
      id: 2,
      created: true,
    });
  });
});

describe('upsertSticky with what the read already knows', () => {
  const repo = { owner: 'acme', repo: 'app' };
  function recording(updateFails?: number) {
    const calls: string[] = [];
    const client: CommentClient = {
      rest: {
        issues: {
          listComments: async () => {
            calls.push('list');
            return { data: [] };
          },
          createComment: async () => {
            calls.push('create');
            return { data: { id: 99 } };
          },
          updateComment: async ({ comment_id }) => {
            calls.push(`update ${comment_id}`);
            if (updateFails !== undefined)
              throw Object.assign(new Error('Not Found'), { status: updateFails });
          },
        },
      },
    };
    return { client, calls };
  }
  it('a known id: one update, no listing', async () => {
    const { client, calls } = recording();
    expect(await upsertSticky(client, repo, 1, 'm', 'b', undefined, { id: 7, complete: false })).toEqual({
      id: 7,
      created: false,
    });
    expect(calls).toEqual(['update 7']);
  });
  it('a known id deleted since the read: a new comment', async () => {
    const { client, calls } = recording(404);
    expect(await upsertSticky(client, repo, 1, 'm', 'b', undefined, { id: 7, complete: true })).toEqual({
      id: 99,
      created: true,
    });
    expect(calls).toEqual(['update 7', 'create']);
  });
  it('another failure of the update is the error it is', async () => {
    const { client } = recording(500);
    await expect(
      upsertSticky(client, repo, 1, 'm', 'b', undefined, { id: 7, complete: true }),
    ).rejects.toThrow('Not Found');
  });
  it('a known id, but the caller compares with the current text: the comments are listed', async () => {
    const { client, calls } = recording();
    await upsertSticky(client, repo, 1, 'm', 'b', () => false, { id: 7, complete: true });
    expect(calls).toEqual(['list', 'create']);
  });
  it('the read saw every comment and none is the sticky: one create; an incomplete read lists first', async () => {
    const complete = recording();
    await upsertSticky(complete.client, repo, 1, 'm', 'b', undefined, { complete: true });
    expect(complete.calls).toEqual(['create']);
    const partial = recording();
    await upsertSticky(partial.client, repo, 1, 'm', 'b', undefined, { complete: false });
    expect(partial.calls).toEqual(['list', 'create']);
  });
});

describe('payload guards', () => {
  it('a comment event', () => {
    expect(
      asCommentEvent({
        action: 'created',
        comment: {
          id: 5,
          body: '/help',
          created_at: '2026-01-01T00:00:00Z',
          user: { login: 'alice', type: 'User' },
        },
        issue: { number: 3, pull_request: {}, html_url: 'u' },
      }),
    ).toEqual({
      action: 'created',
      commentId: 5,
      body: '/help',
      author: 'alice',
      authorType: 'User',
      createdAt: '2026-01-01T00:00:00Z',
      issueNumber: 3,
      isPullRequest: true,
      issueUrl: 'u',
    });
    expect(asCommentEvent({ comment: { id: '5' } })).toBeUndefined();
    expect(asCommentEvent(null)).toBeUndefined();
  });
  it('a pull request event and listed pulls', () => {
    expect(
      asPullRequestEvent({ action: 'opened', pull_request: { number: 2, head: { sha: 'abc' } } }),
    ).toEqual({
      action: 'opened',
      number: 2,
      headSha: 'abc',
      htmlUrl: '',
    });
  });
});

describe('askFromInputs', () => {
  const inputs = (over: Partial<Inputs>): Inputs =>
    ({
      'github-token': '',
      'gitops-token': '',
      config: '',
      command: '',
      environment: '',
      services: '',
      version: '',
      'dry-run': 'false',
      permission: 'write',
      'allow-forks': 'false',
      ...over,
    }) as Inputs;
  it('from separate inputs', () => {
    expect(
      askFromInputs(inputs({ environment: 'dev', services: 'a, b\nc', version: '1.0', 'dry-run': 'true' })),
    ).toEqual({
      environment: 'dev',
      services: ['a', 'b', 'c'],
      version: '1.0',
      dryRun: true,
    });
  });
  it('from the command input, in the comment grammar', () => {
    expect(
      askFromInputs(inputs({ command: '/promote staging web --version 2 --reason "release train"' })),
    ).toEqual({
      environment: 'staging',
      services: ['web'],
      version: '2',
      dryRun: false,
      reason: 'release train',
    });
  });
  it('errors name the input and the fix', () => {
    expect(() => askFromInputs(inputs({}))).toThrow(/input environment is empty; set `environment:`/);
    expect(() => askFromInputs(inputs({ command: 'deploy' }))).toThrow(
      /input command is "deploy"; expected a rollgate command/,
    );
    expect(() => askFromInputs(inputs({ command: '/status' }))).toThrow(
      /only \/promote runs from a pipeline/,
    );
    // Never the environment's services instead of the flag rollout asked for.
    expect(() => askFromInputs(inputs({ command: '/promote production --flag new-checkout' }))).toThrow(
      /a flag rollout \(--flag new-checkout\) is not started from a pipeline; comment "\/promote production --flag new-checkout" on a pull request, or run `rollgate promote production --flag new-checkout`/,
    );
    expect(() => askFromInputs(inputs({ environment: 'dev', 'dry-run': 'yes' }))).toThrow(
      /input dry-run is "yes"; expected true or false/,
    );
  });
});

describe('endpoints', () => {
  it('github.com, GHES and an explicit GraphQL URL', () => {
    expect(endpointsFromEnv({})).toEqual({
      apiUrl: 'https://api.github.com',
      graphqlUrl: 'https://api.github.com/graphql',
    });
    expect(graphqlUrlFor('https://ghes.example.com/api/v3')).toBe('https://ghes.example.com/api/graphql');
    expect(
      endpointsFromEnv({
        GITHUB_API_URL: 'http://127.0.0.1:9/',
        GITHUB_GRAPHQL_URL: 'http://127.0.0.1:9/gql',
      }),
    ).toEqual({
      apiUrl: 'http://127.0.0.1:9',
      graphqlUrl: 'http://127.0.0.1:9/gql',
    });
  });
});

describe('describeError', () => {
  it('a GitHub answer names the request, the status and what to check', () => {
    const err = Object.assign(new Error('Not Found'), {
      status: 404,
      request: { method: 'GET', url: 'https://api.github.com/repos/acme/gitops' },
    });
    expect(describeError(err)).toBe(
      'GitHub API GET https://api.github.com/repos/acme/gitops answered 404 (Not Found); check that the token can reach that repository (github-token / gitops-token)',
    );
    expect(describeError(new Error('plain'))).toBe('plain');
  });
});
