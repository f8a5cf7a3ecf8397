import type { RawCommit } from '../core/trailers.js';
import type { GitObject } from './exec.js';

/** What streamLog accepts as the commit to walk from. */
export const COMMIT_ID = /^[0-9a-f]{7,64}$/i;

export interface ParsedCommit {
  readonly commit: RawCommit;
  /** Whether the commit names a parent (false for a repository's first commit). */
  readonly parents: boolean;
}

/**
 * A commit as `git log --format=%H%x00%cI%x00%B` gives it (%B is the message as stored), read from
 * its object; undefined when that cannot be matched exactly (not a commit, a message in another
 * encoding, which git log would re-encode), and then the log reads it.
 */
export function parseCommit(object: GitObject): ParsedCommit | undefined {
  if (object.type !== 'commit') return undefined;
  const text = object.content.toString('utf8');
  const headerEnd = text.indexOf('\n\n');
  const headers = headerEnd === -1 ? text : text.slice(0, headerEnd);
  const committer = /^committer .* (\d+) [+-]\d{4}$/m.exec(headers);
  if (committer === null || /^encoding /m.test(headers)) return undefined;
  return {
    commit: {
      sha: object.oid,
      committedAt: new Date(Number(committer[1]) * 1000),
      message: headerEnd === -1 ? '' : text.slice(headerEnd + 2),
    },
    parents: /^parent /m.test(headers),
  };
}
