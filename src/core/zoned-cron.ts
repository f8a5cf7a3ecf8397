import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';

// Cron in a time zone, right across daylight-saving changes. cron-parser matches the fields; it
// does so here on wall-clock time (as if the zone were UTC), and this file maps wall-clock times
// to instants with one rule for the two awkward cases, the way a person reading the cron line means
// it:
// - a time that does not exist (02:30 on a spring-forward night) happens when the clock jumps over
//   it (03:00 local), not an hour later and not never;
// - a time that happens twice (02:30 on a fall-back night) happens the first time.
// (cron-parser's own tz handling moves the spring case to 03:30 and reads the repeated hour
// differently going forwards and backwards, which would open or close a freeze at the wrong time.)

const HOUR = 3_600_000;
// Wider than any real offset change (the largest are 1-2 hours), so both sides of it are sampled.
const SPAN = 36 * HOUR;
// How far a wall reading can be from its instant's own reading across one change.
const SEARCH = 3 * HOUR;

function offsetMs(zone: IANAZone, at: number): number {
  return zone.offset(at) * 60_000;
}

function ianaZone(zone: string): IANAZone {
  const z = IANAZone.create(zone);
  if (!z.isValid) throw new Error(`unknown time zone "${zone}"`);
  return z;
}

/** The wall-clock reading in `zone` at `at`, as milliseconds of a UTC-based timeline. */
export function toWall(at: number, zone: string): number {
  return at + offsetMs(ianaZone(zone), at);
}

/** The instant a wall-clock reading in `zone` happens: the earlier of a repeated time, the jump for a skipped one. */
export function fromWall(wall: number, zone: string): number {
  const z = ianaZone(zone);
  const before = offsetMs(z, wall - SPAN);
  const after = offsetMs(z, wall + SPAN);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((at) => at + offsetMs(z, at) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  // In a gap: the instant the offset changes lies in (wall - after, wall - before]; find it.
  let lo = wall - Math.max(before, after);
  let hi = wall - Math.min(before, after);
  const old = offsetMs(z, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(z, mid) === old) lo = mid;
    else hi = mid;
  }
  return hi;
}

function iterate(expr: string, wallStart: number) {
  return CronExpressionParser.parse(expr, { currentDate: new Date(wallStart), tz: 'UTC' });
}

/**
 * One search of cron-parser's, or undefined when there is no such run: its prev() and next() throw
 * then. (hasPrev()/hasNext() would run the same search a second time.)
 */
function attempt<T>(search: () => T): T | undefined {
  try {
    return search();
  } catch {
    return undefined;
  }
}

/**
 * The largest wall-clock reading that happens at or before `at`. Usually `at`'s own reading, but in
 * the second pass of a repeated hour, readings up to the end of that hour already happened (the
 * first time). fromWall is monotonic, so a binary search over a few hours finds it exactly.
 */
function lastWallAtOrBefore(at: number, zone: string): number {
  const own = toWall(at, zone);
  // Outside a repeated hour that is `at`'s own reading: it has happened and the next one has not.
  if (fromWall(own, zone) <= at && fromWall(own + 1, zone) > at) return own;
  let lo = own - SEARCH; // happened before `at`
  let hi = own + SEARCH; // happens after `at`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fromWall(mid, zone) <= at) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The latest time `expr` fires in `zone` at or before `at`; undefined if it never has. */
export function latestAtOrBefore(expr: string, zone: string, at: Date): Date | undefined {
  // prev() is strict, so start one millisecond after the last wall reading that has happened.
  const runs = iterate(expr, lastWallAtOrBefore(at.getTime(), zone) + 1);
  const wall = attempt(() => runs.prev());
  return wall === undefined ? undefined : new Date(fromWall(wall.getTime(), zone));
}

/** The first time `expr` fires in `zone` strictly after `after`; undefined if it never will. */
export function firstAfter(expr: string, zone: string, after: Date): Date | undefined {
  // next() is strict: every reading after this one happens after `after`.
  const runs = iterate(expr, lastWallAtOrBefore(after.getTime(), zone));
  const wall = attempt(() => runs.next());
  return wall === undefined ? undefined : new Date(fromWall(wall.getTime(), zone));
}

/** A local ISO time read in `zone`, unless it carries its own offset or Z. */
export function parseLocalTime(text: string, zone: string): Date | undefined {
  const explicit = /T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(text);
  const parsed = DateTime.fromISO(text, explicit ? { setZone: true } : { zone: 'utc' });
  if (!parsed.isValid) return undefined;
  return new Date(explicit ? parsed.toMillis() : fromWall(parsed.toMillis(), zone));
}
