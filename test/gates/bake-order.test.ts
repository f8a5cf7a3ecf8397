import { describe, expect, it } from 'vitest';
import type { Facts, HistoryEntry, PromotionRequest } from '../../src/core/types.js';
import { bakeGate } from '../../src/gates/bake.js';
import { bakeSchema } from '../../src/gates/bake-schema.js';
import { orderGate } from '../../src/gates/order.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const entry = (
  environment: string,
  services: string[],
  version: string,
  at: Date,
  sha = `s${at.getTime()}`,
): HistoryEntry => ({
  sha,
  committedAt: at,
  environment,
  services,
  version,
});

const request = (services: string[] = ['checkout'], tag = '1.4.0'): PromotionRequest => ({
  environment: 'production',
  services,
  version: { tag },
  requestedBy: 'alice',
  source: 'test',
});

function facts(history: HistoryEntry[], running: Facts['running'] = {}): Facts {
  return { now: NOW, history, running };
}

describe('bake gate', () => {
  const rows: {
    name: string;
    config: string;
    services?: string[];
    history: HistoryEntry[];
    running?: Facts['running'];
    upstream?: string | undefined;
    outcome: string;
    reasonCode: string;
    reason?: RegExp;
    opensAt?: string;
  }[] = [
    {
      name: 'baked long enough passes',
      config: '24h',
      history: [entry('staging', ['checkout'], '1.4.0', hoursAgo(25))],
      outcome: 'pass',
      reasonCode: 'bake.done',
    },
    {
      name: 'too soon fails with the time left and when it opens',
      config: '24h',
      history: [entry('staging', ['checkout'], '1.4.0', hoursAgo(20))],
      outcome: 'fail',
      reasonCode: 'bake.too-soon',
      reason: /baked in staging for 20h of 24h: 4h left/,
      opensAt: '2026-11-20T16:00:00.000Z',
    },
    {
      name: 'exactly the bake time passes',
      config: '24h',
      history: [entry('staging', ['checkout'], '1.4.0', hoursAgo(24))],
      outcome: 'pass',
      reasonCode: 'bake.done',
    },
    {
      name: 're-promoting the same version keeps the first landing time',
      config: '24h',
      history: [
        entry('staging', ['checkout'], '1.4.0', hoursAgo(2)),
        entry('staging', ['checkout'], '1.4.0', hoursAgo(30)),
      ],
      outcome: 'pass',
      reasonCode: 'bake.done',
    },
    {
      name: 'a version that came back after another counts from its return',
      config: '24h',
      history: [
        entry('staging', ['checkout'], '1.4.0', hoursAgo(3)),
        entry('staging', ['checkout'], '1.3.9', hoursAgo(10)),
        entry('staging', ['checkout'], '1.4.0', hoursAgo(40)),
      ],
      outcome: 'fail',
      reasonCode: 'bake.too-soon',
      reason: /21h left/,
    },
    {
      name: 'never promoted upstream fails and says where to promote first',
      config: '1h',
      history: [entry('dev', ['checkout'], '1.4.0', hoursAgo(50))],
      outcome: 'fail',
      reasonCode: 'bake.not-landed',
      reason: /checkout 1.4.0 has not landed in staging/,
    },
    {
      name: 'the slowest of several services decides',
      config: '2h',
      services: ['checkout', 'cart'],
      history: [
        entry('staging', ['cart'], '1.4.0', hoursAgo(1)),
        entry('staging', ['checkout'], '1.4.0', hoursAgo(5)),
      ],
      outcome: 'fail',
      reasonCode: 'bake.too-soon',
      reason: /1h left/,
    },
    {
      name: 'replaced by hand after landing: the bake time does not count',
      config: '1h',
      history: [entry('staging', ['checkout'], '1.4.0', hoursAgo(5))],
      running: { staging: { checkout: '1.3.0' } },
      outcome: 'fail',
      reasonCode: 'bake.not-running',
      reason: /staging runs 1.3.0 for checkout, not 1.4.0/,
    },
    {
      name: 'no upstream: nothing to bake in',
      config: '1h',
      history: [],
      upstream: undefined,
      outcome: 'skip',
      reasonCode: 'bake.no-upstream',
    },
  ];
  it.each(rows)('$name', (row) => {
    const upstream = 'upstream' in row ? row.upstream : 'staging';
    const verdict = bakeGate.evaluate(row.config, bakeSchema.parse(row.config), {
      request: request(row.services),
      facts: facts(row.history, row.running),
      ...(upstream === undefined ? {} : { upstream }),
    });
    expect(verdict.outcome).toBe(row.outcome);
    expect(verdict.reasonCode).toBe(row.reasonCode);
    if (row.reason) expect(verdict.reason).toMatch(row.reason);
    if (row.opensAt) expect(verdict.opensAt).toBe(row.opensAt);
  });

  it.each([
    ['0h', true],
    ['-1h', false],
    ['soon', false],
  ])('config %s is rejected', (text, parses) => {
    const parsed = bakeSchema.safeParse(text);
    expect(parsed.success).toBe(parses);
    if (parsed.success)
      expect(bakeGate.check?.(parsed.data)).toEqual([
        { path: [], message: 'bake time must be more than zero' },
      ]);
  });
});

describe('order gate', () => {
  it.each([
    [
      'upstream runs the version',
      ['checkout'],
      { staging: { checkout: '1.4.0' } },
      'pass',
      'order.upstream-runs',
      /staging runs 1.4.0/,
    ],
    [
      'upstream runs an older version: skipping is refused',
      ['checkout'],
      { staging: { checkout: '1.3.0' } },
      'fail',
      'order.upstream-behind',
      /staging must run 1.4.0 first \(checkout runs 1.3.0\): promote to staging before skipping ahead/,
    ],
    [
      'every promoted service must be there',
      ['checkout', 'cart'],
      { staging: { checkout: '1.4.0', cart: '1.2.0' } },
      'fail',
      'order.upstream-behind',
      /cart runs 1.2.0/,
    ],
    [
      'a service upstream does not have',
      ['checkout'],
      { staging: {} },
      'fail',
      'order.upstream-behind',
      /checkout runs nothing/,
    ],
  ] as const)('%s', (_name, services, running, outcome, reasonCode, reason) => {
    const verdict = orderGate.evaluate(
      'order',
      {},
      { request: request([...services]), facts: facts([], running), upstream: 'staging' },
    );
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reasonCode).toBe(reasonCode);
    expect(verdict.reason).toMatch(reason);
  });

  it('skips the first environment', () => {
    const verdict = orderGate.evaluate('order', {}, { request: request(), facts: facts([]) });
    expect(verdict).toMatchObject({ outcome: 'skip', reasonCode: 'order.first' });
  });
});
