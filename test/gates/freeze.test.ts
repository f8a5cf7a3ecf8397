import { describe, expect, it } from 'vitest';
import type { Facts, PromotionRequest } from '../../src/core/types.js';
import { freezeGate } from '../../src/gates/freeze.js';
import { freezeSchema } from '../../src/gates/freeze-schema.js';

const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1.4.0' },
  requestedBy: 'alice',
  source: 'test',
};

function evaluate(
  config: unknown,
  at: string,
  extra: { request?: Partial<PromotionRequest>; facts?: Partial<Facts> } = {},
) {
  const facts: Facts = { now: new Date(at), history: [], running: {}, ...extra.facts };
  return freezeGate.evaluate('freeze', freezeSchema.parse(config), {
    request: { ...request, ...extra.request },
    facts,
  });
}

const weekend = {
  windows: [{ name: 'weekend', start: '0 16 * * FRI', end: '0 8 * * MON', timezone: 'Europe/Berlin' }],
};

describe('freeze windows', () => {
  const rows: {
    name: string;
    config: unknown;
    at: string;
    outcome: 'pass' | 'fail';
    until?: string;
    opensAt?: string;
  }[] = [
    {
      name: 'weekend: Friday 15:59 Berlin is open',
      config: weekend,
      at: '2026-11-27T14:59:00Z',
      outcome: 'pass',
    },
    {
      name: 'weekend: Friday 16:00 Berlin is frozen until Monday 08:00',
      config: weekend,
      at: '2026-11-27T15:00:00Z',
      outcome: 'fail',
      until: 'frozen by weekend until Mon 2026-11-30 08:00 Europe/Berlin (07:00 UTC)',
      opensAt: '2026-11-30T07:00:00.000Z',
    },
    {
      name: 'weekend: Sunday is frozen',
      config: weekend,
      at: '2026-11-29T12:00:00Z',
      outcome: 'fail',
      opensAt: '2026-11-30T07:00:00.000Z',
    },
    {
      name: 'weekend: Monday 07:59 Berlin is still frozen',
      config: weekend,
      at: '2026-11-30T06:59:59Z',
      outcome: 'fail',
    },
    {
      name: 'weekend: Monday 08:00 Berlin is open',
      config: weekend,
      at: '2026-11-30T07:00:00Z',
      outcome: 'pass',
    },
    {
      name: 'spring forward: a start at 02:30, which does not exist, begins when the clock jumps (03:00 CEST)',
      config: { windows: [{ start: '30 2 * * SUN', duration: '2h', timezone: 'Europe/Berlin' }] },
      at: '2026-03-29T01:00:00Z',
      outcome: 'fail',
      opensAt: '2026-03-29T03:00:00.000Z',
    },
    {
      name: 'spring forward: just before the jump nothing is frozen',
      config: { windows: [{ start: '30 2 * * SUN', duration: '2h', timezone: 'Europe/Berlin' }] },
      at: '2026-03-29T00:59:59Z',
      outcome: 'pass',
    },
    {
      name: 'fall back: an end at 02:30 inside the repeated hour ends the first time 02:30 comes',
      config: { windows: [{ start: '0 22 * * SAT', end: '30 2 * * SUN', timezone: 'Europe/Berlin' }] },
      at: '2026-10-25T00:29:00Z',
      outcome: 'fail',
      until: 'until Sun 2026-10-25 02:30 Europe/Berlin (00:30 UTC)',
      opensAt: '2026-10-25T00:30:00.000Z',
    },
    {
      name: 'fall back: the second 02:15 (CET) is after the end and open',
      config: { windows: [{ start: '0 22 * * SAT', end: '30 2 * * SUN', timezone: 'Europe/Berlin' }] },
      at: '2026-10-25T01:15:00Z',
      outcome: 'pass',
    },
    {
      name: 'fall back: a start at 02:30 starts once, the first time, and a 1h duration ends an hour later',
      config: { windows: [{ start: '30 2 * * SUN', duration: '1h', timezone: 'Europe/Berlin' }] },
      at: '2026-10-25T01:45:00Z',
      outcome: 'pass',
    },
    {
      name: 'a cron window spanning the spring change ends at local 06:00 (CEST), 7 hours later',
      config: { windows: [{ start: '0 22 * * SAT', end: '0 6 * * SUN', timezone: 'Europe/Berlin' }] },
      at: '2026-03-28T23:00:00Z',
      outcome: 'fail',
      until: 'until Sun 2026-03-29 06:00 Europe/Berlin (04:00 UTC)',
      opensAt: '2026-03-29T04:00:00.000Z',
    },
    {
      name: 'a duration window spanning the spring change lasts 8 elapsed hours',
      config: { windows: [{ start: '0 22 * * SAT', duration: '8h', timezone: 'Europe/Berlin' }] },
      at: '2026-03-29T04:30:00Z',
      outcome: 'fail',
      opensAt: '2026-03-29T05:00:00.000Z',
    },
    {
      name: 'a one-off window spanning the autumn change in New York',
      config: {
        windows: [{ from: '2026-10-31T20:00', to: '2026-11-01T08:00', timezone: 'America/New_York' }],
      },
      at: '2026-11-01T12:59:00Z',
      outcome: 'fail',
      until: 'until Sun 2026-11-01 08:00 America/New_York (13:00 UTC)',
      opensAt: '2026-11-01T13:00:00.000Z',
    },
    {
      name: 'year end: a yearly window from 31 Dec 18:00 to 2 Jan 08:00 covers New Year',
      config: { windows: [{ start: '0 18 31 12 *', end: '0 8 2 1 *' }] },
      at: '2027-01-01T10:00:00Z',
      outcome: 'fail',
      until: 'until Sat 2027-01-02 08:00 UTC',
      opensAt: '2027-01-02T08:00:00.000Z',
    },
    {
      name: 'year end: the afternoon of 31 Dec is open',
      config: { windows: [{ start: '0 18 31 12 *', end: '0 8 2 1 *' }] },
      at: '2026-12-31T17:59:00Z',
      outcome: 'pass',
    },
    {
      name: 'year end: the weekend freeze runs from Friday 1 Jan to Monday 4 Jan',
      config: weekend,
      at: '2027-01-02T12:00:00Z',
      outcome: 'fail',
      opensAt: '2027-01-04T07:00:00.000Z',
    },
    {
      name: 'holidays: a one-off window in New York local time',
      config: {
        windows: [{ from: '2026-12-21T00:00', to: '2027-01-04T00:00', timezone: 'America/New_York' }],
      },
      at: '2027-01-01T00:00:00Z',
      outcome: 'fail',
      until: 'until Mon 2027-01-04 00:00 America/New_York (05:00 UTC)',
      opensAt: '2027-01-04T05:00:00.000Z',
    },
    {
      name: 'holidays: the one-off window has not begun at 04:59 UTC on 21 Dec (23:59 in New York)',
      config: {
        windows: [{ from: '2026-12-21T00:00', to: '2027-01-04T00:00', timezone: 'America/New_York' }],
      },
      at: '2026-12-21T04:59:00Z',
      outcome: 'pass',
    },
    {
      name: 'an explicit offset wins over the zone',
      config: {
        windows: [{ from: '2026-12-24T00:00+01:00', to: '2026-12-27T00:00Z', timezone: 'America/New_York' }],
      },
      at: '2026-12-23T23:30:00Z',
      outcome: 'fail',
      opensAt: '2026-12-27T00:00:00.000Z',
    },
    {
      name: 'abutting windows: holidays ending on a Saturday run into the weekend freeze',
      config: {
        windows: [
          { name: 'holidays', from: '2026-12-21T00:00', to: '2027-01-02T00:00', timezone: 'Europe/Berlin' },
          ...weekend.windows,
        ],
      },
      at: '2026-12-28T12:00:00Z',
      outcome: 'fail',
      until: 'frozen by holidays until Mon 2027-01-04 08:00 Europe/Berlin (07:00 UTC)',
      opensAt: '2027-01-04T07:00:00.000Z',
    },
  ];

  it.each(rows)('$name', ({ config, at, outcome, until, opensAt }) => {
    const verdict = evaluate(config, at);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reasonCode).toBe(outcome === 'pass' ? 'freeze.inactive' : 'freeze.active');
    if (until !== undefined) expect(verdict.reason).toContain(until);
    if (opensAt !== undefined) expect(verdict.opensAt).toBe(opensAt);
  });

  it('says so when windows follow one another without a gap, and gives no opening time', () => {
    const verdict = evaluate(
      { windows: [{ name: 'always', start: '0 0 * * *', duration: '24h' }] },
      '2026-11-25T12:00:00Z',
    );
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'freeze.active' });
    expect(verdict.reason).toBe(
      'frozen by always with no end in sight: its windows follow one another without a gap',
    );
    expect(verdict.opensAt).toBeUndefined();
    expect(verdict.details.opensAt).toBeNull();
  });

  it('evaluates a cron that fires every second without walking through it', () => {
    const verdict = evaluate(
      { windows: [{ start: '* * * * * *', end: '*/2 * * * * *' }] },
      '2026-11-25T12:00:00.500Z',
    );
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'freeze.active' });
  });

  it('says when the next window starts while open', () => {
    const verdict = evaluate(weekend, '2026-11-25T12:00:00Z');
    expect(verdict.details).toEqual({ nextWindow: 'weekend', nextStart: '2026-11-27T15:00:00.000Z' });
  });
});

describe('freeze overrides', () => {
  const config = {
    ...weekend,
    unless: { labels: ['hotfix'], breakGlass: { users: ['carol'], teams: ['acme/sre'] } },
  };
  const frozen = '2026-11-28T12:00:00Z';
  const rows: {
    name: string;
    request?: Partial<PromotionRequest>;
    facts?: Partial<Facts>;
    outcome: string;
    reasonCode: string;
    override?: unknown;
    reason?: RegExp;
  }[] = [
    {
      name: 'a hotfix label on the request lets it through, visibly',
      request: { labels: ['hotfix'] },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.label',
      override: { by: 'label', who: 'alice', reason: 'label "hotfix"' },
    },
    {
      name: "a hotfix label on the pull request's facts counts too",
      facts: { pullRequest: { number: 7, author: 'bob', headSha: 'abc', labels: ['hotfix'], reviews: [] } },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.label',
      override: { by: 'label', who: 'alice', reason: 'label "hotfix"' },
    },
    {
      name: 'a named user breaks glass with a reason',
      request: { requestedBy: 'carol', reason: 'payment outage INC-42' },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.break-glass',
      override: { by: 'break-glass', who: 'carol', reason: 'payment outage INC-42' },
      reason: /overridden by break-glass \(carol: payment outage INC-42\)/,
    },
    {
      name: 'a team member breaks glass with a reason',
      request: { requestedBy: 'dave', reason: 'rollback of a bad config' },
      facts: { teamsOf: { dave: ['acme/web', 'acme/sre'] } },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.break-glass',
      override: { by: 'break-glass', who: 'dave', reason: 'rollback of a bad config' },
    },
    {
      name: 'break-glass without a reason is refused and says how to give one',
      request: { requestedBy: 'carol', reason: '  ' },
      outcome: 'fail',
      reasonCode: 'freeze.break-glass-needs-reason',
      reason: /carol may break glass but must say why: add --reason/,
    },
    {
      name: 'someone outside the list cannot break glass, and is told who can',
      request: { requestedBy: 'eve', reason: 'please' },
      facts: { teamsOf: { eve: ['acme/web'] } },
      outcome: 'fail',
      reasonCode: 'freeze.active',
      reason:
        /to override: label the pull request "hotfix", or carol, acme\/sre may break glass with --reason/,
    },
  ];
  it.each(rows)('$name', ({ request: r, facts, outcome, reasonCode, override, reason }) => {
    const verdict = evaluate(config, frozen, { ...(r ? { request: r } : {}), ...(facts ? { facts } : {}) });
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reasonCode).toBe(reasonCode);
    if (override !== undefined) expect(verdict.override).toEqual(override);
    else expect(verdict.override).toBeUndefined();
    if (reason) expect(verdict.reason).toMatch(reason);
  });

  // Issue 11 item 16: on the CLI, --label and --requested-by are the operator's word.
  const cli = { identity: 'asserted' } as const;
  const assertedRows: {
    name: string;
    verifiedOnly: boolean;
    request: Partial<PromotionRequest>;
    facts?: Partial<Facts>;
    outcome: string;
    reasonCode: string;
    override?: unknown;
    reason: RegExp;
  }[] = [
    {
      name: 'a --label override counts, marked asserted',
      verifiedOnly: false,
      request: { ...cli, labels: ['hotfix'] },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.label',
      override: { by: 'label', who: 'alice', reason: 'label "hotfix"', asserted: true },
      reason: /overridden by label \(alice: label "hotfix"; asserted on the CLI, not verified\)/,
    },
    {
      name: 'a --requested-by break-glass counts, marked asserted',
      verifiedOnly: false,
      request: { ...cli, requestedBy: 'carol', reason: 'INC-42' },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.break-glass',
      override: { by: 'break-glass', who: 'carol', reason: 'INC-42', asserted: true },
      reason: /\(carol: INC-42; asserted on the CLI, not verified\)/,
    },
    {
      name: 'verifiedOnly refuses a --label',
      verifiedOnly: true,
      request: { ...cli, labels: ['hotfix'] },
      outcome: 'fail',
      reasonCode: 'freeze.override-not-verified',
      reason:
        /; label "hotfix" is asserted on the CLI, not verified, and this freeze takes only overrides GitHub verifies \(unless.verifiedOnly\)/,
    },
    {
      name: 'verifiedOnly refuses a break-glass by --requested-by',
      verifiedOnly: true,
      request: { ...cli, requestedBy: 'carol', reason: 'INC-42' },
      outcome: 'fail',
      reasonCode: 'freeze.override-not-verified',
      reason: /break-glass by carol is asserted on the CLI, not verified/,
    },
    {
      name: 'verifiedOnly takes a label the pull request carries',
      verifiedOnly: true,
      request: { ...cli, labels: ['hotfix'] },
      facts: { pullRequest: { number: 7, author: 'bob', headSha: 'abc', labels: ['hotfix'], reviews: [] } },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.label',
      override: { by: 'label', who: 'alice', reason: 'label "hotfix"' },
      reason: /overridden by label \(alice: label "hotfix"\)$/,
    },
    {
      name: 'verifiedOnly takes a break-glass from a verified requester (a commenter)',
      verifiedOnly: true,
      request: { requestedBy: 'carol', reason: 'INC-42' },
      outcome: 'warn',
      reasonCode: 'freeze.overridden.break-glass',
      override: { by: 'break-glass', who: 'carol', reason: 'INC-42' },
      reason: /\(carol: INC-42\)$/,
    },
  ];
  it.each(assertedRows)(
    '$name',
    ({ verifiedOnly, request: r, facts, outcome, reasonCode, override, reason }) => {
      const strict = { ...config, unless: { ...config.unless, verifiedOnly } };
      const verdict = evaluate(strict, frozen, { request: r, ...(facts ? { facts } : {}) });
      expect(verdict.outcome).toBe(outcome);
      expect(verdict.reasonCode).toBe(reasonCode);
      expect(verdict.override).toEqual(override);
      expect(verdict.reason).toMatch(reason);
    },
  );

  it('records no override when nothing is frozen', () => {
    const verdict = evaluate(config, '2026-11-25T12:00:00Z', { request: { labels: ['hotfix'] } });
    expect(verdict).toMatchObject({ outcome: 'pass', reasonCode: 'freeze.inactive' });
    expect(verdict.override).toBeUndefined();
  });
});

describe('freeze config check', () => {
  it.each([
    [
      'a bad cron',
      { windows: [{ start: '0 16 * * FRY', end: '0 8 * * MON' }] },
      ['windows', 0, 'start'],
      /bad cron "0 16 \* \* FRY"/,
    ],
    [
      'a hashed minute (cron-parser draws it at random on every parse)',
      { windows: [{ start: 'H 16 * * FRI', end: '0 8 * * MON' }] },
      ['windows', 0, 'start'],
      /cron "H 16 \* \* FRI" has an H \(hashed\) field/,
    ],
    [
      'a hashed step in a list',
      { windows: [{ start: '0 16 * * FRI', end: '0,H/15 8 * * MON' }] },
      ['windows', 0, 'end'],
      /has an H \(hashed\) field/,
    ],
    [
      'an out-of-range cron field',
      { windows: [{ start: '0 16 * * FRI', end: '61 8 * * MON' }] },
      ['windows', 0, 'end'],
      /bad cron "61 8/,
    ],
    [
      'an unknown zone',
      { windows: [{ start: '0 16 * * FRI', end: '0 8 * * MON', timezone: 'Europe/Berln' }] },
      ['windows', 0, 'timezone'],
      /unknown time zone "Europe\/Berln"/,
    ],
    [
      'a zero duration',
      { windows: [{ start: '0 16 * * FRI', duration: '0h' }] },
      ['windows', 0, 'duration'],
      /must be more than zero/,
    ],
    [
      'a date that is not one',
      { windows: [{ from: '2026-13-01T00:00', to: '2027-01-04T00:00' }] },
      ['windows', 0, 'from'],
      /not an ISO time/,
    ],
    [
      'an end before the start',
      { windows: [{ from: '2027-01-04T00:00', to: '2026-12-21T00:00' }] },
      ['windows', 0, 'to'],
      /must be after "from"/,
    ],
  ])('reports %s at its path', (_name, config, path, message) => {
    const problems = freezeGate.check?.(freezeSchema.parse(config)) ?? [];
    expect(problems.map((p) => p.path)).toContainEqual(path);
    expect(problems.map((p) => p.message).join('\n')).toMatch(message);
  });

  it('rejects a negative duration in the schema at its path', () => {
    const result = freezeSchema.safeParse({ windows: [{ start: '0 16 * * FRI', duration: '-2h' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.some((i) => i.path.join('.') === 'windows.0.duration')).toBe(true);
  });

  it('accepts the design examples', () => {
    const holidays = {
      windows: [{ from: '2026-12-21T00:00', to: '2027-01-04T00:00', timezone: 'America/New_York' }],
    };
    expect(freezeGate.check?.(freezeSchema.parse(weekend))).toEqual([]);
    expect(freezeGate.check?.(freezeSchema.parse(holidays))).toEqual([]);
  });
});
