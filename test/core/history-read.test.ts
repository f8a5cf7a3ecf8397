import { describe, expect, it } from 'vitest';
import { readHistory } from '../../src/core/history-read.js';
import type { GitOpsStore } from '../../src/core/store.js';
import { formatTrailers, type RawCommit } from '../../src/core/trailers.js';

function promotion(sha: string, environment: string, service: string, version: string): RawCommit {
  const trailers = formatTrailers({
    environment,
    services: [service],
    version,
    requestedBy: 'ci',
    source: 'test',
    decision: 'allowed',
  });
  return { sha, committedAt: new Date(0), message: `promote\n\n${trailers}\n` };
}

/** A store over a fixed history that counts how many commits the reader was handed. */
function historyStore(commits: readonly RawCommit[]) {
  let handed = 0;
  const store: Pick<GitOpsStore, 'history'> = {
    async history(_from, visit) {
      for (const c of commits) {
        handed++;
        if (visit(c) === 'stop') return;
      }
    },
  };
  return { store, handed: () => handed };
}

const unrelated = (n: number): RawCommit[] =>
  Array.from({ length: n }, (_, i) => ({ sha: `u${i}`, committedAt: new Date(0), message: 'hand edit' }));

describe('readHistory', () => {
  it('stops as soon as every need has seen an older, different version', async () => {
    const { store, handed } = historyStore([
      promotion('a', 'staging', 'checkout', '1.4.0'),
      promotion('b', 'dev', 'checkout', '1.4.0'),
      promotion('c', 'staging', 'checkout', '1.3.0'),
      ...unrelated(10_000),
    ]);
    const entries = await readHistory(store, 'head', [
      { environment: 'staging', service: 'checkout', version: '1.4.0' },
    ]);
    expect(entries.map((e) => e.sha)).toEqual(['a', 'b', 'c']);
    expect(handed()).toBe(3);
  });

  it('a held version does not settle a need: a rollback reads past it to the one before', async () => {
    const { store, handed } = historyStore([
      promotion('a', 'dev', 'checkout', '1.3.5'),
      promotion('b', 'dev', 'checkout', '1.4.0'),
      promotion('c', 'dev', 'checkout', '1.3.5'),
      promotion('d', 'dev', 'checkout', '1.3.0'),
      ...unrelated(100),
    ]);
    const entries = await readHistory(store, 'head', [
      { environment: 'dev', service: 'checkout', version: '1.3.5', skip: new Set(['1.4.0']) },
    ]);
    expect(entries.map((e) => e.sha)).toEqual(['a', 'b', 'c', 'd']);
    expect(handed()).toBe(4);
  });

  it('a need for a version that is not the newest is settled by the first entry of its pair', async () => {
    const { store, handed } = historyStore([
      promotion('a', 'dev', 'cart', '2.0.0'),
      promotion('b', 'dev', 'cart', '1.0.0'),
      ...unrelated(100),
    ]);
    await readHistory(store, 'head', [{ environment: 'dev', service: 'cart', version: '1.0.0' }]);
    expect(handed()).toBe(1);
  });

  it('reads to the end when a pair never settles, and not at all without needs', async () => {
    const { store, handed } = historyStore([promotion('a', 'dev', 'cart', '2.0.0'), ...unrelated(50)]);
    const entries = await readHistory(store, 'head', [
      { environment: 'dev', service: 'cart', version: '2.0.0' },
    ]);
    expect(entries.map((e) => e.sha)).toEqual(['a']);
    expect(handed()).toBe(51);
    const none = historyStore([promotion('a', 'dev', 'cart', '2.0.0')]);
    expect(await readHistory(none.store, 'head', [])).toEqual([]);
    expect(none.handed()).toBe(0);
  });
});
