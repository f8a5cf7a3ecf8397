import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGit } from '../../src/gitops/exec.js';
import type { GitObject } from '../../src/gitops/exec.js';
import { fetchAlong } from '../../src/gitops/fetch-along.js';
import { openCloneStore, openGitStore } from '../../src/gitops/git-cli.js';
import { objectId, treeContent } from '../../src/gitops/objects.js';
import { TreeReader } from '../../src/gitops/tree-read.js';
import { localTransport } from '../../src/gitops/transport.js';
import { openWireStore } from '../../src/gitops/wire-store.js';
import { UploadPack } from '../../src/gitops/wire.js';
import { git, showFile, tempDir } from '../helpers/repo.js';

// The wire store reads only the folders along the paths a plan reads or writes (fetch-along.ts),
// seen from the server's side: git's own packet trace (GIT_TRACE_PACKET) of the upload-pack the store
// starts says which objects each fetch wanted, and a real upload-pack shows that a tree wanted with
// `filter tree:0` comes alone. Writes are checked with `git fsck` and `git ls-tree -r` on the bare
// repository. The loop itself (rounds, and a server that leaves an object out) runs last against
// objects made in memory as git makes them.

const CHECKOUT = 'apps/checkout/overlays/dev/kustomization.yaml';
const CART = 'apps/cart/overlays/dev/kustomization.yaml';
const STATE = '.rollgate/state/dev/checkout.yaml';
const who = { name: 'rollgate', email: 'rollgate@example.com' };
const at = new Date('2026-11-16T09:00:00Z');

const kustomization = (service: string, tag: string) =>
  `images:\n  - name: ghcr.io/acme/${service}\n    newTag: "${tag}"\n`;

/** A bare repository of these files (and 30 unrelated ones in three folders), in one commit. */
async function bareWith(root: string, files: Readonly<Record<string, string>>): Promise<string> {
  const bare = join(root, 'gitops.git');
  await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const all: Record<string, string> = { ...files };
  for (let i = 0; i < 30; i++) all[`other/d${i % 3}/f${i}.yaml`] = `n: ${i}\n`;
  const lines = ['commit refs/heads/main', 'committer T <t@example.com> 1700000000 +0000', 'data 5', 'seed'];
  for (const [path, text] of Object.entries(all))
    lines.push(`M 100644 inline ${path}`, `data ${Buffer.byteLength(text)}`, text);
  const r = await runGit(['fast-import', '--quiet'], { cwd: bare, input: `${lines.join('\n')}\n` });
  if (r.code !== 0) throw new Error(`fast-import: ${r.stderr}`);
  return bare;
}

/** The object ids of these revisions (`main:apps`, ...), in the order given. */
async function ids(bare: string, ...revs: string[]): Promise<string[]> {
  return (await git(bare, 'rev-parse', ...revs)).trim().split('\n');
}

/** Every file of the branch head: `<mode> <type> <id>\t<path>`, sorted. */
async function listing(bare: string): Promise<string[]> {
  return (await git(bare, 'ls-tree', '-r', 'main')).trim().split('\n').sort();
}

async function blobId(text: string): Promise<string> {
  const r = await runGit(['hash-object', '--stdin'], { input: text });
  return r.stdout.trim();
}

/** What each fetch the upload-packs were sent wanted (sorted), and its other arguments, by git's packet trace. */
function fetches(trace: string): { wants: string[]; args: string[] }[] {
  const out: { wants: string[]; args: string[] }[] = [];
  for (const line of trace.split('\n')) {
    const sent = /packet:\s+upload-pack< (.*)$/.exec(line)?.[1];
    if (sent === undefined) continue;
    if (sent === 'command=fetch') out.push({ wants: [], args: [] });
    const current = out.at(-1);
    if (current === undefined || sent.startsWith('command=') || sent === '0000' || sent === '0001') continue;
    if (sent.startsWith('want ')) current.wants.push(sent.slice(5));
    else if (/^(filter|deepen) /.test(sent)) current.args.push(sent);
  }
  for (const f of out) f.wants.sort();
  return out;
}

describe('the wire store fetches only the folders along the paths', () => {
  let root = '';
  let cleanup = async () => {};
  let trace = '';
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
    trace = join(root, 'packets.trace');
    process.env.GIT_TRACE_PACKET = trace;
  });
  afterEach(async () => {
    delete process.env.GIT_TRACE_PACKET;
    await cleanup();
  });
  const traced = async () => fetches(await readFile(trace, 'utf8').catch(() => ''));

  it.each([
    ["rollgate's own upload-pack (the root tree comes with the commit)", undefined],
    [
      'a server that allows only tree:0, uploadpackfilter.tree.maxDepth=0 (the root tree in a round of its own)',
      '0',
    ],
  ])(
    'one fetch per folder level for all paths, a file in the round after its folder: %s',
    async (_, maxDepth) => {
      const bare = await bareWith(root, {
        [CHECKOUT]: kustomization('checkout', '1.0.0'),
        [CART]: kustomization('cart', '1.0.0'),
        'apps/checkout/overlays/prod/kustomization.yaml': kustomization('checkout', '0.9.0'),
        'top.yaml': 'top: 1\n',
      });
      if (maxDepth !== undefined) await git(bare, 'config', 'uploadpackfilter.tree.maxDepth', maxDepth);
      const store = await openGitStore({ repository: bare, branch: 'main', committer: who });
      try {
        const snap = await store.read([CHECKOUT, CART, 'top.yaml', STATE, 'other/d9/none.yaml']);
        expect(snap.files).toEqual({
          [CHECKOUT]: kustomization('checkout', '1.0.0'),
          [CART]: kustomization('cart', '1.0.0'),
          'top.yaml': 'top: 1\n',
          [STATE]: undefined,
          'other/d9/none.yaml': undefined,
        });
        const [head = '', rootTree = '', ...rest] = await ids(
          bare,
          'main',
          'main^{tree}',
          'main:apps',
          'main:top.yaml',
          'main:other',
          'main:apps/checkout',
          'main:apps/cart',
          'main:apps/checkout/overlays',
          'main:apps/cart/overlays',
          'main:apps/checkout/overlays/dev',
          'main:apps/cart/overlays/dev',
          `main:${CHECKOUT}`,
          `main:${CART}`,
        );
        const [apps, top, other, ...levels] = rest;
        const round = (...oids: (string | undefined)[]) => ({
          wants: oids.map((o) => o ?? '').sort(),
          args: ['filter tree:0'],
        });
        expect(await traced()).toEqual([
          { wants: [head], args: ['deepen 1', 'filter tree:1'] },
          ...(maxDepth === undefined
            ? []
            : [{ wants: [head], args: ['deepen 1', 'filter tree:0'] }, round(rootTree)]),
          // The root's file rides along with the first folders; .rollgate does not exist: nothing more.
          round(apps, top, other),
          round(levels[0], levels[1]),
          round(levels[2], levels[3]),
          round(levels[4], levels[5]),
          round(levels[6], levels[7]),
        ]);
        // The commit writes along paths read already: no fetch at all, and the new folders are made.
        const count = (await traced()).length;
        const edits = [
          { path: CHECKOUT, text: kustomization('checkout', '2.0.0') },
          { path: STATE, text: 'phase: done\n' },
          { path: '.rollgate/state/dev/cart.yaml', text: 'phase: new\n' },
        ];
        const before = await listing(bare);
        const outcome = await store.commit(
          snap,
          edits.map((e) => ({ path: e.path, before: '', after: e.text, descriptions: [] })),
          'promote\n',
          at,
        );
        expect(outcome.kind).toBe('committed');
        expect(await traced()).toHaveLength(count);
        await git(bare, 'fsck', '--strict', '--no-progress');
        const expected = before.filter((l) => !l.endsWith(`\t${CHECKOUT}`));
        for (const e of edits) expected.push(`100644 blob ${await blobId(e.text)}\t${e.path}`);
        expect(await listing(bare)).toEqual(expected.sort());
        expect((await git(bare, 'rev-parse', 'main^')).trim()).toBe(head);
      } finally {
        await store.close();
      }
    },
  );

  it('a commit without a read of its paths fetches the folders it rewrites, not the files', async () => {
    const bare = await bareWith(root, { [CHECKOUT]: kustomization('checkout', '1.0.0') });
    const store = await openGitStore({ repository: bare, branch: 'main', committer: who });
    try {
      const snap = await store.read([]);
      const [head = '', ...trees] = await ids(
        bare,
        'main',
        'main:apps',
        'main:apps/checkout',
        'main:apps/checkout/overlays',
        'main:apps/checkout/overlays/dev',
      );
      const edits = [
        { path: 'apps/checkout/overlays/dev/extra.yaml', text: 'extra: 1\n' },
        {
          path: 'apps/checkout/overlays/staging/kustomization.yaml',
          text: kustomization('checkout', '3.0.0'),
        },
        { path: STATE, text: 'phase: done\n' },
      ];
      const before = await listing(bare);
      const outcome = await store.commit(
        snap,
        edits.map((e) => ({ path: e.path, before: '', after: e.text, descriptions: [] })),
        'write\n',
        at,
      );
      expect(outcome.kind).toBe('committed');
      expect(await traced()).toEqual([
        { wants: [head], args: ['deepen 1', 'filter tree:1'] },
        ...trees.map((t) => ({ wants: [t], args: ['filter tree:0'] })),
      ]);
      await git(bare, 'fsck', '--strict', '--no-progress');
      const expected = [...before];
      for (const e of edits) expected.push(`100644 blob ${await blobId(e.text)}\t${e.path}`);
      expect(await listing(bare)).toEqual(expected.sort());
      expect(await showFile(bare, CHECKOUT)).toBe(kustomization('checkout', '1.0.0'));
    } finally {
      await store.close();
    }
  });

  it('a read after the branch moved returns the new content, fetching only what changed', async () => {
    const bare = await bareWith(root, {
      [CHECKOUT]: kustomization('checkout', '1.0.0'),
      [CART]: kustomization('cart', '1.0.0'),
    });
    const store = await openGitStore({ repository: bare, branch: 'main', committer: who });
    const rival = await openGitStore({ repository: bare, branch: 'main', committer: who });
    try {
      const first = await store.read([CHECKOUT, CART]);
      const theirs = await rival.read([CART]);
      const moved = await rival.commit(
        theirs,
        [{ path: CART, before: '', after: kustomization('cart', '2.0.0'), descriptions: [] }],
        'cart\n',
        at,
      );
      expect(moved.kind).toBe('committed');
      // A commit on the old head is refused; the re-read sees the rival's commit.
      expect(
        await store.commit(
          first,
          [{ path: CHECKOUT, before: '', after: kustomization('checkout', '2.0.0'), descriptions: [] }],
          'checkout\n',
          at,
        ),
      ).toMatchObject({ kind: 'moved' });
      const count = (await traced()).length;
      const again = await store.read([CHECKOUT, CART]);
      expect(again.head).toBe((await git(bare, 'rev-parse', 'main')).trim());
      expect(again.files).toEqual({
        [CHECKOUT]: kustomization('checkout', '1.0.0'),
        [CART]: kustomization('cart', '2.0.0'),
      });
      // Only the new commit (with its root) and the folders on the cart's path: apps/checkout is held.
      const changed = await ids(
        bare,
        'main',
        'main:apps',
        'main:apps/cart',
        'main:apps/cart/overlays',
        'main:apps/cart/overlays/dev',
        `main:${CART}`,
      );
      const wanted = (await traced()).slice(count).flatMap((f) => f.wants);
      expect(wanted.sort()).toEqual(changed.sort());
      const outcome = await store.commit(
        again,
        [{ path: CHECKOUT, before: '', after: kustomization('checkout', '2.0.0'), descriptions: [] }],
        'checkout\n',
        at,
      );
      expect(outcome.kind).toBe('committed');
      expect(await showFile(bare, CHECKOUT)).toBe(kustomization('checkout', '2.0.0'));
      expect(await showFile(bare, CART)).toBe(kustomization('cart', '2.0.0'));
      await git(bare, 'fsck', '--strict', '--no-progress');
    } finally {
      await Promise.all([store.close(), rival.close()]);
    }
  });
  it('a server that refuses tree filters is read as before: the commit with every folder, then the files', async () => {
    const bare = await bareWith(root, {
      [CHECKOUT]: kustomization('checkout', '1.0.0'),
      [CART]: kustomization('cart', '1.0.0'),
    });
    await git(bare, 'config', 'uploadpackfilter.tree.allow', 'false');
    const store = await openGitStore({ repository: bare, branch: 'main', committer: who });
    try {
      const snap = await store.read([CHECKOUT, CART, STATE]);
      expect(snap.files).toEqual({
        [CHECKOUT]: kustomization('checkout', '1.0.0'),
        [CART]: kustomization('cart', '1.0.0'),
        [STATE]: undefined,
      });
      const [head = '', ...blobs] = await ids(bare, 'main', `main:${CHECKOUT}`, `main:${CART}`);
      expect(await traced()).toEqual([
        { wants: [head], args: ['deepen 1', 'filter tree:1'] },
        { wants: [head], args: ['deepen 1', 'filter blob:none'] },
        { wants: blobs.sort(), args: ['filter blob:none'] },
      ]);
      const outcome = await store.commit(
        snap,
        [{ path: STATE, before: '', after: 'phase: done\n', descriptions: [] }],
        'state\n',
        at,
      );
      expect(outcome.kind).toBe('committed');
      expect(await showFile(bare, STATE)).toBe('phase: done\n');
      await git(bare, 'fsck', '--strict', '--no-progress');
    } finally {
      await store.close();
    }
  });
  it("across a network ('whole'): the commit with every folder in one fetch, then the files", async () => {
    const bare = await bareWith(root, {
      [CHECKOUT]: kustomization('checkout', '1.0.0'),
      [CART]: kustomization('cart', '1.0.0'),
    });
    const store = await openWireStore(localTransport(bare), {
      repository: bare,
      branch: 'main',
      committer: who,
      clone: () => openCloneStore({ repository: bare, branch: 'main' }),
      folders: 'whole',
    });
    try {
      const snap = await store.read([CHECKOUT, CART, STATE]);
      expect(snap.files[CART]).toBe(kustomization('cart', '1.0.0'));
      const [head = '', ...blobs] = await ids(bare, 'main', `main:${CHECKOUT}`, `main:${CART}`);
      expect(await traced()).toEqual([
        { wants: [head], args: ['deepen 1', 'filter blob:none'] },
        { wants: blobs.sort(), args: ['filter blob:none'] },
      ]);
      const before = await listing(bare);
      const outcome = await store.commit(
        snap,
        [{ path: STATE, before: '', after: 'phase: done\n', descriptions: [] }],
        'state\n',
        at,
      );
      expect(outcome.kind).toBe('committed');
      await git(bare, 'fsck', '--strict', '--no-progress');
      expect(await listing(bare)).toEqual(
        [...before, `100644 blob ${await blobId('phase: done\n')}\t${STATE}`].sort(),
      );
    } finally {
      await store.close();
    }
  });
});

describe('upload-pack answers a want by id', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('with filter tree:0, just the trees and blobs wanted; blob:none would bring every folder below', async () => {
    const bare = await bareWith(root, { [CHECKOUT]: kustomization('checkout', '1.0.0'), 'top.yaml': 'a\n' });
    const [apps = '', top = ''] = await ids(bare, 'main:apps', 'main:top.yaml');
    const server = new UploadPack(localTransport(bare));
    try {
      const alone = await server.fetch([apps, top], { filter: 'tree:0' });
      expect([...alone.keys()].sort()).toEqual([apps, top].sort());
      const below = await server.fetch([apps], { filter: 'blob:none' });
      expect(below.size).toBe(4);
    } finally {
      await server.close();
    }
  });
});

describe('fetchAlong', () => {
  /** Objects made as git makes them: a file `a/b/f` and the folders above it, and a reader of those held. */
  function repository() {
    const all = new Map<string, GitObject>();
    const add = (type: string, content: Buffer) => {
      const oid = objectId('sha1', type, content);
      all.set(oid, { oid, type, content });
      return oid;
    };
    const f = add('blob', Buffer.from('f\n'));
    const b = add('tree', treeContent(new Map([['f', { mode: '100644', oid: f }]])));
    const a = add('tree', treeContent(new Map([['b', { mode: '40000', oid: b }]])));
    const root = add('tree', treeContent(new Map([['a', { mode: '40000', oid: a }]])));
    const held = new Map<string, GitObject>();
    const trees = new TreeReader({ read: (oid) => Promise.resolve(held.get(oid)), close: async () => {} });
    const asked: string[][] = [];
    /** A server that sends what it is asked for, or (`answers` spent) nothing. */
    const server = (answers = Infinity) => ({
      held: (oid: string) => held.has(oid),
      fetch: (oids: readonly string[]) => {
        asked.push([...oids]);
        if (asked.length <= answers)
          for (const oid of oids) {
            const object = all.get(oid);
            if (object !== undefined) held.set(oid, object);
          }
        return Promise.resolve();
      },
    });
    return { ids: { root, a, b, f }, trees, asked, server };
  }

  it('a read asks for each folder in turn and the file in the round after its folder; a write for the folders only', async () => {
    for (const files of [true, false]) {
      const { ids, trees, asked, server } = repository();
      const found = await fetchAlong(trees, ids.root, ['a/b/f', 'a/none', 'x/y'], { files, ...server() });
      expect(found).toEqual(new Map([['a/b/f', ids.f]]));
      expect(asked).toEqual([[ids.root], [ids.a], [ids.b], ...(files ? [[ids.f]] : [])]);
    }
  });

  it('stops with the ids a server left out of its answer instead of asking again forever', async () => {
    const { ids, trees, asked, server } = repository();
    await expect(fetchAlong(trees, ids.root, ['a/b/f'], { files: true, ...server(1) })).rejects.toThrow(
      `left out ${ids.a}`,
    );
    expect(asked).toEqual([[ids.root], [ids.a]]);
  });
});
