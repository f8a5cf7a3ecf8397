import { describe, expect, it } from 'vitest';
import { firstAfter, fromWall, latestAtOrBefore, parseLocalTime, toWall } from '../../src/core/zoned-cron.js';

const iso = (d: Date | undefined) => d?.toISOString();

describe('wall-clock times in a zone', () => {
  it.each([
    ['an ordinary winter time', '2026-01-15T09:00', 'Europe/Berlin', '2026-01-15T08:00:00.000Z'],
    ['an ordinary summer time', '2026-07-15T09:00', 'Europe/Berlin', '2026-07-15T07:00:00.000Z'],
    ['a skipped time lands on the jump', '2026-03-29T02:30', 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
    ['a repeated time is its first pass', '2026-10-25T02:30', 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
    ['New York spring forward', '2026-03-08T02:15', 'America/New_York', '2026-03-08T07:00:00.000Z'],
    ['New York fall back', '2026-11-01T01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    ['a half-hour change (Lord Howe)', '2026-10-04T02:15', 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'],
    [
      'a southern-hemisphere summer (Sydney)',
      '2026-12-31T23:00',
      'Australia/Sydney',
      '2026-12-31T12:00:00.000Z',
    ],
  ])('%s', (_name, local, zone, instant) => {
    expect(iso(parseLocalTime(local, zone))).toBe(instant);
  });

  it('round-trips every quarter hour of a year in Berlin outside the gaps', () => {
    const start = Date.UTC(2026, 0, 1);
    for (let t = start; t < start + 365 * 86_400_000; t += 900_000) {
      const back = fromWall(toWall(t, 'Europe/Berlin'), 'Europe/Berlin');
      // Only the second pass of the repeated hour maps to the first: exactly one hour earlier.
      expect([t, t - 3_600_000]).toContain(back);
    }
  });
});

describe('cron in a zone', () => {
  it.each([
    [
      'latest Friday 16:00 before a Sunday',
      '0 16 * * FRI',
      'Europe/Berlin',
      '2026-11-29T12:00:00Z',
      '2026-11-27T15:00:00.000Z',
    ],
    [
      'a start exactly now counts',
      '0 16 * * FRI',
      'Europe/Berlin',
      '2026-11-27T15:00:00Z',
      '2026-11-27T15:00:00.000Z',
    ],
    ['31 Dec from New Year’s Day', '0 18 31 12 *', 'UTC', '2027-01-01T10:00:00Z', '2026-12-31T18:00:00.000Z'],
    [
      'the skipped 02:30 happened at the jump',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-03-29T01:10:00Z',
      '2026-03-29T01:00:00.000Z',
    ],
    [
      'during the second pass, 02:30 was the first pass',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-10-25T01:15:00Z',
      '2026-10-25T00:30:00.000Z',
    ],
  ])('latestAtOrBefore: %s', (_name, expr, zone, at, expected) => {
    expect(iso(latestAtOrBefore(expr, zone, new Date(at)))).toBe(expected);
  });

  it.each([
    ['next Monday 08:00', '0 8 * * MON', 'Europe/Berlin', '2026-11-27T15:00:00Z', '2026-11-30T07:00:00.000Z'],
    ['strictly after', '0 8 * * MON', 'Europe/Berlin', '2026-11-30T07:00:00Z', '2026-12-07T07:00:00.000Z'],
    ['2 Jan across the year end', '0 8 2 1 *', 'UTC', '2026-12-31T18:00:00Z', '2027-01-02T08:00:00.000Z'],
    [
      'the repeated 02:30 fires once',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-10-25T00:30:00Z',
      '2026-10-26T01:30:00.000Z',
    ],
    ['29 Feb four years on', '0 0 29 2 *', 'UTC', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('firstAfter: %s', (_name, expr, zone, at, expected) => {
    expect(iso(firstAfter(expr, zone, new Date(at)))).toBe(expected);
  });
});

// The last wall reading that has happened is `at`'s own one except in the second pass of a repeated
// hour; these instants sit on the millisecond either side of where that shortcut stops holding.
describe('cron in a zone at the edges of a change, to the millisecond', () => {
  it.each([
    [
      'the last ms of the first pass',
      '2026-10-25T00:59:59.999Z',
      '2026-10-25T00:59:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ],
    [
      'the first ms of the second pass',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T00:59:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ],
    [
      'the last ms of the second pass',
      '2026-10-25T01:59:59.999Z',
      '2026-10-25T00:59:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ],
    [
      'the first ms after the repeated hour',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T02:01:00.000Z',
    ],
  ])('every minute in Berlin, autumn: %s', (_name, at, latest, first) => {
    expect(iso(latestAtOrBefore('* * * * *', 'Europe/Berlin', new Date(at)))).toBe(latest);
    expect(iso(firstAfter('* * * * *', 'Europe/Berlin', new Date(at)))).toBe(first);
  });

  it.each([
    [
      'the last ms before the jump',
      '2026-03-29T00:59:59.999Z',
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
    ],
    ['the jump itself', '2026-03-29T01:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
  ])('the skipped 02:30 in Berlin, spring: %s', (_name, at, latest, first) => {
    expect(iso(latestAtOrBefore('30 2 * * *', 'Europe/Berlin', new Date(at)))).toBe(latest);
    expect(iso(firstAfter('30 2 * * *', 'Europe/Berlin', new Date(at)))).toBe(first);
  });
});
