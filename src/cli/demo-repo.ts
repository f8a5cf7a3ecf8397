import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IoError } from '../core/errors.js';
import { runGit } from '../gitops/exec.js';

// The demos' GitOps repository: a bare git repository seeded from examples/gitops.

/** Finds examples/ from the source file or from the bundle in dist/. */
export function examplesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'examples', 'app', '.github', 'rollgate.yaml'))) return join(dir, 'examples');
    dir = dirname(dir);
  }
  throw new IoError('cannot find examples/ next to rollgate; run the demo from a checkout of rollgate');
}

/** git in `cwd`; a failure is an IoError with git's message. */
export async function git(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<string> {
  const result = await runGit(args, { cwd, env });
  if (result.code !== 0) throw new IoError(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** A bare GitOps repository seeded from examples/gitops: every service at 1.3.0, committed at `when`. */
export async function seedGitOps(
  root: string,
  examples: string,
  when = '2026-11-02T12:00:00Z',
): Promise<string> {
  const work = join(root, 'seed');
  await cp(join(examples, 'gitops'), work, { recursive: true });
  await git(work, ['init', '--quiet', '--initial-branch=main']);
  await git(work, ['add', '.']);
  await git(work, ['commit', '--quiet', '-m', 'bootstrap: checkout and cart 1.3.0 everywhere'], {
    GIT_AUTHOR_NAME: 'platform-team',
    GIT_AUTHOR_EMAIL: 'platform@example.com',
    GIT_COMMITTER_NAME: 'platform-team',
    GIT_COMMITTER_EMAIL: 'platform@example.com',
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  });
  const bare = join(root, 'gitops.git');
  await git(root, ['clone', '--quiet', '--bare', work, bare]);
  return bare;
}
