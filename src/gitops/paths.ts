import { isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { normalizeRepoPath } from '../core/repo-paths.js';

/** Joins a repository-relative path to a root, refusing anything that would escape it. */
export function safeJoin(root: string, path: string): string {
  const clean = normalizeRepoPath(path);
  const full = resolve(root, clean);
  const rel = relative(root, full);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new UsageError(
      `path "${path}" leaves the GitOps repository; write it relative to the repository root, without ..`,
    );
  return full;
}
