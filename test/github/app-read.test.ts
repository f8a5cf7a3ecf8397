import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppQuery, readApp } from '../../src/github/app-read.js';
import { graphqlPartialOver } from '../../src/github/graphql.js';
import { createGitFixture, type GitFixture } from '../sim/git-fixture.js';
import { gitOk } from '../sim/git.js';
import { startSimulator, type Simulator } from '../sim/index.js';

// The one read of the app repository (src/github/app-read.ts) against the loopback simulator,
// which validates the document against GitHub's GraphQL schema and answers from real git and
// its state: config and policies at one commit, the pull request, a permission, open pull
// requests with their statuses, deployments.

let sim: Simulator;
let repo: GitFixture;
let mainSha: string;
let headSha: string;
const app = { owner: 'acme', repo: 'app' };
const CONFIG = '.github/rollgate.yaml';

const graphqlAs = (token: string) =>
  graphqlPartialOver(new Octokit({ auth: token, baseUrl: sim.url }), `${sim.url}/graphql`);

beforeAll(async () => {
  repo = await createGitFixture({
    [CONFIG]: 'version: 1\n',
    '.github/policies/b.yaml': 'gates: {}\n',
    '.github/policies/a.yml': 'gates: {}\n',
    '.github/policies/notes.md': '# not a policy\n',
  });
  await symlink('a.yml', join(repo.dir, '.github/policies/link.yaml'));
  mainSha = await repo.commit({}, 'a symlinked policy is not read');
  headSha = await repo.commit({ 'src/x.ts': 'export {};\n' }, 'feature', 'feature');
  await gitOk(repo.dir, ['checkout', '--quiet', 'main']);
  sim = await startSimulator();
  sim.addRepo('acme/app', { dir: repo.dir });
  sim.addToken('t-app', 'github-actions[bot]');
  sim.addToken('t-read-only', 'github-actions[bot]', { push: false });
  sim.setPermission('acme/app', 'alice', 'maintain');
  sim.setPermission('acme/app', 'alicia', 'read');
}, 60_000);

afterAll(async () => {
  expect(sim.violations).toEqual([]);
  await sim.close();
  await repo.cleanup();
});

describe('readApp', () => {
  it('reads the config and the regular policy files at the default branch head, in one request', async () => {
    const before = sim.requests.length;
    const read = await readApp(graphqlAs('t-app'), app, { configPath: CONFIG });
    expect(sim.requests.length - before).toBe(1);
    expect(read).toEqual({
      branch: 'main',
      sha: mainSha,
      files: {
        [CONFIG]: 'version: 1\n',
        '.github/policies/a.yml': 'gates: {}\n',
        '.github/policies/b.yaml': 'gates: {}\n',
      },
    });
  });

  it('a missing config is absent from the files (the caller says where to put it)', async () => {
    const read = await readApp(graphqlAs('t-app'), app, { configPath: 'missing/rollgate.yaml' });
    expect(read.files).toEqual({});
  });

  it('reads the pull request: head, fork, labels, reviews (bots named as REST names them), rollgate stickies', async () => {
    const pr = await sim.addPull('acme/app', { user: 'bob', head: { ref: 'feature' }, labels: ['hotfix'] });
    sim.addReview('acme/app', pr.number, 'carol', 'APPROVED');
    sim.addReview('acme/app', pr.number, 'review-bot[bot]', 'COMMENTED');
    const sticky = sim.addComment(
      'acme/app',
      pr.number,
      'github-actions[bot]',
      '<!-- rollgate:dev -->\n### report',
    );
    sim.addComment('acme/app', pr.number, 'mallory', '<!-- rollgate:dev --> a quote');
    sim.addComment('acme/app', pr.number, 'alice', '/promote dev');
    const read = await readApp(graphqlAs('t-app'), app, { configPath: CONFIG, pull: pr.number });
    expect(read.pull).toMatchObject({
      number: pr.number,
      author: 'bob',
      headSha,
      headRef: 'feature',
      labels: ['hotfix'],
      fromFork: false,
      open: true,
      stickies: [{ id: sticky.id, head: '<!-- rollgate:dev -->' }],
      stickiesComplete: true,
    });
    expect(read.pull?.reviews.map((r) => [r.user, r.state, r.commitId])).toEqual([
      ['carol', 'APPROVED', headSha],
      ['review-bot[bot]', 'COMMENTED', headSha],
    ]); // The head's committer time, in the same request: a promotion's Rollgate-Source-Time.
    const committed = await gitOk(repo.dir, ['log', '-1', '--format=%cI', headSha]);
    expect(read.pull?.headCommittedAt).toBe(new Date(committed).toISOString());
  });

  it('a pull request with more comments than one page says its stickies may be incomplete; a fork is a fork', async () => {
    const pr = await sim.addPull('acme/app', { user: 'eve', head: { ref: 'feature', repo: 'eve/app' } });
    for (let i = 0; i < 101; i++) sim.addComment('acme/app', pr.number, 'eve', `comment ${i}`);
    const read = await readApp(graphqlAs('t-app'), app, { configPath: CONFIG, pull: pr.number });
    expect(read.pull).toMatchObject({ fromFork: true, stickies: [], stickiesComplete: false });
  });

  it("the commenter's role from collaborators(login:), 'none' when not listed, undefined when the token may not list them", async () => {
    const as = async (token: string, login: string) =>
      (await readApp(graphqlAs(token), app, { configPath: CONFIG, permissionOf: login })).permission;
    expect(await as('t-app', 'alice')).toBe('maintain');
    expect(await as('t-app', 'ALICE')).toBe('maintain');
    expect(await as('t-app', 'ali')).toBe('none'); // login: is exact, unlike query:
    expect(await as('t-app', 'alicia')).toBe('read');
    expect(await as('t-read-only', 'alice')).toBeUndefined();
  });

  it('every open pull request with its head statuses, past the first page', async () => {
    const open = await sim.addPull('acme/app', { user: 'dan', head: { ref: 'feature' }, labels: ['x'] });
    await sim.addPull('acme/app', { user: 'dan', head: { ref: 'feature' }, state: 'closed' });
    sim.state.statuses.push(
      {
        id: 1,
        repo: 'acme/app',
        sha: headSha,
        state: 'failure',
        context: 'rollgate/freeze/prod',
        description: null,
        targetUrl: null,
        creator: 'x',
        createdAt: '',
      },
      {
        id: 2,
        repo: 'acme/app',
        sha: headSha,
        state: 'success',
        context: 'rollgate/freeze/prod',
        description: null,
        targetUrl: null,
        creator: 'x',
        createdAt: '',
      },
    );
    for (let i = 0; i < 100; i++)
      await sim.addPull('acme/app', { user: 'bulk', head: { ref: 'feature', sha: headSha } });
    const before = sim.requests.length;
    const read = await readApp(graphqlAs('t-app'), app, { configPath: CONFIG, openPulls: true });
    expect(sim.requests.length - before).toBe(2); // 103 open pull requests: two pages
    const pulls = read.openPulls ?? [];
    expect(pulls.length).toBe(sim.state.pulls.filter((p) => p.state === 'open').length);
    const mine = pulls.find((p) => p.number === open.number);
    expect(mine?.labels).toEqual(['x']);
    expect(Object.fromEntries(mine?.statuses ?? [])).toEqual({ 'rollgate/freeze/prod': 'success' });
  });

  it('the latest deployments, newest first, with their payloads and node ids', async () => {
    const at = '2026-01-01T00:00:00Z';
    const base = {
      repo: 'acme/app',
      ref: 'main',
      sha: mainSha,
      task: 'deploy',
      description: null,
      creator: 'x',
      productionEnvironment: false,
      transientEnvironment: false,
      createdAt: at,
    };
    sim.state.deployments.push(
      { ...base, id: 7001, environment: 'staging', payload: { services: ['a'] } },
      { ...base, id: 7002, environment: 'production', payload: { services: ['a'], comment: 5 } },
    );
    const read = await readApp(graphqlAs('t-app'), app, { configPath: CONFIG, deployments: true });
    expect(read.deployments?.slice(0, 2)).toEqual([
      { nodeId: 'DE_7002', environment: 'production', payload: { services: ['a'], comment: 5 } },
      { nodeId: 'DE_7001', environment: 'staging', payload: { services: ['a'] } },
    ]);
  });

  it('asks only for what it is told to', () => {
    const bare = buildAppQuery({ configPath: CONFIG });
    expect(bare).not.toMatch(/collaborators|pullRequest|deployments/);
    expect(buildAppQuery({ configPath: CONFIG, permissionOf: 'a', pull: 1 })).toMatch(
      /collaborators[\s\S]*pullRequest\(/,
    );
  });
});
