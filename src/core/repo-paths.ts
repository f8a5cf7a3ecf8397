import { isAbsolute, posix } from 'node:path';
import { UsageError } from './errors.js';

// Path rules of the GitOps repository, shared by the core (which names files) and every store
// (which reads and writes them): repository-relative, posix, never leaving the root.

/** A repository path in posix form without `./`, refusing absolute paths and `..` escapes. */
export function normalizeRepoPath(path: string): string {
  if (isAbsolute(path) || path.startsWith('/') || /^[a-zA-Z]:/.test(path))
    throw new UsageError(
      `path "${path}" must be relative to the GitOps repository root; drop the leading / or drive letter`,
    );
  const clean = posix.normalize(path.replace(/\\/g, '/')).replace(/^\.\//, '');
  if (clean === '..' || clean.startsWith('../'))
    throw new UsageError(
      `path "${path}" leaves the GitOps repository; write it relative to the repository root, without ..`,
    );
  return clean;
}
