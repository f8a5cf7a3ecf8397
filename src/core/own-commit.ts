import type { CommitOutcome, GitOpsStore } from './store.js';
import { TRAILERS } from './trailers.js';

// A run recognises its own commit after a lost answer. GitHub may write a commit and lose the
// answer (a 5xx after createCommitOnBranch landed; a push whose connection dropped after the ref
// moved): the retry then finds the branch moved, and the re-plan changes nothing (a promotion) or
// decides the next action (a tick: the hold it just started is not over, so it waits). Without
// recognition the run would report "no-op", "wait" or "nothing was written" about a commit that
// shipped. Every rollgate commit of a run carries `Rollgate-Run`; one of them is recognised by its
// whole trailer block (the run, the environment, the services or flag, the phase...), so a run that
// writes several commits (a tick of two rollouts) never takes one of them for another.

/** How far below the branch head a run's own commit is looked for. */
const DEPTH = 20;

/** The trailer block of a commit message (its last paragraph), normalised for comparison. */
function trailerBlock(message: string): string {
  const paragraphs = message
    .replace(/\r\n/g, '\n')
    .trim()
    .split(/\n\s*\n/);
  return (paragraphs[paragraphs.length - 1] ?? '').trim();
}

/** The run a message names (its `Rollgate-Run` trailer), if any. */
export function runOf(message: string): string | undefined {
  const prefix = `${TRAILERS.run.toLowerCase()}:`;
  const line = trailerBlock(message)
    .split('\n')
    .find((l) => l.toLowerCase().startsWith(prefix));
  const value = line?.slice(prefix.length).trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The commit near the head whose trailers are exactly those of `message` (which must name a run),
 * or undefined. One read of the head (the GitHub store's read brings the first history page along).
 */
export async function findOwnCommit(
  store: Pick<GitOpsStore, 'read' | 'history'>,
  message: string,
): Promise<string | undefined> {
  if (runOf(message) === undefined) return undefined;
  const mine = trailerBlock(message);
  const { head } = await store.read([]);
  let found: string | undefined;
  let seen = 0;
  await store.history(head, (commit) => {
    if (trailerBlock(commit.message) === mine) {
      found = commit.sha;
      return 'stop';
    }
    return ++seen >= DEPTH ? 'stop' : 'more';
  });
  return found;
}

/**
 * The store, with commits that recognise themselves: when the commit throws (the answer was lost)
 * or, with `afterMoved`, reports the branch moved (GitHub's client retried a commit that had landed
 * and met its own head), and the message names a run, the head's recent history is searched for
 * this very commit; found, it is reported committed. Otherwise the error or `moved` stands.
 * Only for a store that commits on the branch it reads (push mode): a proposal branch is not read.
 */
export function recognisingStore(
  store: GitOpsStore,
  options: { readonly log?: (line: string) => void; readonly afterMoved?: boolean } = {},
): GitOpsStore {
  const recognise = async (message: string): Promise<CommitOutcome | undefined> => {
    const sha = await findOwnCommit(store, message).catch(() => undefined);
    if (sha !== undefined)
      options.log?.(`rollgate: the answer to a commit was lost, but commit ${sha} of this run landed`);
    return sha !== undefined ? { kind: 'committed', sha } : undefined;
  };
  return {
    read: (paths) => store.read(paths),
    history: (...args) => store.history(...args),
    commit: async (snapshot, edits, message, at) => {
      let outcome: CommitOutcome;
      try {
        outcome = await store.commit(snapshot, edits, message, at);
      } catch (err) {
        const mine = runOf(message) === undefined ? undefined : await recognise(message);
        if (mine !== undefined) return mine;
        throw err;
      }
      if (outcome.kind !== 'moved' || options.afterMoved !== true || runOf(message) === undefined)
        return outcome;
      return (await recognise(message)) ?? outcome;
    },
  };
}
