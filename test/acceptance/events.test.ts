import { describe, expect, it } from 'vitest';
import { commentEvent, dispatchEvent, pullRequestEvent, reviewEvent, runAction } from './harness.js';
import { operations, result, setUp, useScenes } from './scenarios.js';

useScenes();

describe('acceptance: other events', () => {
  it('pull_request: a check run rollgate/<env> per environment on the head', async () => {
    const s = await setUp();
    const run = await runAction(s, { event: 'pull_request', payload: pullRequestEvent(s) });
    expect(run.code).toBe(0);
    const runs = s.sim.state.checkRuns.map((c) => [c.name, c.headSha, c.conclusion]);
    expect(runs).toEqual([
      ['rollgate/dev', s.pr.headSha, 'success'],
      ['rollgate/staging', s.pr.headSha, 'failure'],
      ['rollgate/production', s.pr.headSha, 'failure'],
    ]);
    // One GraphQL read of the app repository (config, policies, the PR and its reviews) and one of
    // the GitOps repository serve every environment; then a check run each.
    expect(operations(s)).toEqual([
      'graphql:repository',
      'graphql:repository',
      'checks/create',
      'checks/create',
      'checks/create',
    ]);
    expect(s.sim.state.apiCommits).toEqual([]);
  });

  it('pull_request_review: the same re-evaluation, a check run per environment', async () => {
    const s = await setUp();
    const run = await runAction(s, { event: 'pull_request_review', payload: reviewEvent(s) });
    expect(run.code).toBe(0);
    expect(s.sim.state.checkRuns.map((c) => c.name)).toEqual([
      'rollgate/dev',
      'rollgate/staging',
      'rollgate/production',
    ]);
    expect(s.sim.state.checkRuns[1]?.title).toBe('staging: blocked by order, bake-1h');
  });

  it('schedule: the freeze sweep sets rollgate/freeze/<env> on the head of every open PR', async () => {
    const s = await setUp();
    const sha = await s.app.commit({ 'src/other.ts': 'export {};\n' }, 'other work', new Date(), 'feature-2');
    const second = await s.sim.addPull('acme/app', {
      user: 'carol',
      head: { ref: 'feature-2', sha },
      labels: ['hotfix'], // the freeze's unless.labels lets it through
    });
    const run = await runAction(s, { event: 'schedule', payload: { schedule: '*/15 * * * *' } });
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    const statuses = s.sim.state.statuses.map((st) => [st.sha, st.context, st.state]);
    expect(statuses).toHaveLength(2);
    expect(statuses).toEqual(
      expect.arrayContaining([
        [s.pr.headSha, 'rollgate/freeze/production', 'failure'],
        [second.head.sha, 'rollgate/freeze/production', 'success'],
      ]),
    );
    const frozen = s.sim.state.statuses.find((st) => st.state === 'failure');
    expect(frozen?.description).toContain('year-2000-freeze');
    expect(
      s.sim.state.statuses.every((st) => st.targetUrl === 'https://github.com/acme/app/actions/runs/42'),
    ).toBe(true);
  });

  it('workflow_dispatch: promotes from inputs; a denial fails the step', async () => {
    const s = await setUp();
    const ok = await runAction(s, {
      event: 'workflow_dispatch',
      payload: dispatchEvent(s),
      inputs: { environment: 'dev', services: 'checkout, cart', version: '1.9.0' },
    });
    expect(ok.code).toBe(0);
    expect(result(ok)).toMatchObject({ status: 'committed', services: ['checkout', 'cart'] });
    expect(ok.summary).toContain('dev promoted');
    const denied = await runAction(s, {
      event: 'workflow_dispatch',
      payload: dispatchEvent(s),
      inputs: { command: '/promote production checkout --version 1.3.5' },
    });
    expect(denied.code).toBe(1);
    expect(result(denied)).toMatchObject({ status: 'denied' });
  });

  it('GitHub Enterprise Server URLs (/api/v3, /api/graphql) are honoured', async () => {
    const s = await setUp();
    const run = await runAction(s, {
      event: 'issue_comment',
      payload: commentEvent(s, 'alice', '/promote dev checkout --version 1.5.0'),
      ghes: true,
    });
    expect(result(run)).toMatchObject({ status: 'committed' });
  });

  it('an event rollgate does not handle gets a notice and exit 0', async () => {
    const s = await setUp();
    const run = await runAction(s, { event: 'release', payload: {} });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::notice::rollgate does not handle release events');
    expect(s.sim.requests).toEqual([]);
  });
});
