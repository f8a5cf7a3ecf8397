import { describe, expect, it } from 'vitest';
import { comment, operations, result, setUp, useScenes } from './scenarios.js';
import { runAction, type Scene } from './harness.js';

useScenes();

// Issue 10, API requests: what each command costs GitHub, counted from the simulator's request log
// (docs/action.md has the same table). The bounds are the issue's; the lists are today's exact
// requests, so a change that adds one has to say so here.

/** The operations one run makes. */
async function requestsOf(s: Scene, run: () => Promise<unknown>): Promise<string[]> {
  const from = s.sim.requests.length;
  await run();
  return operations(s, from);
}

const PROMOTE = [
  'graphql:repository', // app: permission, config + policies at the default branch head, the PR, its stickies
  'repos/list-activities', // when the head was pushed (the command must be newer)
  'graphql:repository', // GitOps: overlays, state files, the first history page
  'pulls/get', // the head again, right before the commit (TOCTOU)
  'graphql:createCommitOnBranch',
  'issues/create-comment', // the sticky report (an update when the read found it)
  'repos/create-deployment',
  'repos/create-deployment-status',
  'reactions/create-for-issue-comment', // 🚀
];

describe('acceptance: API requests per command (issue 10)', () => {
  it('/promote: 9 requests (at most 10) with one service or two; the second updates the sticky by id', async () => {
    const s = await setUp();
    const one = await requestsOf(s, () => comment(s, 'alice', '/promote dev checkout --version 1.5.0'));
    expect(one).toEqual(PROMOTE);
    const two = await requestsOf(s, () => comment(s, 'alice', '/promote dev checkout cart --version 1.8.0'));
    expect(two).toEqual(PROMOTE.map((o) => (o === 'issues/create-comment' ? 'issues/update-comment' : o)));
    expect(one.length).toBeLessThanOrEqual(10);
  });

  it('/promote denied: 5 requests (at most 8): no commit, no head re-check, no deployment', async () => {
    const s = await setUp();
    const denied = await requestsOf(s, () =>
      comment(s, 'alice', '/promote staging checkout --version 1.4.0'),
    );
    expect(denied).toEqual([
      'graphql:repository',
      'repos/list-activities',
      'graphql:repository',
      'issues/create-comment',
      'reactions/create-for-issue-comment',
    ]);
    const both = await requestsOf(s, () =>
      comment(s, 'alice', '/promote staging checkout cart --version 1.4.0'),
    );
    expect(both).toEqual(denied.map((o) => (o === 'issues/create-comment' ? 'issues/update-comment' : o)));
  });

  it('a commenter without permission: 2 requests, the read and one reaction', async () => {
    const s = await setUp();
    const refused = await requestsOf(s, () => comment(s, 'rita', '/promote dev checkout --version 1.5.0'));
    expect(refused).toEqual(['graphql:repository', 'reactions/create-for-issue-comment']);
  });

  it('/status: 3 requests (at most 4) for every service; /help: 2', async () => {
    const s = await setUp();
    const status = await requestsOf(s, () => comment(s, 'alice', '/status'));
    expect(status).toEqual(['graphql:repository', 'graphql:repository', 'issues/create-comment']);
    const help = await requestsOf(s, () => comment(s, 'alice', '/help'));
    expect(help).toEqual(['graphql:repository', 'issues/create-comment']);
  });

  it('a token that may not list collaborators: REST answers the permission, one request more', async () => {
    const s = await setUp();
    s.sim.state.tokensWithoutPush.push('ghs_app_token');
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(result(run)).toMatchObject({ status: 'committed' });
    expect(operations(s).slice(0, 2)).toEqual([
      'graphql:repository',
      'repos/get-collaborator-permission-level',
    ]);
    expect(operations(s)).toHaveLength(PROMOTE.length + 1);
  });

  it('schedule: 2 requests when nothing changes, plus one per status that changes, with one pull request or three', async () => {
    // production is a canary environment (the tick reads the GitOps state) behind the always-on freeze.
    const s = await setUp({ canary: true });
    const schedule = () =>
      runAction(s, {
        event: 'schedule',
        payload: { schedule: '*/15 * * * *' },
        // No rollout is active, so nothing queries it; the config needs the variable to load.
        env: { PROMETHEUS_URL: 'http://127.0.0.1:9' },
      });
    const READS = ['graphql:repository', 'graphql:repository']; // the app (config, open PRs, statuses, deployments), the GitOps state
    const first = await requestsOf(s, schedule);
    expect(first.sort()).toEqual([...READS, 'repos/create-commit-status']);
    expect(await requestsOf(s, schedule)).toEqual(READS);

    for (const branch of ['feature-2', 'feature-3']) {
      const sha = await s.app.commit({ [`src/${branch}.ts`]: 'export {};\n' }, branch, new Date(), branch);
      await s.sim.addPull('acme/app', { user: 'carol', head: { ref: branch, sha } });
    }
    const three = await requestsOf(s, schedule);
    expect(three.sort()).toEqual([...READS, 'repos/create-commit-status', 'repos/create-commit-status']);
    expect(await requestsOf(s, schedule)).toEqual(READS);
    expect(s.sim.state.statuses.map((st) => st.context)).toEqual(Array(3).fill('rollgate/freeze/production'));
  });
});
