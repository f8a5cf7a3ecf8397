import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { PromotionRequest } from '../../src/core/types.js';
import { freezeGate } from '../../src/gates/freeze.js';
import { freezeSchema } from '../../src/gates/freeze-schema.js';

// An independent oracle: read the instant's local time in the zone with luxon and decide by hand
// whether the window covers it. Random instants over two years include every DST change.

const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1' },
  requestedBy: 'a',
  source: 't',
};
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2028, 0, 1);
const instant = fc.integer({ min: FROM / 60_000, max: TO / 60_000 }).map((m) => new Date(m * 60_000));

function verdictAt(config: unknown, at: Date) {
  return freezeGate.evaluate('f', freezeSchema.parse(config), {
    request,
    facts: { now: at, history: [], running: {} },
  });
}

describe('freeze windows against local-time oracles', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Australia/Sydney'])(
    'weekend Fri 16:00 to Mon 08:00 in %s',
    (zone) => {
      const config = { windows: [{ start: '0 16 * * FRI', end: '0 8 * * MON', timezone: zone }] };
      fc.assert(
        fc.property(instant, (at) => {
          const local = DateTime.fromJSDate(at, { zone });
          const minutes = local.hour * 60 + local.minute;
          const frozen =
            (local.weekday === 5 && minutes >= 16 * 60) ||
            local.weekday === 6 ||
            local.weekday === 7 ||
            (local.weekday === 1 && minutes < 8 * 60);
          const verdict = verdictAt(config, at);
          expect(verdict.outcome).toBe(frozen ? 'fail' : 'pass');
          if (frozen) {
            const opens = DateTime.fromISO(verdict.opensAt ?? '', { zone });
            expect([opens.weekday, opens.hour, opens.minute]).toEqual([1, 8, 0]);
            expect(opens.toMillis()).toBeGreaterThan(at.getTime());
            expect(opens.toMillis() - at.getTime()).toBeLessThanOrEqual(64 * 3_600_000 + 3_600_000);
          }
        }),
        { numRuns: 400 },
      );
    },
  );

  it('nightly 22:00 to 06:00 in Berlin', () => {
    const config = { windows: [{ start: '0 22 * * *', end: '0 6 * * *', timezone: 'Europe/Berlin' }] };
    fc.assert(
      fc.property(instant, (at) => {
        const hour = DateTime.fromJSDate(at, { zone: 'Europe/Berlin' }).hour;
        expect(verdictAt(config, at).outcome).toBe(hour >= 22 || hour < 6 ? 'fail' : 'pass');
      }),
      { numRuns: 400 },
    );
  });

  it('every DST change of two years in Berlin and New York, minute by minute around it', () => {
    const config = (zone: string) => ({
      windows: [{ start: '0 1 * * *', end: '0 4 * * *', timezone: zone }],
    });
    let changes = 0;
    for (const zone of ['Europe/Berlin', 'America/New_York']) {
      for (let day = FROM; day < TO; day += 86_400_000) {
        const noon = DateTime.fromMillis(day + 12 * 3_600_000, { zone });
        const before = DateTime.fromMillis(day - 12 * 3_600_000, { zone });
        if (noon.offset === before.offset) continue;
        changes++;
        for (let t = day - 6 * 3_600_000; t < day + 12 * 3_600_000; t += 5 * 60_000) {
          const local = DateTime.fromMillis(t, { zone });
          // 01:00 to 04:00 local, where the local clock may skip or repeat an hour inside.
          const frozen = local.hour >= 1 && local.hour < 4;
          expect(verdictAt(config(zone), new Date(t)).outcome, `${zone} ${local.toISO()}`).toBe(
            frozen ? 'fail' : 'pass',
          );
        }
      }
    }
    // Two zones, two years, two changes a year: the loop really walked through each of them.
    expect(changes).toBe(8);
  });
});
