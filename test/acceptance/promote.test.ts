import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { gitOk } from '../sim/git.js';
import { commentEvent, runAction, type SceneOptions } from './harness.js';
import {
  botComments,
  CART_DEV,
  CHECKOUT_DEV,
  CHECKOUT_PROD,
  comment,
  expectNothingWritten,
  graphqlCommits,
  operations,
  reactionsOn,
  result,
  setUp,
  tagOf,
  useScenes,
} from './scenarios.js';

useScenes();

describe('acceptance: /promote on a pull request', () => {
  it("records the PR head commit's committer time as Rollgate-Source-Time, from the one read (the report's lead time)", async () => {
    const s = await setUp();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(result(run)).toMatchObject({ status: 'committed' });
    const committed = await gitOk(s.app.dir, ['log', '-1', '--format=%cI', s.pr.headSha]);
    expect(s.sim.state.apiCommits[0]?.body).toMatch(
      new RegExp(`^Rollgate-Source-Time: ${new Date(committed).toISOString().replace(/\./g, '\\.')}$`, 'm'),
    );
    // A rollback ships an older version: its lead time is not this head's.
    await comment(s, 'alice', '/rollback dev checkout');
    expect(s.sim.state.apiCommits[1]?.body).not.toMatch(/Rollgate-Source-Time/);
  });

  it('promote allowed: one commit with trailers, sticky report, reactions, deployment, outputs', async () => {
    const s = await setUp();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(run.code).toBe(0);
    const head = await s.gitops.head();
    const file = await s.gitops.show('main', CHECKOUT_DEV);
    expect(file).toContain('    newTag: "1.5.0" # promoted by rollgate'); // the comment survives
    expect(file).toContain('# rollgate edits only the tag below; everything else stays byte for byte.');
    const message = await s.gitops.log();
    expect(message.split('\n')[0]).toBe(`${head} promote checkout 1.5.0 to dev`);
    const api = s.sim.state.apiCommits[0];
    expect(api?.body).toMatch(
      /Rollgate-Environment: dev\nRollgate-Service: checkout\nRollgate-Version: 1.5.0\nRollgate-Requested-By: alice\nRollgate-Source: https:\/\/github.com\/acme\/app\/pull\/1/,
    );
    expect(api?.by).toBe('rollgate-app[bot]'); // written with the gitops-token
    expect(run.outputs).toMatchObject({
      allowed: 'true',
      environment: 'dev',
      version: '1.5.0',
      'commit-sha': head,
    });
    expect(result(run)).toMatchObject({
      schema_version: 1,
      status: 'committed',
      reason_code: 'committed',
      commit_sha: head,
    });
    const sticky = botComments(s);
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.body).toMatch(/^<!-- rollgate:dev -->\n### 🚀 rollgate: dev promoted/);
    expect(sticky[0]?.body).toContain(`[${head.slice(0, 7)}](`);
    expect(sticky[0]?.body).toContain('```mermaid');
    // The pipeline picture shows the state after the commit, not the facts read before it.
    expect(sticky[0]?.body).toContain('e0["<b>dev</b><br/>checkout: 1.5.0"]');
    expect(reactionsOn(s)).toEqual(['rocket']);
    expect(s.sim.state.deployments.map((d) => [d.environment, d.sha])).toEqual([['dev', s.pr.headSha]]);
    expect(s.sim.state.deploymentStatuses.map((d) => d.state)).toEqual(['success']);
    expect(run.summary).toContain('### 🚀 rollgate: dev promoted');
    expect(run.stdout).toContain('::add-mask::ghs_gitops_token');
    expect(run.stdout).toContain('::add-mask::ghs_app_token');
  });

  it('the sticky comment is updated in place, never duplicated', async () => {
    const s = await setUp();
    await comment(s, 'alice', '/promote dev checkout --version 1.5.0 --dry-run');
    expect(botComments(s)[0]?.body).toContain('dev allowed (dry run, nothing written)');
    await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    const sticky = botComments(s);
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.body).toContain('dev promoted');
  });

  const denials: { name: string; body: string; gate: string; options?: SceneOptions }[] = [
    { name: 'freeze', body: '/promote production checkout --version 1.3.5', gate: 'year-2000-freeze' },
    { name: 'bake', body: '/promote staging checkout --version 1.4.0', gate: 'bake-1h' },
    { name: 'order', body: '/promote staging checkout --version 9.9.9', gate: 'order' },
  ];
  it.each(denials)(
    'denied by the $name gate: nothing written, the report says which gate',
    async ({ body, gate }) => {
      const s = await setUp();
      const before = await s.gitops.head();
      const run = await comment(s, 'alice', body);
      expect(run.code).toBe(0);
      await expectNothingWritten(s, before);
      const r = result(run);
      expect(r).toMatchObject({ status: 'denied', allowed: false });
      expect(r.decision?.verdicts.find((v) => v.gate === gate)?.outcome).toBe('fail');
      expect(run.outputs['allowed']).toBe('false');
      expect(botComments(s)[0]?.body).toMatch(
        new RegExp(`⛔ rollgate: \\w+ denied[\\s\\S]*❌ fail \\| ${gate} \\|`),
      );
      expect(reactionsOn(s)).toEqual(['-1']);
      expect(s.sim.state.deployments).toEqual([]);
    },
  );

  it('approvals by team: denied without an approving team member, allowed with one', async () => {
    const s = await setUp({ productionGates: ['release-approvals'] });
    s.sim.addReview('acme/app', s.pr.number, 'carol', 'APPROVED', s.pr.headSha);
    const denied = await comment(s, 'alice', '/promote production checkout --version 1.3.5');
    expect(result(denied)).toMatchObject({ status: 'denied' });
    expect(result(denied).decision?.verdicts.find((v) => v.gate === 'release-approvals')?.outcome).toBe(
      'fail',
    );
    s.sim.addTeamMember('acme', 'release', 'carol');
    const allowed = await comment(s, 'alice', '/promote production checkout --version 1.3.5');
    expect(result(allowed)).toMatchObject({ status: 'committed' });
    // Only the team the gate names is asked about, for the requester and the approver.
    const lookups = s.sim.requests.filter((r) => r.path.includes('/memberships/')).map((r) => r.path);
    expect([...new Set(lookups)].sort()).toEqual([
      '/orgs/acme/teams/release/memberships/alice',
      '/orgs/acme/teams/release/memberships/carol',
    ]);
  });

  it('required checks: denied while the build check is missing, allowed once it is green', async () => {
    const s = await setUp({ productionGates: ['ci-green'] });
    const denied = await comment(s, 'alice', '/promote production checkout --version 1.3.5');
    expect(result(denied)).toMatchObject({ status: 'denied' });
    expect(result(denied).decision?.verdicts.find((v) => v.gate === 'ci-green')?.outcome).toBe('fail');
    s.sim.state.checkRuns.push({
      id: 9001,
      repo: 'acme/app',
      name: 'build',
      headSha: s.pr.headSha,
      status: 'completed',
      conclusion: 'success',
      title: null,
      summary: null,
      text: null,
      detailsUrl: null,
      externalId: null,
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
      appSlug: 'github-actions',
    });
    const allowed = await comment(s, 'alice', '/promote production checkout --version 1.3.5');
    expect(result(allowed)).toMatchObject({ status: 'committed' });
  });

  it('SLO: denied when Prometheus shows the error budget spent', async () => {
    const s = await setUp({ productionGates: ['checkout-slo'] });
    // A loopback stand-in for Prometheus's query API: 5% of checkout's requests fail, in every window.
    const queries: string[] = [];
    const prometheus = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query') ?? '';
        queries.push(query);
        const value = query.includes('code=~"5.."') ? '5' : '100';
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, value] }] },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    try {
      const port = (prometheus.address() as AddressInfo).port;
      const run = await runAction(s, {
        event: 'issue_comment',
        payload: commentEvent(s, 'alice', '/promote production checkout --version 1.3.5'),
        inputs: { 'gitops-token': 'ghs_gitops_token' },
        env: { PROMETHEUS_URL: `http://127.0.0.1:${port}` },
      });
      expect(result(run)).toMatchObject({ status: 'denied' });
      const slo = result(run).decision?.verdicts.find((v) => v.gate === 'checkout-slo');
      expect(slo?.outcome).toBe('fail');
      expect(slo?.reasonCode).not.toBe('slo.no-data'); // judged on the data, not on its absence
      expect(queries.some((q) => q.includes('[30d]'))).toBe(true);
      expect(s.sim.state.apiCommits).toEqual([]);
    } finally {
      await new Promise((resolve) => prometheus.close(resolve));
    }
  });

  it('a freeze is let through by its label, and the override is recorded', async () => {
    const s = await setUp({ prLabels: ['hotfix'] });
    const run = await comment(
      s,
      'alice',
      '/promote production checkout --version 1.3.5 --reason "INC-7 fix"',
    );
    expect(result(run)).toMatchObject({ status: 'committed', allowed: true });
    expect(tagOf(await s.gitops.show('main', CHECKOUT_PROD))).toBe('1.3.5');
    expect(result(run).decision?.verdicts.map((v) => v.outcome)).toContain('warn');
    // --reason is recorded for every writing verb (issue 8), in the Action too.
    expect(s.sim.state.apiCommits[0]?.body).toMatch(/^Rollgate-Reason: INC-7 fix$/m);
  });

  it('a commenter without write permission is refused after one read, with one reaction and no reply', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    const run = await comment(s, 'rita', '/promote dev checkout --version 1.5.0');
    expect(run.code).toBe(0);
    await expectNothingWritten(s, before);
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'not-permitted' });
    expect(botComments(s)).toEqual([]);
    // The one read of the app repository (permission, config, PR), then the reaction: nothing of the GitOps repository.
    expect(operations(s)).toEqual(['graphql:repository', 'reactions/create-for-issue-comment']);
    expect(s.sim.requests.every((r) => r.token === 'ghs_app_token')).toBe(true);
    expect(reactionsOn(s)).toEqual(['-1']);
  });

  it('a pull request from a fork is refused unless allowed (allowed, it needs a confirmation: bot-safety.test.ts)', async () => {
    const s = await setUp({ prFromFork: true });
    const before = await s.gitops.head();
    const refused = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(result(refused)).toMatchObject({ status: 'aborted', reason_code: 'fork' });
    await expectNothingWritten(s, before);
    expect(botComments(s)[0]?.body).toContain('pull requests from forks cannot be promoted');
  });

  it('gates edited in the pull request are ignored: config comes from the default branch at a pinned SHA', async () => {
    const s = await setUp({
      prFiles: {
        '.github/policies/freeze.yaml':
          'gates:\n  year-2000-freeze:\n    freeze:\n      windows:\n        - { from: "1990-01-01T00:00", to: "1990-01-02T00:00" }\n',
      },
    });
    const run = await comment(s, 'alice', '/promote production checkout --version 1.3.5');
    expect(result(run)).toMatchObject({ status: 'denied' });
    // The config and the policies are read as files of the default branch's head commit, in the
    // same GraphQL query (so at one SHA); nothing is read at the pull request's head.
    const appReads = s.sim.requests.filter(
      (r) => r.token === 'ghs_app_token' && r.operation === 'graphql:repository',
    );
    expect(appReads).toHaveLength(1);
    const query = (appReads[0]?.body as { query?: string } | undefined)?.query ?? '';
    expect(query).toMatch(
      /defaultBranchRef \{[\s\S]*config: file\(path: \$config\)[\s\S]*policies: file\(path: \$policies\)/,
    );
    expect(s.sim.requests.filter((r) => r.path.includes('/contents/'))).toEqual([]);
  });

  it('a push to the pull request between the command and the commit aborts; nothing is written', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    s.sim.before({ graphql: /RollgateRead/ }, async () => {
      const pull = s.sim.state.pulls.find((p) => p.number === s.pr.number);
      if (pull) pull.head.sha = 'f'.repeat(40);
    });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'head-moved' });
    await expectNothingWritten(s, before);
    expect(graphqlCommits(s)).toEqual([]);
    expect(botComments(s)[0]?.body).toMatch(/head moved from \w{7} to fffffff/);
    expect(reactionsOn(s)).toEqual(['-1']);
  });

  it('two /promote of different services at once both land', async () => {
    const s = await setUp();
    const [a, b] = await Promise.all([
      comment(s, 'alice', '/promote dev checkout --version 1.6.0'),
      comment(s, 'alice', '/promote dev cart --version 2.0.0'),
    ]);
    expect([result(a).status, result(b).status]).toEqual(['committed', 'committed']);
    expect(tagOf(await s.gitops.show('main', CHECKOUT_DEV))).toBe('1.6.0');
    expect(tagOf(await s.gitops.show('main', CART_DEV))).toBe('2.0.0');
    expect(s.sim.state.apiCommits).toHaveLength(2);
  });

  it('the GitOps branch moving under the commit is re-read, re-planned and retried', async () => {
    const s = await setUp();
    s.sim.before({ graphql: /createCommitOnBranch/ }, async () => {
      await s.gitops.commit(
        { [CART_DEV]: (await s.gitops.show('main', CART_DEV)).replace('1.3.0', '2.1.0') },
        'someone else',
      );
    });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(result(run)).toMatchObject({ status: 'committed' });
    expect(graphqlCommits(s)).toHaveLength(2);
    expect(tagOf(await s.gitops.show('main', CHECKOUT_DEV))).toBe('1.5.0');
    expect(tagOf(await s.gitops.show('main', CART_DEV))).toBe('2.1.0');
  });

  it('faults: 5xx, REST and GraphQL primary rate limits and a secondary one are retried and the promotion lands', async () => {
    const s = await setUp();
    s.sim.inject({ match: { method: 'GET', path: '/repos/acme/app/pulls/1' }, status: 502 });
    s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 429, retryAfter: 1 });
    // GraphQL's own primary rate limit: HTTP 200 with an error of type RATE_LIMITED.
    s.sim.inject({
      match: { graphql: /RollgateRead/ },
      status: 429,
      graphqlRateLimited: true,
      retryAfter: 1,
    });
    s.sim.inject({
      match: { path: /\/issues\/1\/comments/ },
      status: 403,
      secondaryRateLimit: true,
      retryAfter: 1,
    });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(run.code).toBe(0);
    expect(result(run)).toMatchObject({ status: 'committed' });
    expect(s.sim.pendingFaults()).toEqual([]);
    expect(s.sim.requests.filter((r) => r.fault)).toHaveLength(4);
    expect(s.sim.state.apiCommits).toHaveLength(1);
  });

  it('faults: GitHub failing for good fails the run clearly, with nothing written', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502, times: 10 });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::rollgate: .*502/);
    await expectNothingWritten(s, before);
    expect(botComments(s).at(-1)?.body).toMatch(/rollgate failed[\s\S]*Nothing was written/);
    expect(reactionsOn(s)).toEqual(['-1']);
  });

  it('dry-run: gates and diff reported, nothing written', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0 --dry-run');
    expect(result(run)).toMatchObject({ status: 'dry-run', allowed: true });
    await expectNothingWritten(s, before);
    expect(botComments(s)[0]?.body).toContain(
      '-    newTag: "1.4.0" # promoted by rollgate\n+    newTag: "1.5.0" # promoted by rollgate',
    );
    expect(s.sim.state.deployments).toEqual([]);
  });

  it('no-op: the version is already there; no commit', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.4.0');
    expect(result(run)).toMatchObject({ status: 'no-op', allowed: true });
    await expectNothingWritten(s, before);
    expect(graphqlCommits(s)).toEqual([]);
  });

  it('pull-request mode: the same commit on a new branch and a PR into the GitOps branch', async () => {
    const s = await setUp({ mode: 'pull-request' });
    const before = await s.gitops.head();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(result(run)).toMatchObject({ status: 'proposed' });
    expect(await s.gitops.head()).toBe(before); // main untouched
    const proposal = s.sim.state.pulls.find((p) => p.repo === 'acme/gitops');
    expect(proposal?.base.ref).toBe('main');
    expect(proposal?.head.ref).toMatch(/^rollgate\/promote-checkout-1-5-0-to-dev-\d{8}t\d{6}z$/);
    expect(tagOf(await s.gitops.show(proposal?.head.ref ?? '', CHECKOUT_DEV))).toBe('1.5.0');
    expect(run.outputs['commit-sha']).toBe(await s.gitops.head(proposal?.head.ref));
    expect(botComments(s)[0]?.body).toContain('**Pull request:**');
    expect(s.sim.state.deploymentStatuses.map((d) => d.state)).toEqual(['queued']);
  });

  it('gitops.repository "." writes this repository through the same API path', async () => {
    const s = await setUp({ sameRepo: true });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0', { 'gitops-token': '' });
    expect(result(run)).toMatchObject({ status: 'committed' });
    expect(tagOf(await s.app.show('main', CHECKOUT_DEV))).toBe('1.5.0');
    expect(s.sim.state.apiCommits.map((c) => [c.repo, c.by])).toEqual([['acme/app', 'github-actions[bot]']]);
  });

  it('without a gitops-token that reaches the GitOps repository, the run fails saying so, nothing written', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0', { 'gitops-token': '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::rollgate: GitOps repository acme/gitops was not found or the token cannot read it; pass a gitops-token that can',
    );
    await expectNothingWritten(s, before);
  });

  it('the number of API requests a /promote makes does not grow with the number of services', async () => {
    const s = await setUp();
    const from1 = s.sim.requests.length;
    await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    const one = operations(s, from1);
    const from2 = s.sim.requests.length;
    await comment(s, 'alice', '/promote dev checkout cart --version 1.8.0');
    const two = operations(s, from2);
    expect(tagOf(await s.gitops.show('main', CART_DEV))).toBe('1.8.0');
    // The second run updates the sticky comment (its id came with the read) instead of creating it: same count.
    expect(two.length).toBe(one.length);
    expect(one.length).toBe(PROMOTE_REQUESTS);
    expect(one.filter((o) => o.startsWith('graphql'))).toEqual([
      'graphql:repository',
      'graphql:repository',
      'graphql:createCommitOnBranch',
    ]);
  });
});

/** The requests one /promote makes (see docs/action.md for the list; requests.test.ts for every command). */
const PROMOTE_REQUESTS = 9;
