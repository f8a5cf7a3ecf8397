import type { Repo } from './context.js';
import { describeError } from './describe-error.js';

// One pull request's freeze statuses, written on their own: a refused write (GitHub caps statuses
// per SHA and context at 1000, then answers 422) fails that status only, and a status whose state
// has not changed is not written again, so a cron sweep never runs into that cap.

export interface StatusClient {
  readonly rest: {
    readonly repos: {
      getCombinedStatusForRef(p: Repo & { ref: string; per_page: number }): Promise<{
        readonly data: { readonly statuses: readonly { readonly context: string; readonly state: string }[] };
      }>;
      createCommitStatus(
        p: Repo & {
          sha: string;
          state: 'success' | 'failure';
          context: string;
          description: string;
          target_url: string;
        },
      ): Promise<unknown>;
    };
  };
}

export interface WantedStatus {
  readonly context: string;
  readonly state: 'success' | 'failure';
  readonly description: string;
}

export type StatusOutcome =
  | { readonly kind: 'written'; readonly context: string }
  | { readonly kind: 'unchanged'; readonly context: string }
  | { readonly kind: 'failed'; readonly context: string; readonly error: string };

export async function writeStatuses(
  client: StatusClient,
  repo: Repo,
  sha: string,
  wanted: readonly WantedStatus[],
  targetUrl: string,
  /** The head's statuses by context, when the run already read them (else they are read here). */
  known?: ReadonlyMap<string, string>,
): Promise<StatusOutcome[]> {
  let current: ReadonlyMap<string, string>;
  if (known !== undefined) current = known;
  else
    try {
      const { data } = await client.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha, per_page: 100 });
      current = new Map(data.statuses.map((s) => [s.context, s.state]));
    } catch (err) {
      const error = describeError(err);
      return wanted.map((w) => ({ kind: 'failed', context: w.context, error }));
    }
  const outcomes: StatusOutcome[] = [];
  for (const w of wanted) {
    if (current.get(w.context) === w.state) {
      outcomes.push({ kind: 'unchanged', context: w.context });
      continue;
    }
    try {
      await client.rest.repos.createCommitStatus({
        ...repo,
        sha,
        state: w.state,
        context: w.context,
        description: w.description.slice(0, 140),
        target_url: targetUrl,
      });
      outcomes.push({ kind: 'written', context: w.context });
    } catch (err) {
      outcomes.push({ kind: 'failed', context: w.context, error: describeError(err) });
    }
  }
  return outcomes;
}
