import { DateTime } from 'luxon';
import { UsageError } from '../core/errors.js';
import type { GitOpsStore } from '../core/store.js';
import { historyEntryOf, type RawCommit } from '../core/trailers.js';

// `--at`: the what-if clock of the CLI. One parser for every flag that takes a time (`--at` now,
// `--simulate-clock` for writing verbs later), so they accept and refuse the same texts.

/** The years an `--at` may name: GitOps histories start after 1970, and a what-if beyond 2099 is a typo. */
export const AT_YEARS = { first: 1970, last: 2099 } as const;

// Real UTC offsets run from -12:00 (Baker Island) to +14:00 (Kiribati).
const MIN_OFFSET_MINUTES = -12 * 60;
const MAX_OFFSET_MINUTES = 14 * 60;

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

const EXAMPLE = 'an ISO time such as 2026-11-20T16:30:00+01:00 or 2026-11-20T15:30:00Z';

/**
 * Parses a time flag's text to an instant: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]` and an offset
 * (`Z`, `+01:00`); no offset means UTC. Refuses what no clock shows (an offset beyond -12:00..+14:00,
 * minutes past 59, February 30) and years outside 1970..2099, saying which part is wrong.
 */
export function parseTimeFlag(text: string, flag = '--at'): Date {
  const fail = (why: string): never => {
    throw new UsageError(`${flag} "${text}": ${why}; write ${EXAMPLE}`);
  };
  const match = ISO_TIME.exec(text.trim());
  if (match === null) return fail('not an ISO date and time');
  const year = Number(match[1]);
  if (year < AT_YEARS.first || year > AT_YEARS.last)
    fail(`the year ${year} is outside ${AT_YEARS.first}..${AT_YEARS.last}`);
  const offset = match[8];
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (minutes > 59) fail(`the offset ${offset} has ${minutes} minutes; an offset's minutes run 00..59`);
    const total = (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
    if (total < MIN_OFFSET_MINUTES || total > MAX_OFFSET_MINUTES)
      fail(`the offset ${offset} is outside -12:00..+14:00, the offsets clocks use`);
  }
  const at = DateTime.fromISO(text.trim().replace(' ', 'T'), { zone: 'utc' });
  if (!at.isValid) fail(at.invalidExplanation ?? at.invalidReason ?? 'not a time any clock shows');
  return at.toJSDate();
}

/** The decision clock: `--at` when given, else the system clock. */
export function clockOf(text: string | undefined, flag = '--at'): () => Date {
  if (text === undefined) return () => new Date();
  const fixed = parseTimeFlag(text, flag);
  return () => fixed;
}

/**
 * A store whose reads refuse a what-if time earlier than the GitOps head commit: gates read the
 * history as it is now, so an earlier `--at` would count bake time before a version landed
 * (negative figures) and judge order on versions not yet promoted.
 */
export function notBeforeHead(store: GitOpsStore, at: Date, flag = '--at'): GitOpsStore {
  return {
    async read(paths) {
      const snapshot = await store.read(paths);
      let head: RawCommit | undefined;
      await store.history(snapshot.head, (commit) => {
        head = commit;
        return 'stop';
      });
      if (head !== undefined && head.committedAt > at) {
        const when = head.committedAt.toISOString();
        const entry = historyEntryOf(head);
        const what =
          entry === undefined
            ? ''
            : `: ${entry.services.join(', ')} ${entry.version} to ${entry.environment}`;
        throw new UsageError(
          `${flag} ${at.toISOString()} is before the GitOps head commit ${head.sha.slice(0, 12)} (${when}${what}). ` +
            `The gates read the history as it is now, so an earlier time would count bake time before a version ` +
            `landed; give ${flag} ${when} or later`,
        );
      }
      return snapshot;
    },
    history: (from, visit, options) => store.history(from, visit, options),
    commit: (snapshot, edits, message, when) => store.commit(snapshot, edits, message, when),
  };
}
