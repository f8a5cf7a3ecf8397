import { describe, expect, it } from 'vitest';
import { commentEvent, runAction } from './harness.js';
import {
  botComments,
  CHECKOUT_DEV,
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

// Issue 11, "Security and correctness of the bot": who may command rollgate, and which commit a
// command may ship.

describe('acceptance: the commit a command ships is the one that was there when it was written (TOCTOU)', () => {
  it('a push to the pull request after the comment was written is refused, naming the SHA that would have shipped', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    const payload = commentEvent(s, 'alice', '/promote dev checkout');
    // The author pushes a minute after alice commented, before the run reads the pull request.
    const sneaky = await s.app.commit({ 'src/index.ts': 'steal();\n' }, 'sneaky', new Date(), 'feature');
    s.sim.push('acme/app', 'feature', sneaky, { actor: 'bob', at: new Date(Date.now() + 60_000) });
    const run = await runAction(s, { event: 'issue_comment', payload });
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'head-pushed-after-command' });
    await expectNothingWritten(s, before);
    const reply = botComments(s)[0]?.body ?? '';
    expect(reply).toContain(sneaky.slice(0, 7));
    expect(reply).toMatch(/pushed .* after the command/);
    expect(reactionsOn(s)).toEqual(['-1']);
    expect(operations(s)).toContain('repos/list-activities');
  });

  it('a head pushed before the comment ships, after one activity read', async () => {
    const s = await setUp();
    const run = await comment(s, 'alice', '/promote dev checkout');
    expect(result(run)).toMatchObject({ status: 'committed', version: `sha-${s.pr.headSha.slice(0, 7)}` });
    expect(operations(s).filter((o) => o === 'repos/list-activities')).toHaveLength(1);
  });

  it('no server-side push time (a fork): refused unless deployment confirmation is enabled', async () => {
    const s = await setUp({ prFromFork: true });
    const before = await s.gitops.head();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0', { 'allow-forks': 'true' });
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'no-push-time' });
    expect(botComments(s)[0]?.body).toContain('deployment-confirmation: true');
    expect(botComments(s)[0]?.body).toContain(s.pr.headSha.slice(0, 7));
    await expectNothingWritten(s, before);
  });

  it('with deployment confirmation, rollgate names the SHA and ships once the commenter gives +1', async () => {
    const s = await setUp({ prFromFork: true });
    // bob's +1 does not count; alice's does.
    s.sim.before({ method: 'GET', path: /\/reactions/ }, () => {
      const ask = botComments(s).at(-1);
      if (!ask) return;
      s.sim.addReaction('acme/app', ask.id, 'bob', '+1');
      s.sim.addReaction('acme/app', ask.id, 'alice', '+1');
    });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0', {
      'allow-forks': 'true',
      'deployment-confirmation': 'true',
      'deployment-confirmation-timeout': '30',
    });
    expect(result(run)).toMatchObject({ status: 'committed' });
    expect(tagOf(await s.gitops.show('main', CHECKOUT_DEV))).toBe('1.5.0');
    const ask = botComments(s).find((c) => c.body.includes('confirm'));
    expect(ask?.body).toContain(s.pr.headSha);
    expect(ask?.body).toContain('@alice');
  });

  it('with deployment confirmation, no +1 from the commenter in time: refused, nothing written', async () => {
    const s = await setUp({ prFromFork: true });
    const before = await s.gitops.head();
    s.sim.before({ method: 'GET', path: /\/reactions/ }, () => {
      const ask = botComments(s).at(-1);
      if (ask) s.sim.addReaction('acme/app', ask.id, 'bob', '+1');
    });
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0', {
      'allow-forks': 'true',
      'deployment-confirmation': 'true',
      'deployment-confirmation-timeout': '1',
    });
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'not-confirmed' });
    await expectNothingWritten(s, before);
    expect(graphqlCommits(s)).toEqual([]);
  });
});

describe('acceptance: bots and users without permission', () => {
  it("a bot's command is ignored without a word or an API call", async () => {
    const s = await setUp();
    s.sim.setPermission('acme/app', 'renovate[bot]', 'write');
    const run = await comment(s, 'renovate[bot]', '/promote dev checkout --version 6.6.6');
    expect(run.code).toBe(0);
    expect(s.sim.requests).toEqual([]);
    expect(run.outputs).toEqual({});
  });

  it('a bot named by allow-bots is obeyed like a person', async () => {
    const s = await setUp();
    s.sim.setPermission('acme/app', 'release-bot[bot]', 'write');
    const run = await comment(s, 'release-bot[bot]', '/promote dev checkout --version 1.5.0', {
      'allow-bots': 'renovate[bot], release-bot[bot]',
    });
    expect(result(run)).toMatchObject({ status: 'committed' });
  });

  it('a user without permission gets at most one reaction and no comment', async () => {
    const s = await setUp();
    const before = await s.gitops.head();
    for (const body of ['/promote dev checkout --version 1.5.0', '/promote', '/help', '/status']) {
      const run = await comment(s, 'rita', body);
      expect(run.code).toBe(0);
      expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'not-permitted' });
    }
    await expectNothingWritten(s, before);
    expect(botComments(s)).toEqual([]);
    expect(reactionsOn(s)).toEqual(['-1', '-1', '-1', '-1']);
  });
});
