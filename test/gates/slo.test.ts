import { describe, expect, it } from 'vitest';
import type { Facts, PromotionRequest } from '../../src/core/types.js';
import { sloSchema } from '../../src/gates/slo-schema.js';
import type { QueryResult, SloSamples } from '../../src/gates/slo-queries.js';
import { sloQueries } from '../../src/gates/slo-queries.js';
import { burnRatePairs, sloWindows } from '../../src/gates/slo-windows.js';
import { sloGate } from '../../src/gates/slo.js';

const NOW = new Date('2026-11-02T10:00:00Z');
const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1.0.0' },
  requestedBy: 'alice',
  source: 'test',
};

const base = {
  prometheus: { url: 'http://prometheus.test' },
  objective: 99.9,
  ratio: 'sum(rate(errors[{{window}}])) / sum(rate(total[{{window}}]))',
};

function parse(extra: Record<string, unknown> = {}) {
  return sloSchema.parse({ ...base, ...extra });
}

/** Samples giving each window the error ratio named; unnamed windows get `fallback`. */
function samples(
  ratios: Record<string, QueryResult | number>,
  fallback: QueryResult | number = 0,
): SloSamples {
  const windows: SloSamples['windows'] = {};
  for (const window of ['30d', '28d', '7d', '1h', '5m', '6h', '30m', '3d', '2h']) {
    const r = ratios[window] ?? fallback;
    const result: QueryResult = typeof r === 'number' ? { kind: 'sample', value: String(r) } : r;
    windows[window] = { ratio: { query: `q${window}`, result } };
  }
  return { kind: 'slo-samples', at: NOW.toISOString(), windows };
}

function evaluate(config: ReturnType<typeof parse>, inputs: unknown) {
  const facts: Facts = { now: NOW, history: [], running: {}, gateInputs: { 'checkout-slo': inputs } };
  return sloGate.evaluate('checkout-slo', config, { request, facts });
}

describe('workbook burn-rate pairs', () => {
  it.each([
    ['30d', [14.4, 6, 1]],
    ['28d', [13.44, 5.6, 0.9333333333333333]],
    ['7d', [3.36, 1.4, 0.23333333333333334]],
  ])('for a %s period the factors are budget share x period / long window', (period, factors) => {
    const pairs = burnRatePairs(parse({ period }));
    expect(pairs.map((p) => [p.long, p.short])).toEqual([
      ['1h', '5m'],
      ['6h', '30m'],
      ['3d', '6h'],
    ]);
    pairs.forEach((p, i) => expect(p.factor).toBeCloseTo(factors[i] ?? NaN, 12));
  });

  it('keeps 14.4, 6 and 1 exact for the default 30 days', () => {
    expect(burnRatePairs(parse()).map((p) => p.factor)).toEqual([14.4, 6, 1]);
  });

  it('takes a custom list, spelling windows as Prometheus does', () => {
    const config = parse({ burnRates: [{ long: '2h', short: '0.5h', factor: 10 }] });
    expect(burnRatePairs(config)).toEqual([{ long: '2h', short: '30m', factor: 10 }]);
    expect(sloWindows(config)).toEqual(['30d', '2h', '30m']);
  });

  it('asks for each window once, the period first', () => {
    expect(sloWindows(parse())).toEqual(['30d', '1h', '5m', '6h', '30m', '3d']);
    expect(sloWindows(parse({ burnRates: 'none' }))).toEqual(['30d']);
  });
});

describe('slo queries', () => {
  it('fills {{window}} in errors and total', () => {
    const config = sloSchema.parse({
      prometheus: { url: 'http://p' },
      objective: '99.5%',
      errors: 'sum(rate(e[{{window}}]))',
      total: 'sum(rate(t[{{window}}]))',
      burnRates: 'none',
    });
    expect(sloQueries(config)).toEqual({
      '30d': { errors: 'sum(rate(e[30d]))', total: 'sum(rate(t[30d]))' },
    });
  });

  it("reads Sloth's recording rules by service and SLO label", () => {
    const config = sloSchema.parse({
      prometheus: { url: 'http://p' },
      objective: 99.9,
      sloth: { service: 'checkout', slo: 'requests-"availability"' },
      burnRates: [{ long: '1h', short: '5m', factor: 14.4 }],
    });
    expect(sloQueries(config)['5m']).toEqual({
      ratio: 'slo:sli_error:ratio_rate5m{sloth_service="checkout",sloth_slo="requests-\\"availability\\""}',
    });
  });
});

describe('slo gate evaluation', () => {
  const rows: {
    name: string;
    config?: Record<string, unknown>;
    ratios: Record<string, QueryResult | number>;
    fallback?: QueryResult | number;
    outcome: string;
    reasonCode: string;
    reason?: RegExp;
  }[] = [
    {
      name: 'passes a service spending its budget slowly',
      ratios: { '30d': 0.0002 },
      fallback: 0.0002,
      outcome: 'pass',
      reasonCode: 'slo.ok',
      reason: /^80% of the error budget left over 30d \(objective 99\.9%\)/,
    },
    {
      name: 'fails when both windows of a pair burn faster than its factor',
      ratios: { '1h': 0.015, '5m': 0.02 },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.burn-rate',
      reason: /burning the budget 15x over 1h and 20x over 5m \(limit 14\.4x\)/,
    },
    {
      name: 'passes a spike in the short window alone (the long window is calm)',
      ratios: { '1h': 0.001, '5m': 0.5 },
      fallback: 0.0001,
      outcome: 'pass',
      reasonCode: 'slo.ok',
    },
    {
      name: 'passes a long window above its factor once the short window has recovered',
      ratios: { '1h': 0.02, '5m': 0.0001 },
      fallback: 0.0001,
      outcome: 'pass',
      reasonCode: 'slo.ok',
    },
    {
      name: 'passes a burn rate exactly at the factor (only faster fails)',
      ratios: { '1h': 0.0144, '5m': 0.0144 },
      fallback: 0.0001,
      outcome: 'pass',
      reasonCode: 'slo.ok',
    },
    {
      name: 'fails the slow-burn ticket pair (3d and 6h above 1x)',
      ratios: { '3d': 0.0012, '6h': 0.0011 },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.burn-rate',
      reason: /over 3d and [\d.]+x over 6h \(limit 1x\)/,
    },
    {
      name: 'fails below minBudgetRemaining',
      config: { minBudgetRemaining: '25%' },
      ratios: { '30d': 0.0008 },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.budget-low',
      reason: /^20% of the error budget left over 30d, below the minimum 25%/,
    },
    {
      name: 'fails an overspent budget with a negative remainder, with no minimum set',
      config: {},
      ratios: { '30d': 0.0015 },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.budget-low',
      reason: /^-50% of the error budget left.*; budget spent$/,
    },
    {
      name: 'passes a budget just not spent when no minimum is set',
      ratios: { '30d': 0.00099 },
      fallback: 0.0001,
      outcome: 'pass',
      reasonCode: 'slo.ok',
      reason: /^1% of the error budget left/,
    },
    {
      name: 'fails on no samples by default',
      ratios: { '5m': { kind: 'empty' } },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.no-data',
      reason: /5m ratio: no samples.*onNoData is fail/,
    },
    {
      name: 'treats NaN as no data',
      ratios: { '1h': { kind: 'sample', value: 'NaN' } },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.no-data',
      reason: /1h ratio: NaN/,
    },
    {
      name: 'treats +Inf as no data, and warns when onNoData is warn',
      config: { onNoData: 'warn' },
      ratios: { '30d': { kind: 'sample', value: '+Inf' } },
      fallback: 0.0001,
      outcome: 'warn',
      reasonCode: 'slo.no-data',
      reason: /30d ratio: \+Inf.*onNoData is warn/,
    },
    {
      name: 'passes with the reason when onNoData is pass',
      config: { onNoData: 'pass' },
      ratios: {},
      fallback: { kind: 'error', reasonCode: 'prometheus.unreachable', reason: 'cannot reach http://p' },
      outcome: 'pass',
      reasonCode: 'slo.no-data',
      reason: /cannot reach http:\/\/p.*onNoData is pass/,
    },
    {
      name: 'fails on burning data even when another window is missing and onNoData is pass',
      config: { onNoData: 'pass' },
      ratios: { '1h': 0.03, '5m': 0.03, '3d': { kind: 'empty' } },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.burn-rate',
    },
    {
      name: 'reads 99.5% as a 0.5% budget',
      config: { objective: '99.5%' },
      ratios: { '1h': 0.075, '5m': 0.075 },
      fallback: 0.0001,
      outcome: 'fail',
      reasonCode: 'slo.burn-rate',
      reason: /15x over 1h and 15x over 5m/,
    },
  ];

  it.each(rows)('$name', ({ config, ratios, fallback, outcome, reasonCode, reason }) => {
    const verdict = evaluate(parse(config), samples(ratios, fallback));
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reasonCode).toBe(reasonCode);
    if (reason) expect(verdict.reason).toMatch(reason);
  });

  it('fails with no data when the fetcher stored nothing for the gate', () => {
    const verdict = evaluate(parse(), undefined);
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'slo.no-data' });
    expect(verdict.reason).toContain('no Prometheus results were fetched for this gate');
  });

  it('puts objective, budget, each burn rate with its factor and the time to exhaustion in the details', () => {
    const verdict = evaluate(parse(), samples({ '30d': 0.0005, '1h': 0.002 }, 0.0001));
    expect(verdict.details).toMatchObject({
      objective: '99.9%',
      period: '30d',
      budgetRemaining: expect.closeTo(0.5, 12),
      burnRates: [
        { long: { window: '1h', burnRate: expect.closeTo(2, 12) }, short: { window: '5m' }, factor: 14.4 },
        { long: { window: '6h' }, short: { window: '30m' }, factor: 6 },
        { long: { window: '3d' }, short: { window: '6h' }, factor: 1 },
      ],
      // Half the budget left, spent at 2x: 0.5 x 30d / 2 = 7.5 days.
      budgetExhaustedIn: { ms: expect.closeTo(7.5 * 86_400_000, 3), text: '7d 12h', rateWindow: '1h' },
    });
    expect(verdict.reason).toContain('budget gone in 7d 12h at the 1h rate');
  });

  it('falls back to the period rate for the time to exhaustion when the 1h window has no data', () => {
    const verdict = evaluate(
      parse({ onNoData: 'warn' }),
      samples({ '30d': 0.0005, '1h': { kind: 'empty' } }, 0.0001),
    );
    expect(verdict).toMatchObject({ outcome: 'warn', reasonCode: 'slo.no-data' });
    // Half the budget left at the period's own 0.5x: 0.5 x 30d / 0.5 = 30 days.
    expect(verdict.details.budgetExhaustedIn).toMatchObject({ rateWindow: '30d', text: '30d' });
  });

  describe('errors and total', () => {
    const split = sloSchema.parse({
      prometheus: { url: 'http://p' },
      objective: 99.9,
      errors: 'e[{{window}}]',
      total: 't[{{window}}]',
      burnRates: 'none',
    });
    const one = (errors: QueryResult, total: QueryResult): SloSamples => ({
      kind: 'slo-samples',
      at: NOW.toISOString(),
      windows: { '30d': { errors: { query: 'e', result: errors }, total: { query: 't', result: total } } },
    });
    it.each([
      [
        'divides errors by total',
        { kind: 'sample', value: '2' },
        { kind: 'sample', value: '4000' },
        'pass',
        /50% of/,
      ],
      [
        'zero traffic is no data',
        { kind: 'sample', value: '0' },
        { kind: 'sample', value: '0' },
        'fail',
        /30d total: 0 \(no traffic\)/,
      ],
      [
        'an empty errors query says how to write zero',
        { kind: 'empty' },
        { kind: 'sample', value: '10' },
        'fail',
        /append `or vector\(0\)`/,
      ],
      [
        'an empty total is no data',
        { kind: 'sample', value: '1' },
        { kind: 'empty' },
        'fail',
        /30d total: no samples/,
      ],
    ] as const)('%s', (_name, errors, total, outcome, reason) => {
      const verdict = evaluate(split, one(errors, total));
      expect(verdict.outcome).toBe(outcome);
      expect(verdict.reason).toMatch(reason);
    });
  });
});

describe('slo config check', () => {
  const problems = (config: Record<string, unknown>) =>
    sloGate.check?.(sloSchema.parse({ prometheus: { url: 'http://p' }, ...config })) ?? [];
  it.each([
    [
      'objective 100',
      { objective: 100, ratio: 'r[{{window}}]' },
      ['objective'],
      /must be above 0 and below 100/,
    ],
    ['objective "100%"', { objective: '100%', ratio: 'r[{{window}}]' }, ['objective'], /no error budget/],
    ['objective 0', { objective: 0, ratio: 'r[{{window}}]' }, ['objective'], /above 0/],
    ['no SLI', { objective: 99 }, [], /no SLI: give `errors` and `total`, or `ratio`, or `sloth`/],
    [
      'two SLI forms',
      { objective: 99, ratio: 'r[{{window}}]', sloth: { service: 's', slo: 'o' } },
      [],
      /only one SLI form/,
    ],
    ['errors without total', { objective: 99, errors: 'e[{{window}}]' }, ['total'], /go together/],
    ['no {{window}}', { objective: 99, ratio: 'r[5m]' }, ['ratio'], /no \{\{window\}\} placeholder/],
    [
      'a URL without a scheme',
      { objective: 99, ratio: 'r[{{window}}]', prometheus: { url: 'prometheus:9090' } },
      ['prometheus', 'url'],
      /must start with http:\/\/ or https:\/\//,
    ],
    ['zero period', { objective: 99, ratio: 'r[{{window}}]', period: '0d' }, ['period'], /more than zero/],
    [
      'zero timeout',
      { objective: 99, ratio: 'r[{{window}}]', prometheus: { url: 'http://p', timeout: '0s' } },
      ['prometheus', 'timeout'],
      /more than zero/,
    ],
    [
      'budget minimum 100%',
      { objective: 99, ratio: 'r[{{window}}]', minBudgetRemaining: '100%' },
      ['minBudgetRemaining'],
      /below 100%/,
    ],
    [
      'negative factor',
      { objective: 99, ratio: 'r[{{window}}]', burnRates: [{ long: '1h', short: '5m', factor: -1 }] },
      ['burnRates', 0, 'factor'],
      /more than 0/,
    ],
    [
      'short not shorter',
      { objective: 99, ratio: 'r[{{window}}]', burnRates: [{ long: '5m', short: '1h', factor: 2 }] },
      ['burnRates', 0, 'short'],
      /must be shorter/,
    ],
    [
      'a window Sloth does not record',
      {
        objective: 99,
        sloth: { service: 's', slo: 'o' },
        burnRates: [{ long: '4h', short: '5m', factor: 2 }],
      },
      ['burnRates'],
      /Sloth records no slo:sli_error:ratio_rate4h/,
    ],
  ])('%s', (_name, config, path, message) => {
    const found = problems(config);
    expect(found.map((p) => p.path)).toContainEqual(path);
    expect(found.map((p) => p.message).join('\n')).toMatch(message);
  });

  it('accepts the example from the design', () => {
    expect(
      problems({
        prometheus: { url: '${PROMETHEUS_URL}' },
        objective: 99.9,
        period: '30d',
        errors: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{window}}]))',
        total: 'sum(rate(http_requests_total{job="checkout"}[{{window}}]))',
        minBudgetRemaining: '25%',
        burnRates: 'workbook',
        onNoData: 'fail',
      }),
    ).toEqual([]);
  });

  it('rejects a negative duration in the schema, at its path', () => {
    const result = sloSchema.safeParse({
      prometheus: { url: 'http://p' },
      objective: 99,
      ratio: 'r',
      period: '-30d',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['period']);
  });
});
