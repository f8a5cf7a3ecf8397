import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { parseRemoteUrl } from '../../src/gitops/remote-url.js';
import { catFile } from '../../src/gitops/cat-file.js';
import { localTransport, type Transport } from '../../src/gitops/transport.js';
import { UploadPack } from '../../src/gitops/wire.js';
import { openWireStore } from '../../src/gitops/wire-store.js';
import { exampleGitOps, git, showFile, tempDir } from '../helpers/repo.js';

// The git store over the wire (a repository on this machine: a path or a file:// URL), against real
// bare repositories: reads, commits with the lease, and says what went wrong in git's words.

describe('a repository on this machine (parseRemoteUrl)', () => {
  it.each([
    ['/srv/gitops.git', '/srv/gitops.git'],
    ['file:///srv/gitops.git', '/srv/gitops.git'],
    ['file:///srv/a%20b.git', '/srv/a b.git'],
    ['https://example.com/acme/gitops.git', undefined],
    ['ssh://git@example.com/acme/gitops.git', undefined],
    ['git@example.com:acme/gitops.git', undefined],
    ['example.com:acme/gitops.git', undefined],
  ])('%s', (repository, expected) => {
    const remote = parseRemoteUrl(repository);
    expect(remote.kind === 'local' ? remote.path : undefined).toBe(expected);
  });
});

describe('git store over the wire', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const who = { name: 'rollgate', email: 'rollgate@example.com' };
  const at = new Date('2026-11-16T09:00:00Z');
  const overlay = 'apps/checkout/overlays/dev/kustomization.yaml';

  it('reads files at the head, commits on it, and names the head it was planned on', async () => {
    const bare = await exampleGitOps(root);
    const store = await openGitStore({
      repository: pathToFileURL(bare).href,
      branch: 'main',
      committer: who,
    });
    try {
      const head = (await git(bare, 'rev-parse', 'main')).trim();
      const snap = await store.read([overlay, 'no/such/file.yaml', 'apps']);
      expect(snap.head).toBe(head);
      expect(snap.files[overlay]).toBe(await showFile(bare, overlay));
      expect(snap.files['no/such/file.yaml']).toBeUndefined();
      expect(snap.files.apps).toBeUndefined();
      const edited = (snap.files[overlay] ?? '').replace('1.3.0', '1.4.0');
      const outcome = await store.commit(
        snap,
        [
          { path: overlay, before: snap.files[overlay] ?? '', after: edited, descriptions: [] },
          { path: 'new/folder/file.yaml', before: '', after: 'a: 1\n', descriptions: [] },
        ],
        'promote checkout\n',
        at,
      );
      expect(outcome.kind).toBe('committed');
      if (outcome.kind !== 'committed') return;
      expect((await git(bare, 'rev-parse', 'main')).trim()).toBe(outcome.sha);
      expect((await git(bare, 'log', '-1', '--format=%P|%an <%ae>|%cI|%B', 'main')).trim()).toBe(
        `${head}|rollgate <rollgate@example.com>|2026-11-16T09:00:00+00:00|promote checkout`,
      );
      expect(await showFile(bare, overlay)).toBe(edited);
      expect(await showFile(bare, 'new/folder/file.yaml')).toBe('a: 1\n');
      await git(bare, 'fsck', '--strict', '--no-progress');
      // The same store reads its own commit back, and a commit on the old head is refused as moved.
      expect((await store.read([overlay])).head).toBe(outcome.sha);
      const stale = await store.commit(
        snap,
        [{ path: overlay, before: '', after: 'x: 1\n', descriptions: [] }],
        'stale\n',
        at,
      );
      expect(stale).toMatchObject({ kind: 'moved' });
      expect((await git(bare, 'rev-parse', 'main')).trim()).toBe(outcome.sha);
      // The objects of the refused attempt never reached the repository: the next attempt sends them.
      const again = await store.commit(
        await store.read([overlay]),
        [{ path: overlay, before: '', after: 'x: 1\n', descriptions: [] }],
        'again\n',
        at,
      );
      expect(again.kind).toBe('committed');
      expect(await showFile(bare, overlay)).toBe('x: 1\n');
      await git(bare, 'fsck', '--strict', '--no-progress');
    } finally {
      await store.close();
    }
  });

  it('loses the race on the server as moved: the lease is checked again under the ref lock', async () => {
    const bare = await exampleGitOps(root);
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const rival = await openGitStore({ repository: bare, branch: 'main' });
    try {
      const [mine, theirs] = await Promise.all([store.read([overlay]), rival.read([overlay])]);
      const results = await Promise.all([
        store.commit(mine, [{ path: 'a.yaml', before: '', after: 'a\n', descriptions: [] }], 'a\n', at),
        rival.commit(theirs, [{ path: 'b.yaml', before: '', after: 'b\n', descriptions: [] }], 'b\n', at),
      ]);
      expect(results.map((r) => r.kind).sort()).toEqual(['committed', 'moved']);
      expect(await git(bare, 'rev-list', '--count', 'main')).toBe('2\n');
    } finally {
      await Promise.all([store.close(), rival.close()]);
    }
  });

  it.each([
    ['in place (a repository on this machine)', true],
    ['over the wire (as from a server)', false],
  ])(
    'reads the same after a prefetch %s, at the head it opened on, whatever it guessed',
    async (_how, inPlace) => {
      const bare = await exampleGitOps(root);
      const paths = [overlay, 'apps/cart/overlays/production/kustomization.yaml', 'no/such/file.yaml'];
      const plain = await openGitStore({ repository: bare, branch: 'main' });
      const warmed = inPlace
        ? await openGitStore({ repository: bare, branch: 'main', headInPlace: true })
        : await openWireStore(localTransport(bare), {
            repository: bare,
            branch: 'main',
            committer: who,
            clone: () => Promise.reject(new Error('no clone in this test')),
          });
      try {
        const opened = (await git(bare, 'rev-parse', 'main')).trim();
        // A guess with paths the read never asks for, and one that is no repository path at all.
        warmed.prefetch?.([overlay, 'apps/cart/overlays/staging/kustomization.yaml', '../outside', '/abs']);
        // The branch moves after the stores opened: both first reads still answer at the head they opened on.
        const moved = (await git(bare, 'commit-tree', 'main^{tree}', '-p', 'main', '-m', 'moved')).trim();
        await git(bare, 'update-ref', 'refs/heads/main', moved);
        const expected = await plain.read(paths);
        expect(expected.head).toBe(opened);
        expect(await warmed.read(paths)).toEqual(expected);
      } finally {
        await Promise.all([plain.close(), warmed.close()]);
      }
    },
  );

  it('prefetches a repository on this machine in place: the read that follows fetches nothing', async () => {
    const bare = await exampleGitOps(root);
    const paths = [overlay, 'apps/cart/overlays/production/kustomization.yaml', 'no/such/file.yaml'];
    const plain = await openGitStore({ repository: bare, branch: 'main' });
    const warmed = await openGitStore({ repository: bare, branch: 'main' });
    try {
      const expected = await plain.read(paths);
      warmed.prefetch?.(paths);
      const fetches = vi.spyOn(UploadPack.prototype, 'fetch');
      try {
        expect(await warmed.read(paths)).toEqual(expected);
        expect(fetches).not.toHaveBeenCalled();
      } finally {
        fetches.mockRestore();
      }
    } finally {
      await Promise.all([plain.close(), warmed.close()]);
    }
  });

  it('opens a repository on this machine in place: a prefetch and the read after it start no upload-pack, a commit still pushes with the lease', async () => {
    const bare = await exampleGitOps(root);
    const paths = [overlay, 'apps/cart/overlays/production/kustomization.yaml', 'no/such/file.yaml'];
    const plain = await openGitStore({ repository: bare, branch: 'main' });
    const services: string[] = [];
    const counted: Transport = {
      connect: (service) => {
        services.push(service);
        return localTransport(bare).connect(service);
      },
    };
    const store = await openWireStore(counted, {
      repository: bare,
      branch: 'main',
      committer: who,
      clone: () => Promise.reject(new Error('no clone in this test')),
      folders: 'along',
      rootWithCommit: true,
      localObjects: () => catFile(bare, { noLazyFetch: true }),
      headInPlace: true,
    });
    try {
      const expected = await plain.read(paths);
      store.prefetch(paths);
      const snap = await store.read(paths);
      expect(snap).toEqual(expected);
      expect(services).toEqual([]);
      // A rival commit moves the branch: the commit on the head read in place is refused as moved.
      const rival = await plain.commit(
        expected,
        [{ path: 'rival.yaml', before: '', after: 'r\n', descriptions: [] }],
        'rival\n',
        at,
      );
      expect(rival.kind).toBe('committed');
      const edit = [{ path: overlay, before: '', after: 'x: 1\n', descriptions: [] }];
      expect(await store.commit(snap, edit, 'stale\n', at)).toMatchObject({ kind: 'moved' });
      const again = await store.commit(await store.read([overlay]), edit, 'again\n', at);
      expect(again.kind).toBe('committed');
      expect(await showFile(bare, overlay)).toBe('x: 1\n');
      expect(await showFile(bare, 'rival.yaml')).toBe('r\n');
      expect(services).toContain('git-upload-pack');
    } finally {
      await Promise.all([plain.close(), store.close()]);
    }
  });

  it.each([
    ['the upload-pack (as promote opens it)', false],
    ['in place (as check and plan open it)', true],
  ])('says which repository or branch it could not open, opened through %s', async (_how, headInPlace) => {
    const open = (repository: string, branch: string) => openGitStore({ repository, branch, headInPlace });
    await expect(open(join(root, 'nothing-here'), 'main')).rejects.toThrow(
      /cannot open GitOps repository .*nothing-here \(branch main\)/,
    );
    const bare = await exampleGitOps(root);
    await expect(open(bare, 'nope')).rejects.toThrow(/has no branch nope/);
    // Revision syntax is no branch name: cat-file would read main's parent, the upload-pack finds no such branch.
    await expect(open(bare, 'main~1')).rejects.toThrow(/has no branch main~1/);
  });

  it('reads a repository that is itself a partial clone in place without fetching from its remote', async () => {
    const bare = await exampleGitOps(root);
    await git(bare, 'config', 'uploadpack.allowFilter', 'true');
    const partial = join(root, 'partial.git');
    await git(root, 'clone', '--quiet', '--bare', '--no-local', '--filter=blob:none', bare, partial);
    const blob = (await git(bare, 'rev-parse', `main:${overlay}`)).trim();
    const reader = catFile(partial, { noLazyFetch: true });
    try {
      await expect(reader.read(blob)).rejects.toThrow(/cat-file exited/);
    } finally {
      await reader.close();
    }
    // Still missing (rev-list --missing=print lists it without fetching it): nothing was fetched into it.
    expect(await git(partial, 'rev-list', '--objects', '--missing=print', 'main')).toContain(`?${blob}`);
  });
});
