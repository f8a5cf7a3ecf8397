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

// The same in pull-request mode, where rollgate writes a fresh branch and opens a PR: a lost answer
// to any of the three writes is recognised (the branch at the head, the run's own commit on it by
// its Rollgate-Run trailer, the PR from it) and reported as proposed, never as an error.
describe('acceptance: a lost answer in pull-request mode', () => {
  const proposals = (s: Awaited<ReturnType<typeof setUp>>) =>
    s.sim.state.pulls.filter((p) => p.repo === 'acme/gitops');

  it('createCommitOnBranch answered 5xx after it landed: proposed, one commit, one PR', async () => {
    const s = await setUp({ mode: 'pull-request' });
    const before = await s.gitops.head();
    s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502, afterHandling: true, times: 10 });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(run.code, run.stdout).toBe(0);
    expect(s.sim.state.apiCommits).toHaveLength(1);
    const [proposal] = proposals(s);
    expect(proposals(s)).toHaveLength(1);
    const branchHead = await s.gitops.head(proposal?.head.ref);
    expect(result(run)).toMatchObject({ status: 'proposed', commit_sha: branchHead });
    expect(tagOf(await s.gitops.show(proposal?.head.ref ?? '', CHECKOUT_DEV))).toBe('1.5.0');
    expect(await s.gitops.head()).toBe(before);
  });

  it('the branch and the PR answered 5xx after they were made: proposed, one branch, one PR', async () => {
    const s = await setUp({ mode: 'pull-request' });
    s.sim.inject({ match: { method: 'POST', path: /\/git\/refs$/ }, status: 502, afterHandling: true });
    s.sim.inject({
      match: { method: 'POST', path: /\/repos\/acme\/gitops\/pulls$/ },
      status: 502,
      afterHandling: true,
    });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0');
    expect(run.code, run.stdout).toBe(0);
    expect(s.sim.pendingFaults()).toEqual([]);
    expect(s.sim.state.createdRefs).toHaveLength(1);
    expect(proposals(s)).toHaveLength(1);
    expect(result(run)).toMatchObject({
      status: 'proposed',
      commit_sha: await s.gitops.head(proposals(s)[0]?.head.ref),
    });
  });
});
