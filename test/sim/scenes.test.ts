// Scene-setting features acceptance tests lean on: hooks that act between two requests, bare
// repositories, pagination, and the request log's operation names.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/core';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitOk } from './git.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';
import { startSimulator, type Simulator } from './index.js';

const Client = Octokit.plugin(restEndpointMethods);
const COMMIT = `mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }`;

let sim: Simulator;
let repo: GitFixture;
let bare: string;
let gh: InstanceType<typeof Client>;

beforeAll(async () => {
  repo = await createGitFixture({ 'app.yaml': 'tag: 1\n' });
  await repo.commit({ 'x.txt': 'x\n' }, 'feature work', 'feature');
  bare = await mkdtemp(join(tmpdir(), 'sim-bare-'));
  await gitOk(bare, ['clone', '--quiet', '--bare', repo.dir, '.']);
  sim = await startSimulator();
  sim.addRepo('acme/app', { dir: repo.dir });
  sim.addRepo('acme/gitops', { dir: bare });
  gh = new Client({ auth: 't', baseUrl: sim.url });
});

afterAll(async () => {
  await sim.close();
  await repo.cleanup();
  await rm(bare, { recursive: true, force: true });
});

beforeEach(() => {
  sim.violations.length = 0;
  sim.requests.length = 0;
});

function commitInput(branch: string, expectedHeadOid: string, path: string) {
  return {
    input: {
      branch: { repositoryNameWithOwner: 'acme/gitops', branchName: branch },
      expectedHeadOid,
      message: { headline: `edit ${path}` },
      fileChanges: { additions: [{ path, contents: Buffer.from(`${path}\n`).toString('base64') }] },
    },
  };
}

describe('hooks run between requests', () => {
  it('a push to the PR between two reads shows up in the second read', async () => {
    const pr = await sim.addPull('acme/app', { user: 'bob', head: { ref: 'feature' } });
    const pushed = await repo.commit({ 'y.txt': 'y\n' }, 'pushed later', 'feature');
    // The push lands while the code under test writes its comment, between its two PR reads.
    sim.before({ method: 'POST', path: /\/issues\/\d+\/comments$/ }, () => {
      pr.head.sha = pushed;
    });
    const a = await gh.rest.pulls.get({ owner: 'acme', repo: 'app', pull_number: pr.number });
    await gh.rest.issues.createComment({ owner: 'acme', repo: 'app', issue_number: pr.number, body: '👀' });
    const b = await gh.rest.pulls.get({ owner: 'acme', repo: 'app', pull_number: pr.number });
    expect(a.data.head.sha).not.toBe(pushed);
    expect(b.data.head.sha).toBe(pushed);
    expect(sim.violations).toEqual([]);
  });

  it('a concurrent commit landing just before createCommitOnBranch makes it stale', async () => {
    const head = await gitOk(bare, ['rev-parse', 'refs/heads/main']);
    sim.before({ graphql: /createCommitOnBranch/ }, async () => {
      // Someone else commits first, on the same head.
      const other = await gh.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(
        COMMIT,
        commitInput('main', head, 'other.txt'),
      );
      expect(other.createCommitOnBranch.commit.oid).toMatch(/^[0-9a-f]{40}$/);
    });
    await expect(gh.graphql(COMMIT, commitInput('main', head, 'mine.txt'))).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'STALE_DATA' })],
    });
    const files = await gitOk(bare, ['ls-tree', '--name-only', 'refs/heads/main']);
    expect(files.split('\n')).toContain('other.txt');
    expect(files.split('\n')).not.toContain('mine.txt');
  });
});

describe('repositories', () => {
  it('commits through GraphQL into a bare repository', async () => {
    const head = await gitOk(bare, ['rev-parse', 'refs/heads/main']);
    const data = await gh.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(
      COMMIT,
      commitInput('main', head, 'envs/dev/new.yaml'),
    );
    const oid = data.createCommitOnBranch.commit.oid;
    expect(await gitOk(bare, ['rev-parse', 'refs/heads/main'])).toBe(oid);
    expect(await gitOk(bare, ['show', `${oid}:envs/dev/new.yaml`])).toBe('envs/dev/new.yaml');
    expect(await gitOk(bare, ['rev-parse', `${oid}^`])).toBe(head);
  });
});

describe('tokens', () => {
  it('a token scoped to one repository cannot see another one, over REST or GraphQL', async () => {
    sim.addToken('t-app-only', 'github-actions[bot]', { repos: ['acme/app'] });
    const scoped = new Client({ auth: 't-app-only', baseUrl: sim.url });
    await expect(scoped.rest.repos.get({ owner: 'acme', repo: 'app' })).resolves.toMatchObject({
      status: 200,
    });
    await expect(scoped.rest.repos.get({ owner: 'acme', repo: 'gitops' })).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      scoped.graphql(`query { repository(owner: "acme", name: "gitops") { id } }`),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'NOT_FOUND' })] });
    const head = await gitOk(bare, ['rev-parse', 'refs/heads/main']);
    await expect(scoped.graphql(COMMIT, commitInput('main', head, 'sneaky.txt'))).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'NOT_FOUND' })],
    });
    expect(await gitOk(bare, ['rev-parse', 'refs/heads/main'])).toBe(head);
    expect(sim.requests.map((r) => r.token)).toEqual(Array(4).fill('t-app-only'));
  });

  it('refuses a write without a token', async () => {
    const anonymous = new Client({ baseUrl: sim.url });
    await expect(
      anonymous.rest.issues.createComment({ owner: 'acme', repo: 'app', issue_number: 1, body: 'hi' }),
    ).rejects.toMatchObject({ status: 401 });
    expect(sim.violations).toEqual([expect.stringMatching(/write without a token/)]);
    expect(sim.state.comments.some((c) => c.body === 'hi')).toBe(false);
  });
});

describe('lists and the request log', () => {
  it('paginates with Link headers a client can follow to every item', async () => {
    for (let i = 0; i < 35; i++) sim.addComment('acme/app', 9, 'alice', `comment ${i}`);
    const bodies: (string | undefined)[] = [];
    let page: string | undefined = `${sim.url}/repos/acme/app/issues/9/comments?per_page=10`;
    while (page) {
      const res = (await gh.request(`GET ${page}`)) as {
        data: { body?: string }[];
        headers: { link?: string };
      };
      bodies.push(...res.data.map((c) => c.body));
      page = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
    }
    expect(bodies).toEqual(Array.from({ length: 35 }, (_, i) => `comment ${i}`));
    expect(sim.requests.length).toBe(4);
    expect(sim.violations).toEqual([]);
  });

  it('names each request by operation so tests can count API calls', async () => {
    await gh.rest.repos.get({ owner: 'acme', repo: 'app' });
    await gh.graphql(`query { repository(owner: "acme", name: "gitops") { defaultBranchRef { name } } }`);
    expect(sim.requests.map((r) => r.operation)).toEqual(['repos/get', 'graphql:repository']);
  });
});
