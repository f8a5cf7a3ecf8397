import { describe, expect, it } from 'vitest';
import { cachingStore } from '../../src/action/setup.js';
import type { CommitOutcome, GitOpsSnapshot, GitOpsStore } from '../../src/core/store.js';
import type { FileEdit } from '../../src/core/types.js';

// A branch in memory with compare-and-swap commits, counting reads: what cachingStore saves.
function branch(files: Record<string, string>) {
  let head = 'c0';
  let tree = { ...files };
  const reads: string[][] = [];
  const store: GitOpsStore = {
    read: async (paths) => {
      reads.push([...paths]);
      return { head, files: Object.fromEntries(paths.map((p) => [p, tree[p]])) };
    },
    history: async () => undefined,
    commit: async (snapshot: GitOpsSnapshot, edits: readonly FileEdit[]): Promise<CommitOutcome> => {
      if (snapshot.head !== head) return { kind: 'moved', detail: `the branch is at ${head}` };
      tree = { ...tree, ...Object.fromEntries(edits.map((e) => [e.path, e.after])) };
      head = `c${Number(head.slice(1)) + 1}`;
      return { kind: 'committed', sha: head };
    },
  };
  return {
    store,
    reads,
    move: (path: string, text: string) => {
      tree = { ...tree, [path]: text };
      head = `${head}x`;
    },
  };
}

const edit = (path: string, after: string): FileEdit => ({ path, before: '', after, descriptions: [] });

describe('cachingStore', () => {
  it('serves a read of known paths, and after a push-mode commit the committed files at the new head', async () => {
    const b = branch({ a: '1', b: '2' });
    const store = cachingStore(b.store, { mode: 'push' });
    const first = await store.read(['a', 'b', 'missing']);
    expect(await store.read(['b'])).toEqual({ head: 'c0', files: { b: '2' } });
    expect(await store.commit(first, [edit('a', '3')], 'm', new Date())).toEqual({
      kind: 'committed',
      sha: 'c1',
    });
    expect(await store.read(['a', 'b', 'missing'])).toEqual({
      head: 'c1',
      files: { a: '3', b: '2', missing: undefined },
    });
    expect(b.reads).toEqual([['a', 'b', 'missing']]);
    // A path it never read is read from the branch.
    expect(await store.read(['a', 'c'])).toEqual({ head: 'c1', files: { a: '3', c: undefined } });
    expect(b.reads).toHaveLength(2);
  });

  it('a branch that moved, or pull-request mode, forgets: the next read asks the branch', async () => {
    const b = branch({ a: '1' });
    const store = cachingStore(b.store, { mode: 'push' });
    const first = await store.read(['a']);
    b.move('a', 'theirs');
    expect((await store.commit(first, [edit('a', 'mine')], 'm', new Date())).kind).toBe('moved');
    expect((await store.read(['a'])).files).toEqual({ a: 'theirs' });

    const p = branch({ a: '1' });
    const proposing = cachingStore(p.store, { mode: 'pull-request' });
    await proposing.commit(await proposing.read(['a']), [edit('a', '2')], 'm', new Date());
    await proposing.read(['a']);
    expect(p.reads).toHaveLength(2);
  });
});
