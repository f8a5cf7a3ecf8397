import { isAbsolute, normalize, relative, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

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

/** A repository path in posix form without `./`, refusing absolute paths and `..` escapes. */
export function normalizeRepoPath(path: string): string {
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path))
    throw new UsageError(
      `path "${path}" must be relative to the GitOps repository root; drop the leading / or drive letter`,
    );
  const clean = normalize(path).replace(/\\/g, '/').replace(/^\.\//, '');
  if (clean === '..' || clean.startsWith('../'))
    throw new UsageError(
      `path "${path}" leaves the GitOps repository; write it relative to the repository root, without ..`,
    );
  return clean;
}
