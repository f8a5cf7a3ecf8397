import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

/**
 * The next push to `bare`'s main loses its answer: a reference-transaction hook kills
 * receive-pack once the ref update is committed, before it can report, so `git push` fails
 * although the commit landed. The hook removes itself (its absence says it ran).
 */
export async function loseNextPushAnswer(bare: string): Promise<string> {
  return writeHook(bare, 'reference-transaction', [
    '[ "$1" = committed ] || exit 0',
    'while read -r old new ref; do',
    '  if [ "$ref" = refs/heads/main ]; then rm -f "$0"; kill -9 "$PPID"; fi',
    'done',
  ]);
}

/**
 * The branch moves once between a writer's read and its push: a pre-receive hook (run once, then
 * removed) sets main to `to`, a commit prepared beforehand on top of main. The push's lease then
 * fails on the server ("is at ... but expected"), as when someone else pushed first.
 */
export async function moveBranchOnNextPush(bare: string, to = 'refs/heads/side'): Promise<string> {
  return writeHook(bare, 'pre-receive', [
    'rm -f "$0"',
    // A hook may not update refs inside the push's quarantine: step out of it.
    'env -u GIT_QUARANTINE_PATH -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES \\',
    `  git update-ref refs/heads/main ${to}`,
  ]);
}

/** A hook script of `bare` (a shell script ending `exit 0`); returns its path. */
async function writeHook(bare: string, name: string, body: readonly string[]): Promise<string> {
  const hook = join(bare, 'hooks', name);
  await writeFile(hook, ['#!/bin/sh', ...body, 'exit 0', ''].join('\n'));
  await chmod(hook, 0o755);
  return hook;
}
