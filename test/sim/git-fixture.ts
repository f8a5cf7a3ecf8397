// Builds a real git repository in a temp dir for simulator tests (and acceptance tests): files are
// committed on `branch` with fixed identities so SHAs are deterministic per content and date.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git, gitOk } from './git.js';

export interface GitFixture {
  dir: string;
  /** Commits `files` (path -> content) on `branch` and returns the new commit SHA. */
  commit(files: Record<string, string>, message: string, branch?: string): Promise<string>;
  head(branch?: string): Promise<string>;
  /** Content of `path` at `rev`, read with git (not the work tree). */
  show(rev: string, path: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createGitFixture(files: Record<string, string>, branch = 'main'): Promise<GitFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-repo-'));
  await gitOk(dir, ['init', '--quiet', `--initial-branch=${branch}`]);
  await gitOk(dir, ['config', 'user.name', 'Fixture']);
  await gitOk(dir, ['config', 'user.email', 'fixture@example.com']);
  await gitOk(dir, ['config', 'commit.gpgsign', 'false']);
  const fixture: GitFixture = {
    dir,
    async commit(changes, message, onBranch = branch) {
      const current = await gitOk(dir, ['symbolic-ref', '--short', 'HEAD']);
      if (current !== onBranch) {
        const exists = (await gitOk(dir, ['branch', '--list', onBranch])).length > 0;
        await gitOk(
          dir,
          exists ? ['checkout', '--quiet', onBranch] : ['checkout', '--quiet', '-b', onBranch],
        );
      }
      // The simulator may have moved the branch without touching the work tree: sync first.
      if ((await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'])).code === 0) {
        await gitOk(dir, ['reset', '--quiet', '--hard', 'HEAD']);
      }
      for (const [path, content] of Object.entries(changes)) {
        const full = join(dir, path);
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
      await gitOk(dir, ['add', '--all']);
      await gitOk(dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
      return gitOk(dir, ['rev-parse', 'HEAD']);
    },
    head: (b = branch) => gitOk(dir, ['rev-parse', `refs/heads/${b}`]),
    async show(rev, path) {
      const r = await git(dir, ['show', `${rev}:${path}`]);
      if (r.code !== 0) throw new Error(`git show ${rev}:${path} failed: ${r.stderr.trim()}`);
      return r.stdout.toString('utf8');
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  await fixture.commit(files, 'initial');
  return fixture;
}
