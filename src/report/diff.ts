import { createTwoFilesPatch } from 'diff';
import type { FileEdit } from '../core/types.js';

/**
 * Myers' diff is quadratic in the number of changed lines; past MAX_EDIT_LENGTH a file (a
 * generated manifest rewritten wholesale) is named, not diffed, so the report never stalls a run.
 */
const MAX_EDIT_LENGTH = 4_000;

/** A unified diff of one file edit, as `git diff` shows it: the CLI, the PR report and the summary share it. */
export function unifiedDiff(edit: FileEdit): string {
  const patch = createTwoFilesPatch(
    `a/${edit.path}`,
    `b/${edit.path}`,
    edit.before,
    edit.after,
    undefined,
    undefined,
    {
      context: 3,
      maxEditLength: MAX_EDIT_LENGTH,
    },
  );
  if (patch === undefined)
    return `--- a/${edit.path}\n+++ b/${edit.path}\n@@ too many changed lines to show; see the commit @@`;
  return patch
    .split('\n')
    .filter((line, i) => i > 1 || !/^(Index: |=+$)/.test(line))
    .join('\n')
    .trimEnd();
}
