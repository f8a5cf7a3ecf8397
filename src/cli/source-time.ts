import { UsageError } from '../core/errors.js';
import { runGit } from '../gitops/exec.js';
import { parseTimeFlag } from './at.js';

/**
 * `--source-time`: when the promoted change was made, for the delivery report's lead time. An ISO
 * time as given, or a git revision of the repository in the current folder (HEAD, a tag, a SHA),
 * whose committer time is read.
 */
export async function resolveSourceTime(text: string, cwd: string): Promise<string> {
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return parseTimeFlag(text, '--source-time').toISOString();
  if (text.trim() === '' || text.startsWith('-'))
    throw new UsageError(
      `--source-time "${text}": write an ISO time (2026-12-01T09:30:00Z) or a git revision of this folder's repository (HEAD, a tag, a SHA)`,
    );
  const got = await runGit(['log', '-1', '--format=%cI', '--end-of-options', text], { cwd });
  const time = got.stdout.trim();
  if (got.code !== 0 || time === '')
    throw new UsageError(
      `--source-time "${text}": not a commit of the git repository in ${cwd} (${got.stderr.trim() || 'no such revision'}); write an ISO time or a revision such as HEAD`,
    );
  return new Date(time).toISOString();
}
