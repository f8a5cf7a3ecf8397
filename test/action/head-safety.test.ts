import { describe, expect, it } from 'vitest';
import { confirmDeployment, type ConfirmClient } from '../../src/action/confirm.js';
import { judgeHead, readPushTime, type ActivityClient } from '../../src/action/head-safety.js';

const repo = { owner: 'acme', repo: 'app' };
const SHA = 'a'.repeat(40);

describe('judgeHead (pure)', () => {
  it('a head pushed before or when the comment was written is safe', () => {
    expect(judgeHead(SHA, '2026-01-01T10:00:00Z', '2026-01-01T09:59:00Z').kind).toBe('safe');
    expect(judgeHead(SHA, '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z').kind).toBe('safe');
  });
  it('a head pushed after the comment is refused, with both times and the SHA', () => {
    expect(judgeHead(SHA, '2026-01-01T10:00:00Z', '2026-01-01T10:00:01Z')).toEqual({
      kind: 'pushed-after-command',
      sha: SHA,
      pushedAt: '2026-01-01T10:00:01Z',
      commentedAt: '2026-01-01T10:00:00Z',
    });
  });
  it('no push time, or no comment time, cannot be judged', () => {
    expect(judgeHead(SHA, '2026-01-01T10:00:00Z', undefined).kind).toBe('no-push-time');
    expect(judgeHead(SHA, '', '2026-01-01T10:00:00Z').kind).toBe('no-push-time');
    expect(judgeHead(SHA, '2026-01-01T10:00:00Z', 'yesterday').kind).toBe('no-push-time');
  });
});

describe('readPushTime', () => {
  it('the newest push, force push or creation whose after is the SHA; other refs and SHAs do not count', async () => {
    const asked: unknown[] = [];
    const client = {
      rest: {
        repos: {
          listActivities: async (p: unknown) => {
            asked.push(p);
            return {
              data: [
                { after: 'b'.repeat(40), ref: 'refs/heads/feature', activity_type: 'push', timestamp: '3' },
                { after: SHA, ref: 'refs/heads/feature', activity_type: 'force_push', timestamp: '2' },
                { after: SHA, ref: 'refs/heads/feature', activity_type: 'push', timestamp: '1' },
                { after: SHA, ref: 'refs/heads/feature', activity_type: 'branch_deletion', timestamp: '4' },
              ],
            };
          },
        },
      },
    } satisfies ActivityClient;
    expect(await readPushTime(client, repo, 'feature', SHA)).toBe('2');
    expect(asked).toEqual([{ ...repo, ref: 'refs/heads/feature', per_page: 100 }]);
    expect(await readPushTime(client, repo, 'feature', 'c'.repeat(40))).toBeUndefined();
  });
});

describe('confirmDeployment', () => {
  function fake(reactionsByPoll: { user: { login: string }; content: string }[][]) {
    let poll = 0;
    let clock = 0;
    const bodies: string[] = [];
    const client = {
      rest: {
        issues: {
          createComment: async (p: { body: string }) => {
            bodies.push(p.body);
            return { data: { id: 7 } };
          },
        },
        reactions: {
          listForIssueComment: async () => ({
            data: reactionsByPoll[Math.min(poll++, reactionsByPoll.length - 1)],
          }),
        },
      },
    } satisfies ConfirmClient;
    const ask = {
      issueNumber: 1,
      author: 'alice',
      sha: SHA,
      what: 'checkout 1.5.0 to dev',
      why: 'a fork',
      timeoutSeconds: 10,
      pollSeconds: 3,
      now: () => clock,
      sleep: async (ms: number) => {
        clock += ms;
      },
    };
    return { client, ask, bodies, polls: () => poll };
  }
  const r = (login: string, content: string) => ({ user: { login }, content });

  it("ships on the commenter's +1 (someone else's does not count), naming the SHA in the reply", async () => {
    const f = fake([[r('bob', '+1')], [r('bob', '+1'), r('Alice', '+1')]]);
    expect(await confirmDeployment(f.client, repo, f.ask)).toEqual({ kind: 'confirmed', replyId: 7 });
    expect(f.bodies[0]).toContain(SHA);
    expect(f.bodies[0]).toContain('@alice, react 👍');
    expect(f.polls()).toBe(2);
  });
  it("the commenter's -1 cancels", async () => {
    const f = fake([[r('alice', '-1')]]);
    expect((await confirmDeployment(f.client, repo, f.ask)).kind).toBe('rejected');
  });
  it('nothing within the timeout: timed out, after polling up to the deadline', async () => {
    const f = fake([[r('bob', '+1')]]);
    expect((await confirmDeployment(f.client, repo, f.ask)).kind).toBe('timed-out');
    expect(f.polls()).toBe(5); // t = 0, 3, 6, 9, 10
  });
});
