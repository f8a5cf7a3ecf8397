import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawCommit } from '../../src/core/trailers.js';
import { runGit } from '../../src/gitops/exec.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { git, tempDir } from '../helpers/repo.js';

// A real repository with a long history, written with git fast-import: 3,000 commits, every tenth
// touching apps/a.yaml, the rest other files.
async function longHistory(dir: string, commits: number): Promise<void> {
  await git(dir, 'init', '--quiet', '--bare', '--initial-branch=main');
  const lines: string[] = [];
  for (let i = 1; i <= commits; i++) {
    const path = i % 10 === 0 ? 'apps/a.yaml' : `other/${i % 7}.yaml`;
    const body = `n: ${i}\n`;
    const message = `commit ${i}\n`;
    lines.push(
      'commit refs/heads/main',
      `committer T <t@example.com> ${1_700_000_000 + i} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
      `M 100644 inline ${path}`,
      `data ${Buffer.byteLength(body)}`,
      body,
    );
  }
  const r = await runGit(['fast-import', '--quiet'], { cwd: dir, input: `${lines.join('\n')}\n` });
  if (r.code !== 0) throw new Error(r.stderr);
}

describe('git store history', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    root = await tempDir();
    await longHistory(root.dir, 3000);
  });
  afterAll(() => root.cleanup());

  it('walks newest first and stops when the visitor has its answer', async () => {
    const store = await openGitStore({ repository: root.dir, branch: 'main' });
    try {
      const snap = await store.read([]);
      const seen: RawCommit[] = [];
      await store.history(snap.head, (c) => (seen.push(c), seen.length === 5 ? 'stop' : 'more'));
      expect(seen.map((c) => c.message.trim())).toEqual([
        'commit 3000',
        'commit 2999',
        'commit 2998',
        'commit 2997',
        'commit 2996',
      ]);
      expect(seen[0]?.committedAt.toISOString()).toBe(new Date((1_700_000_000 + 3000) * 1000).toISOString());
    } finally {
      await store.close();
    }
  });

  it('filters by path and reads the whole history when asked to', async () => {
    const store = await openGitStore({ repository: root.dir, branch: 'main' });
    try {
      const snap = await store.read([]);
      const touching: string[] = [];
      await store.history(snap.head, (c) => (touching.push(c.message.trim()), 'more'), {
        paths: ['apps/a.yaml'],
        firstParent: true,
      });
      expect(touching).toHaveLength(300);
      expect(touching.slice(0, 2)).toEqual(['commit 3000', 'commit 2990']);
      let all = 0;
      await store.history(snap.head, () => (all++, 'more'));
      expect(all).toBe(3000);
      await expect(store.history(snap.head, () => 'more', { paths: ['../outside'] })).rejects.toThrow(
        /leaves the GitOps repository/,
      );
    } finally {
      await store.close();
    }
  });

  // The first commit of an unfiltered walk is read from its object, the rest from git log; a walk
  // filtered by a path reads every commit from git log. Both must give the same commit, byte for byte.
  it.each([
    ['trailers', 'promote checkout 1.4.0\n\nRollgate-Environment: staging\nRollgate-Version: 1.4.0\n'],
    ['no final line break', 'subject only'],
    ['an empty message', ''],
    ['CRLF and non-ASCII', 'Déploiement 1.4.0 → staging\r\n\r\nbody\r\n'],
    ['blank lines around', '\n\nsubject\n\n\n'],
  ])('reads the head commit as git log does: %s', async (_name, message) => {
    const repo = await tempDir();
    try {
      await git(repo.dir, 'init', '--quiet', '--bare', '--initial-branch=main');
      const body = 'n: 1\n';
      const stream = [
        'commit refs/heads/main',
        'committer T <t@example.com> 1700000123 +0530',
        `data ${Buffer.byteLength(message)}`,
        message,
        'M 100644 inline apps/a.yaml',
        `data ${Buffer.byteLength(body)}`,
        body,
      ];
      const r = await runGit(['fast-import', '--quiet'], { cwd: repo.dir, input: `${stream.join('\n')}\n` });
      if (r.code !== 0) throw new Error(r.stderr);
      const store = await openGitStore({ repository: repo.dir, branch: 'main' });
      try {
        const snap = await store.read([]);
        const fromObject: RawCommit[] = [];
        const fromLog: RawCommit[] = [];
        await store.history(snap.head, (c) => (fromObject.push(c), 'stop'));
        await store.history(snap.head, (c) => (fromLog.push(c), 'stop'), { paths: ['apps/a.yaml'] });
        expect(fromObject).toEqual(fromLog);
        expect(fromObject).toHaveLength(1);
        expect(fromObject[0]?.committedAt.toISOString()).toBe('2023-11-14T22:15:23.000Z');
      } finally {
        await store.close();
      }
    } finally {
      await repo.cleanup();
    }
  });
});
