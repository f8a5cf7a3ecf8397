import { IoError } from '../core/errors.js';
import type { CommitOutcome } from '../core/store.js';
import { redactCredentials } from './redact.js';

/**
 * What a refused push means. The branch moved (the lease or a fast-forward check failed): re-plan.
 * A ref lock held by another writer: retry, and say "locked" if it never clears. A hook or a branch
 * protection that refuses the commit: stop and say so, with the remote's own words.
 */
export function pushRefused(text: string, branch: string, shown: string): CommitOutcome {
  const lines = text.split('\n').map((l) => l.trim());
  const last = lines.filter(Boolean).slice(-1)[0] ?? 'rejected';
  const status = lines.find((l) => /^!\s/.test(l)) ?? last;
  if (/is at [0-9a-f]+ but expected|stale info|fetch first|non-fast-forward/i.test(status))
    return { kind: 'moved', detail: redactCredentials(status) };
  if (/\.lock'?: File exists|unable to create .*\.lock|cannot lock ref/i.test(text)) {
    const lock = /cannot lock ref[^)\n]*|Unable to create [^)\n]*/i.exec(text)?.[0] ?? status;
    return { kind: 'moved', cause: 'locked', detail: redactCredentials(lock) };
  }
  const remote = lines
    .filter((l) => l.startsWith('remote:'))
    .map((l) => l.slice('remote:'.length).trim())
    .filter(Boolean);
  const why = /\[remote rejected\][^(]*\(([^)]*)\)/.exec(status)?.[1];
  if (why !== undefined) {
    throw new IoError(
      `the GitOps repository ${shown} refused the push to ${branch} (${why})${remote.length > 0 ? `: ${redactCredentials(remote.join(' / '))}` : ''}; nothing was written. A server-side hook or branch protection decides this: ask the repository's owners what it requires`,
    );
  }
  throw new IoError(
    `git push to ${shown} failed: ${redactCredentials(text.trim())}; check that the credentials can push to ${branch}`,
  );
}
