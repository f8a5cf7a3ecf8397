import { Octokit } from '@octokit/core';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from './git-fixture.js';
import { startSimulator, type Simulator } from './index.js';

const Client = Octokit.plugin(restEndpointMethods);

let sim: Simulator;
let repo: GitFixture;
let gh: InstanceType<typeof Client>;
const owner = 'acme';
const name = 'app';

beforeAll(async () => {
  repo = await createGitFixture({
    'rollgate.yaml': 'environments: [staging, prod]\n',
    'policies/freeze.yaml': 'freeze: {}\n',
    'policies/bake.yaml': 'bake: {}\n',
  });
  await repo.commit({ 'feature.txt': 'new\n' }, 'feature', 'feature');
  sim = await startSimulator();
  sim.addRepo(`${owner}/${name}`, { dir: repo.dir });
  sim.addToken('t-bot', 'rollgate[bot]');
  gh = new Client({ auth: 't-bot', baseUrl: sim.url });
});

afterAll(async () => {
  await sim.close();
  await repo.cleanup();
});

beforeEach(() => {
  sim.violations.length = 0;
  sim.requests.length = 0;
});

describe('REST routes answer from state and git, valid against the OpenAPI description', () => {
  it('reads the repository, a commit, a file at a ref and a directory listing', async () => {
    const { data: r } = await gh.rest.repos.get({ owner, repo: name });
    expect(r.default_branch).toBe('main');
    expect(r.full_name).toBe('acme/app');

    const head = await repo.head();
    const { data: c } = await gh.rest.repos.getCommit({ owner, repo: name, ref: 'main' });
    expect(c.sha).toBe(head);
    expect(c.commit.message).toBe('initial');

    const { data: file } = await gh.rest.repos.getContent({
      owner,
      repo: name,
      path: 'rollgate.yaml',
      ref: head,
    });
    expect(Array.isArray(file)).toBe(false);
    if (Array.isArray(file) || file.type !== 'file') throw new Error('expected a file');
    expect(file.encoding).toBe('base64');
    expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe('environments: [staging, prod]\n');

    const { data: dir } = await gh.rest.repos.getContent({ owner, repo: name, path: 'policies', ref: head });
    expect(Array.isArray(dir) ? dir.map((e) => `${e.type}:${e.path}`).sort() : dir).toEqual([
      'file:policies/bake.yaml',
      'file:policies/freeze.yaml',
    ]);

    // The file only exists on the feature branch.
    await expect(
      gh.rest.repos.getContent({ owner, repo: name, path: 'feature.txt', ref: head }),
    ).rejects.toMatchObject({
      status: 404,
    });
    const { data: feat } = await gh.rest.repos.getContent({
      owner,
      repo: name,
      path: 'feature.txt',
      ref: 'feature',
    });
    expect(
      !Array.isArray(feat) && feat.type === 'file' && Buffer.from(feat.content, 'base64').toString(),
    ).toBe('new\n');
    expect(sim.violations).toEqual([]);
  });

  it('serves the raw media type for files', async () => {
    const res = await gh.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo: name,
      path: 'policies/bake.yaml',
      mediaType: { format: 'raw' },
    });
    expect(String(res.data)).toBe('bake: {}\n');
    expect(sim.violations).toEqual([]);
  });

  it('answers permissions and team memberships from state', async () => {
    sim.setPermission('acme/app', 'alice', 'maintain');
    sim.addTeamMember('acme', 'sre', 'alice');
    const { data: p } = await gh.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: name,
      username: 'alice',
    });
    expect([p.permission, p.role_name]).toEqual(['write', 'maintain']);
    const { data: none } = await gh.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: name,
      username: 'mallory',
    });
    expect(none.permission).toBe('none');
    const { data: m } = await gh.rest.teams.getMembershipForUserInOrg({
      org: 'acme',
      team_slug: 'sre',
      username: 'alice',
    });
    expect(m.state).toBe('active');
    await expect(
      gh.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'sre', username: 'mallory' }),
    ).rejects.toMatchObject({ status: 404 });
    expect(sim.violations).toEqual([]);
  });

  it('serves pull requests with head SHA, labels, author, fork flag and reviews', async () => {
    const pr = await sim.addPull('acme/app', { user: 'bob', head: { ref: 'feature' }, labels: ['promote'] });
    const fork = await sim.addPull('acme/app', {
      user: 'eve',
      head: { ref: 'evil', sha: pr.head.sha, repo: 'eve/app' },
    });
    sim.addReview('acme/app', pr.number, 'carol', 'APPROVED');

    const { data } = await gh.rest.pulls.get({ owner, repo: name, pull_number: pr.number });
    expect(data.head.sha).toBe(await repo.head('feature'));
    expect(data.user?.login).toBe('bob');
    expect(data.labels.map((l) => l.name)).toEqual(['promote']);
    expect(data.head.repo?.full_name).toBe('acme/app');

    const { data: f } = await gh.rest.pulls.get({ owner, repo: name, pull_number: fork.number });
    expect(f.head.repo?.full_name).toBe('eve/app');
    expect(f.head.repo?.fork).toBe(true);

    const { data: open } = await gh.rest.pulls.list({ owner, repo: name, state: 'open' });
    expect(open.map((p) => p.number).sort()).toEqual([pr.number, fork.number].sort());

    const { data: reviews } = await gh.rest.pulls.listReviews({ owner, repo: name, pull_number: pr.number });
    expect(reviews.map((r) => [r.user?.login, r.state])).toEqual([['carol', 'APPROVED']]);
    expect(sim.violations).toEqual([]);
  });

  it('records comments, edits and reactions made by the token user', async () => {
    const command = sim.addComment('acme/app', 1, 'alice', '/promote staging');
    const { data: created } = await gh.rest.issues.createComment({
      owner,
      repo: name,
      issue_number: 1,
      body: 'report v1',
    });
    expect(created.user?.login).toBe('rollgate[bot]');
    await gh.rest.issues.updateComment({ owner, repo: name, comment_id: created.id, body: 'report v2' });
    const { data: list } = await gh.rest.issues.listComments({ owner, repo: name, issue_number: 1 });
    expect(list.map((c) => c.body)).toEqual(['/promote staging', 'report v2']);

    const first = await gh.rest.reactions.createForIssueComment({
      owner,
      repo: name,
      comment_id: command.id,
      content: 'eyes',
    });
    const again = await gh.rest.reactions.createForIssueComment({
      owner,
      repo: name,
      comment_id: command.id,
      content: 'eyes',
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(sim.state.reactions.filter((r) => r.commentId === command.id).map((r) => r.content)).toEqual([
      'eyes',
    ]);

    // GitHub refuses comments over 65,536 characters.
    await expect(
      gh.rest.issues.createComment({ owner, repo: name, issue_number: 1, body: 'x'.repeat(65_537) }),
    ).rejects.toMatchObject({ status: 422 });
    expect(sim.violations).toEqual([]);
  });

  it('lists the reactions on a comment, of one content when asked', async () => {
    const reply = sim.addComment('acme/app', 1, 'rollgate[bot]', 'confirm?');
    sim.addReaction('acme/app', reply.id, 'alice', '+1');
    sim.addReaction('acme/app', reply.id, 'bob', '-1');
    const { data: all } = await gh.rest.reactions.listForIssueComment({
      owner,
      repo: name,
      comment_id: reply.id,
      per_page: 100,
    });
    expect(all.map((r) => `${r.user?.login}:${r.content}`)).toEqual(['alice:+1', 'bob:-1']);
    const { data: plus } = await gh.rest.reactions.listForIssueComment({
      owner,
      repo: name,
      comment_id: reply.id,
      content: '+1',
    });
    expect(plus.map((r) => r.user?.login)).toEqual(['alice']);
    expect(sim.violations).toEqual([]);
  });

  it('lists pushes with their server-side time in the repository activity, newest first, by ref', async () => {
    const pr = await sim.addPull('acme/app', { user: 'bob', head: { ref: 'topic', sha: 'c'.repeat(40) } });
    const later = new Date('2030-01-01T10:00:00Z');
    sim.push('acme/app', 'topic', 'a'.repeat(40), { actor: 'bob', at: later });
    sim.push('acme/app', 'other-topic', 'b'.repeat(40));
    expect(pr.head.sha).toBe('a'.repeat(40));
    const { data } = await gh.rest.repos.listActivities({
      owner,
      repo: name,
      ref: 'refs/heads/topic',
      per_page: 100,
    });
    expect(data.map((a) => [a.after, a.activity_type, a.actor?.login])).toEqual([
      ['a'.repeat(40), 'push', 'bob'],
      ['c'.repeat(40), 'push', 'bob'],
    ]);
    expect(data[0]?.timestamp).toBe('2030-01-01T10:00:00Z');
    expect(data[0]?.before).toBe(data[1]?.after);
    expect(sim.violations).toEqual([]);
  });

  it('records check runs, statuses (and their combined state) and deployments', async () => {
    const sha = await repo.head();
    await gh.rest.checks.create({
      owner,
      repo: name,
      name: 'rollgate/staging',
      head_sha: sha,
      status: 'completed',
      conclusion: 'success',
      output: { title: 'allowed', summary: 'all gates pass' },
    });
    const { data: runs } = await gh.rest.checks.listForRef({ owner, repo: name, ref: sha });
    sim.addToken('t-pat', 'alice');
    const pat = new Client({ auth: 't-pat', baseUrl: sim.url });
    await expect(
      pat.rest.checks.create({ owner, repo: name, name: 'x', head_sha: sha }),
    ).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/GitHub App/) });
    expect(runs.check_runs.map((r) => [r.name, r.conclusion])).toEqual([['rollgate/staging', 'success']]);

    await gh.rest.repos.createCommitStatus({ owner, repo: name, sha, state: 'success', context: 'ci' });
    await gh.rest.repos.createCommitStatus({
      owner,
      repo: name,
      sha,
      state: 'failure',
      context: 'rollgate/freeze/prod',
    });
    const { data: combined } = await gh.rest.repos.getCombinedStatusForRef({
      owner,
      repo: name,
      ref: 'main',
    });
    expect(combined.state).toBe('failure');
    expect(combined.total_count).toBe(2);

    const { data: dep } = await gh.rest.repos.createDeployment({
      owner,
      repo: name,
      ref: 'main',
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
    });
    if (!('id' in dep)) throw new Error('expected a deployment');
    await gh.rest.repos.createDeploymentStatus({
      owner,
      repo: name,
      deployment_id: Number(dep.id),
      state: 'success',
    });
    expect(sim.state.deploymentStatuses.map((s) => [s.deploymentId, s.state])).toEqual([[dep.id, 'success']]);
    // Like GitHub: without required_contexts, a failing status blocks the deployment.
    await expect(
      gh.rest.repos.createDeployment({
        owner,
        repo: name,
        ref: 'main',
        environment: 'prod',
        auto_merge: false,
      }),
    ).rejects.toMatchObject({ status: 409 });
    await expect(
      gh.rest.repos.createDeploymentStatus({
        owner,
        repo: name,
        deployment_id: Number(dep.id),
        state: 'failure',
        description: 'd'.repeat(141),
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(sim.violations).toEqual([]);
  });

  it('creates refs in the real git repository and pull requests from them', async () => {
    const sha = await repo.head();
    await gh.rest.git.createRef({ owner, repo: name, ref: 'refs/heads/rollgate/staging-1', sha });
    expect(await repo.head('rollgate/staging-1')).toBe(sha);
    await expect(
      gh.rest.git.createRef({ owner, repo: name, ref: 'refs/heads/rollgate/staging-1', sha }),
    ).rejects.toMatchObject({ status: 422 });
    const { data: pr } = await gh.rest.pulls.create({
      owner,
      repo: name,
      head: 'rollgate/staging-1',
      base: 'main',
      title: 'Promote',
    });
    expect(pr.head.sha).toBe(sha);
    expect(sim.state.pulls.find((p) => p.number === pr.number)?.user).toBe('rollgate[bot]');
    expect(sim.violations).toEqual([]);
  });
});

describe('violations', () => {
  it('refuses a request body that breaks the schema and records it', async () => {
    const c = sim.addComment('acme/app', 2, 'alice', '/promote prod');
    await expect(
      // Sent untyped on purpose: the typed client would not let this through.
      gh.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
        owner,
        repo: name,
        comment_id: c.id,
        content: 'thumbs-up' as 'eyes',
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(sim.violations).toHaveLength(1);
    expect(sim.violations[0]).toMatch(
      /reactions: request body: \/content must be equal to one of the allowed values/,
    );
    expect(sim.state.reactions.some((r) => r.commentId === c.id)).toBe(false);
  });

  it('records an unknown body field but still answers', async () => {
    const sha = await repo.head();
    await gh.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      owner,
      repo: name,
      sha,
      state: 'success',
      contxt: 'typo',
    });
    expect(sim.violations).toEqual([expect.stringMatching(/unknown field contxt/)]);
  });

  it('refuses a query parameter outside its enum and records it', async () => {
    await expect(
      gh.request('GET /repos/{owner}/{repo}/pulls', { owner, repo: name, state: 'opened' as 'open' }),
    ).rejects.toMatchObject({ status: 422 });
    expect(sim.violations).toEqual([
      expect.stringMatching(/query parameter state="opened": must be equal to one of the allowed values/),
    ]);
  });

  it('answers an unknown route with a loud 500 and records it', async () => {
    await expect(
      gh.request('GET /repos/{owner}/{repo}/branches', { owner, repo: name }),
    ).rejects.toMatchObject({
      status: 500,
    });
    expect(sim.violations).toEqual([
      expect.stringMatching(/GET \/repos\/acme\/app\/branches: unknown route/),
    ]);
    expect(sim.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/repos/acme/app/branches',
      status: 500,
      token: 't-bot',
    });
  });

  it('serves Enterprise Server style URLs under /api/v3', async () => {
    const ghes = new Client({ auth: 't-bot', baseUrl: `${sim.url}/api/v3` });
    const { data } = await ghes.rest.repos.get({ owner, repo: name });
    expect(data.url).toBe(`${sim.url}/api/v3/repos/acme/app`);
    expect(sim.violations).toEqual([]);
  });
});
