import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { examplesDir, seedGitOps } from '../../src/cli/demo.js';
import { runGit } from '../../src/gitops/exec.js';

export const EXAMPLES = examplesDir();
export const EXAMPLE_CONFIG = join(EXAMPLES, 'app', '.github', 'rollgate.yaml');

/** A temp folder removed by the returned cleanup. */
export async function tempDir(
  prefix = 'rollgate-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A real bare GitOps repository seeded from examples/gitops (checkout and cart at 1.3.0). */
export async function exampleGitOps(root: string, when?: string): Promise<string> {
  return seedGitOps(root, EXAMPLES, when);
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await runGit(args, { cwd });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The text of a file at the branch head of a bare repository. */
export async function showFile(bare: string, path: string, ref = 'main'): Promise<string> {
  return git(bare, 'show', `${ref}:${path}`);
}
