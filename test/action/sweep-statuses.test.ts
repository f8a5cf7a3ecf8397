import { describe, expect, it } from 'vitest';
import { writeStatuses, type StatusClient } from '../../src/action/sweep-statuses.js';

const repo = { owner: 'acme', repo: 'app' };

describe('writeStatuses (one pull request of the freeze sweep)', () => {
  function client(existing: Record<string, string>, refuse: string[] = []) {
    const written: string[] = [];
    const c = {
      rest: {
        repos: {
          getCombinedStatusForRef: async () => ({
            data: { statuses: Object.entries(existing).map(([context, state]) => ({ context, state })) },
          }),
          createCommitStatus: async (p: { context: string; state: string }) => {
            if (refuse.includes(p.context)) {
              throw Object.assign(new Error('Validation Failed'), {
                status: 422,
                request: { method: 'POST', url: 'https://api.github.com/repos/acme/app/statuses/abc' },
              });
            }
            written.push(`${p.context}=${p.state}`);
            return {};
          },
        },
      },
    } satisfies StatusClient;
    return { c, written };
  }
  const want = (context: string, state: 'success' | 'failure') => ({ context, state, description: 'd' });

  it('writes only the statuses whose state changed', async () => {
    const { c, written } = client({
      'rollgate/freeze/prod': 'failure',
      'rollgate/freeze/staging': 'failure',
    });
    const out = await writeStatuses(
      c,
      repo,
      'abc',
      [want('rollgate/freeze/prod', 'failure'), want('rollgate/freeze/staging', 'success')],
      'u',
    );
    expect(out.map((o) => o.kind)).toEqual(['unchanged', 'written']);
    expect(written).toEqual(['rollgate/freeze/staging=success']);
  });

  it('a refused write fails that status only, with the cause', async () => {
    const { c, written } = client({}, ['rollgate/freeze/prod']);
    const out = await writeStatuses(
      c,
      repo,
      'abc',
      [want('rollgate/freeze/prod', 'failure'), want('rollgate/freeze/staging', 'success')],
      'u',
    );
    expect(out[0]).toMatchObject({ kind: 'failed', error: expect.stringContaining('answered 422') });
    expect(written).toEqual(['rollgate/freeze/staging=success']);
  });
});

describe('writeStatuses with the statuses the read brought', () => {
  it('reads nothing and writes only the changed ones', async () => {
    const calls: string[] = [];
    const c = {
      rest: {
        repos: {
          getCombinedStatusForRef: async () => {
            calls.push('read');
            return { data: { statuses: [] } };
          },
          createCommitStatus: async (p: { context: string; state: string }) => {
            calls.push(`${p.context}=${p.state}`);
            return {};
          },
        },
      },
    } satisfies StatusClient;
    const out = await writeStatuses(
      c,
      repo,
      'abc',
      [
        { context: 'rollgate/freeze/prod', state: 'failure', description: 'd' },
        { context: 'rollgate/freeze/dev', state: 'success', description: 'd' },
      ],
      'https://run',
      new Map([['rollgate/freeze/prod', 'failure']]),
    );
    expect(calls).toEqual(['rollgate/freeze/dev=success']);
    expect(out.map((o) => o.kind)).toEqual(['unchanged', 'written']);
  });
});
