import { describe, expect, it } from 'vitest';
import { CHECKOUT_DEV, comment, reactionsOn, result, setUp, tagOf, useScenes } from './scenarios.js';

useScenes();

// Issue 11 item 3: GitHub wrote the commit, then its answer was lost (a 5xx). The retry finds the
// branch moved and the re-plan changes nothing; rollgate must recognise its own commit by the
// run id in its trailer (Rollgate-Run) and report it as committed, not as a no-op or a failure.

describe('acceptance: a lost answer to createCommitOnBranch', () => {
  it('one 5xx after the commit landed: reported committed, with the commit, a deployment and 🚀', async () => {
    const s = await setUp();
    s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502, afterHandling: true });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    const head = await s.gitops.head();
    expect(tagOf(await s.gitops.show('main', CHECKOUT_DEV))).toBe('1.5.0');
    expect(s.sim.state.apiCommits).toHaveLength(1);
    expect(s.sim.state.apiCommits[0]?.body).toMatch(/Rollgate-Run: 42:[0-9a-f]{8}\n/);
    expect(result(run)).toMatchObject({ status: 'committed', commit_sha: head });
    expect(run.outputs['commit-sha']).toBe(head);
    expect(s.sim.state.deployments).toHaveLength(1);
    expect(reactionsOn(s)).toEqual(['rocket']);
  });

  it('5xx on every retry after it landed: still committed, never "nothing was written"', async () => {
    const s = await setUp();
    s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502, afterHandling: true, times: 10 });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(s.sim.state.apiCommits).toHaveLength(1);
    expect(result(run)).toMatchObject({ status: 'committed', commit_sha: await s.gitops.head() });
    expect(run.code).toBe(0);
  });
});
