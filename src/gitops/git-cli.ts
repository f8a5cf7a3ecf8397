import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { IoError } from '../core/errors.js';
import type { FileEdit } from '../core/types.js';
import type { CommitOutcome, GitOpsSnapshot, GitOpsStore } from '../core/store.js';
import { readBlobs, runGit, streamLog } from './exec.js';
import { safeJoin } from './paths.js';
import { redactCredentials } from './redact.js';

export interface GitCliOptions {
  /** A local path (bare repository recommended) or any git URL. */
  readonly repository: string;
  readonly branch: string;
  /** Identity of the commits rollgate makes. */
  readonly committer?: { readonly name: string; readonly email: string };
}

export interface GitCliStore extends GitOpsStore {
  /** Removes the private clone. */
  close(): Promise<void>;
}

/**
 * The GitOps repository through the git CLI: a private clone in a temp folder, one commit per plan,
 * pushed to the branch. A push rejected because the branch moved is reported as `moved` so the
 * pipeline can re-plan on the new head.
 */
export async function openGitStore(options: GitCliOptions): Promise<GitCliStore> {
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-gitops-'));
  const shown = redactCredentials(options.repository);
  const git = async (
    args: readonly string[],
    extra: { input?: string; env?: Record<string, string> } = {},
  ) => {
    const result = await runGit(args, { cwd: dir, ...extra });
    if (result.code !== 0) {
      throw new IoError(
        `git ${args[0]} failed in the GitOps clone of ${shown}: ${redactCredentials(result.stderr.trim() || result.stdout.trim())}`,
      );
    }
    return result.stdout;
  };
  const cloned = await runGit([
    'clone',
    '--quiet',
    '--no-checkout',
    '--branch',
    options.branch,
    '--',
    options.repository,
    dir,
  ]);
  if (cloned.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new IoError(
      `cannot clone GitOps repository ${shown} (branch ${options.branch}): ${redactCredentials(cloned.stderr.trim())}. Check gitops.repository and gitops.branch, or pass --gitops PATH_OR_URL.`,
    );
  }
  const who = options.committer ?? { name: 'rollgate', email: 'rollgate@users.noreply.github.com' };

  async function read(paths: readonly string[]): Promise<GitOpsSnapshot> {
    await git([
      'fetch',
      '--quiet',
      'origin',
      `+refs/heads/${options.branch}:refs/remotes/origin/${options.branch}`,
    ]);
    const head = (await git(['rev-parse', `refs/remotes/origin/${options.branch}`])).trim();
    const unique = [...new Set(paths)];
    for (const path of unique) safeJoin(dir, path);
    const files = await readBlobs(dir, head, unique);
    return { head, files };
  }

  const history: GitOpsStore['history'] = async (from, visit, historyOptions = {}) => {
    for (const path of historyOptions.paths ?? []) safeJoin(dir, path);
    await streamLog(dir, from, visit, historyOptions);
  };

  async function commit(
    snapshot: GitOpsSnapshot,
    edits: readonly FileEdit[],
    message: string,
    at: Date,
  ): Promise<CommitOutcome> {
    await git(['checkout', '--quiet', '--force', '--detach', snapshot.head]);
    for (const edit of edits) {
      const target = safeJoin(dir, edit.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, edit.after);
    }
    await git(['add', '--', ...edits.map((e) => e.path)]);
    const when = at.toISOString();
    await git(['commit', '--quiet', '--no-verify', '--cleanup=verbatim', '-F', '-'], {
      input: message,
      env: {
        GIT_AUTHOR_NAME: who.name,
        GIT_AUTHOR_EMAIL: who.email,
        GIT_COMMITTER_NAME: who.name,
        GIT_COMMITTER_EMAIL: who.email,
        GIT_AUTHOR_DATE: when,
        GIT_COMMITTER_DATE: when,
      },
    });
    const sha = (await git(['rev-parse', 'HEAD'])).trim();
    // --force-with-lease pins the remote branch to the head we planned on: compare-and-swap.
    const pushed = await runGit(
      [
        'push',
        '--porcelain',
        `--force-with-lease=refs/heads/${options.branch}:${snapshot.head}`,
        'origin',
        `${sha}:refs/heads/${options.branch}`,
      ],
      { cwd: dir },
    );
    if (pushed.code === 0) return { kind: 'committed', sha };
    const text = `${pushed.stdout}\n${pushed.stderr}`;
    if (
      /\[rejected\]|stale info|non-fast-forward|fetch first|cannot lock ref|failed to update ref/i.test(text)
    ) {
      const last = text.trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'rejected';
      return { kind: 'moved', detail: redactCredentials(last) };
    }
    throw new IoError(
      `git push to ${shown} failed: ${redactCredentials(pushed.stderr.trim())}; check that the credentials can push to ${options.branch}`,
    );
  }

  return { read, history, commit, close: () => rm(dir, { recursive: true, force: true }) };
}
