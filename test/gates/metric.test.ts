import { describe, expect, it } from 'vitest';
import { analysisOutcome } from '../../src/core/rollout.js';
import type { Facts, PromotionRequest, Verdict } from '../../src/core/types.js';
import { fillQuery, type MetricInputs, type RangeResult } from '../../src/gates/metric.js';
import { metricSchema } from '../../src/gates/metric-schema.js';
import type { QueryResult } from '../../src/gates/slo-queries.js';
import { metricGate } from '../../src/gates/metric.js';

// The metric gate is pure over the samples its fetchers stored: instant (promotion) and range
// (a canary step's window). Rows fabricate what Prometheus answered and assert the whole verdict.

const NOW = new Date('2026-11-01T12:00:00Z');
const FROM = new Date('2026-11-01T11:50:00Z'); // 10 minutes at 1m: 11 points
const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1.5.0' },
  requestedBy: 'alice',
  source: 'test',
};

function parse(extra: Record<string, unknown> = {}) {
  return metricSchema.parse({
    prometheus: { url: '${PROMETHEUS_URL}' },
    query:
      'sum(rate(errors{app="{{service}}"}[{{interval}}])) / sum(rate(total{app="{{service}}"}[{{interval}}]))',
    thresholdRange: { max: 0.01 },
    ...extra,
  });
}

function evaluate(config: ReturnType<typeof parse>, inputs: unknown): Verdict {
  const facts: Facts = { now: NOW, history: [], running: {}, gateInputs: { 'canary-errors': inputs } };
  return metricGate.evaluate('canary-errors', config, { request, facts });
}

function instant(...results: (QueryResult | { service: string; result: QueryResult })[]): MetricInputs {
  return {
    kind: 'metric-samples',
    mode: 'instant',
    at: NOW.toISOString(),
    prometheus: '${PROMETHEUS_URL}',
    results: results.map((r) =>
      'service' in r ? { ...r, query: `q-${r.service}` } : { query: 'q', result: r },
    ),
  };
}

/** A range answer with one point a minute from FROM: a number, NaN, or null for a missing step. */
function range(values: readonly (number | 'NaN' | null)[] | RangeResult): MetricInputs {
  const result: RangeResult = Array.isArray(values)
    ? {
        kind: 'series',
        points: values.flatMap((v, i) =>
          v === null ? [] : [[FROM.getTime() / 1000 + i * 60, String(v)] as [number, string]],
        ),
      }
    : (values as RangeResult);
  return {
    kind: 'metric-samples',
    mode: 'range',
    from: FROM.toISOString(),
    to: NOW.toISOString(),
    stepSeconds: 60,
    prometheus: '${PROMETHEUS_URL}',
    results: [{ service: 'checkout', query: 'q', result: result }],
  };
}

const ok = 0.001;
const bad = 0.05;
const sample = (value: string): QueryResult => ({ kind: 'sample', value });
const down: QueryResult = {
  kind: 'error',
  reasonCode: 'prometheus.unreachable',
  reason: 'cannot reach ${PROMETHEUS_URL}/api/v1/query: connect ECONNREFUSED',
};

type Row = {
  name: string;
  config?: Record<string, unknown>;
  inputs: unknown;
  outcome: Verdict['outcome'];
  reasonCode: string;
  analysis: ReturnType<typeof analysisOutcome>;
  counts?: { successful: number; failed: number; inconclusive: number; error: number };
  reason?: RegExp;
};

const rows: Row[] = [
  // Instant (a promotion gate).
  {
    name: 'instant value within max',
    inputs: instant(sample('0.002')),
    outcome: 'pass',
    reasonCode: 'metric.pass',
    analysis: 'pass',
    counts: { successful: 1, failed: 0, inconclusive: 0, error: 0 },
    reason: /value 0.002 is at most 0.01/,
  },
  {
    name: 'instant value at max is within (inclusive)',
    inputs: instant(sample('0.01')),
    outcome: 'pass',
    reasonCode: 'metric.pass',
    analysis: 'pass',
  },
  {
    name: 'instant value above max fails even with a failureLimit',
    config: { failureLimit: 3 },
    inputs: instant(sample('0.02')),
    outcome: 'fail',
    reasonCode: 'metric.fail',
    analysis: 'fail',
    counts: { successful: 0, failed: 1, inconclusive: 0, error: 0 },
    reason: /value 0.02 is not at most 0.01/,
  },
  {
    name: 'instant value below min',
    config: { thresholdRange: { min: 100 } },
    inputs: instant(sample('99.5')),
    outcome: 'fail',
    reasonCode: 'metric.fail',
    analysis: 'fail',
    reason: /not at least 100/,
  },
  {
    name: 'instant value between min and max',
    config: { thresholdRange: { min: 0.5, max: 2 } },
    inputs: instant(sample('1')),
    outcome: 'pass',
    reasonCode: 'metric.pass',
    analysis: 'pass',
    reason: /between 0.5 and 2/,
  },
  {
    name: '+Inf is above any max',
    inputs: instant(sample('+Inf')),
    outcome: 'fail',
    reasonCode: 'metric.fail',
    analysis: 'fail',
  },
  {
    name: 'instant no samples: inconclusive by default',
    inputs: instant({ kind: 'empty' }),
    outcome: 'warn',
    reasonCode: 'metric.no-data',
    analysis: 'inconclusive',
    counts: { successful: 0, failed: 0, inconclusive: 1, error: 0 },
    reason: /no data \(no samples\): inconclusive/,
  },
  {
    name: 'instant NaN is no data',
    inputs: instant(sample('NaN')),
    outcome: 'warn',
    reasonCode: 'metric.no-data',
    analysis: 'inconclusive',
    reason: /NaN/,
  },
  {
    name: 'instant no data, onNoData pass',
    config: { onNoData: 'pass' },
    inputs: instant({ kind: 'empty' }),
    outcome: 'pass',
    reasonCode: 'metric.no-data',
    analysis: 'pass',
    reason: /onNoData is pass/,
  },
  {
    name: 'instant no data, onNoData fail',
    config: { onNoData: 'fail' },
    inputs: instant({ kind: 'empty' }),
    outcome: 'fail',
    reasonCode: 'metric.no-data',
    analysis: 'fail',
  },
  {
    name: 'Prometheus down is an error, never a pass',
    config: { onNoData: 'pass' },
    inputs: instant(down),
    outcome: 'fail',
    reasonCode: 'metric.error',
    analysis: 'error',
    counts: { successful: 0, failed: 0, inconclusive: 0, error: 1 },
    reason: /cannot judge: cannot reach \$\{PROMETHEUS_URL\}/,
  },
  {
    name: 'nothing fetched is an error',
    inputs: undefined,
    outcome: 'fail',
    reasonCode: 'metric.error',
    analysis: 'error',
  },
  {
    name: 'two services: one failing fails the promotion',
    inputs: instant(
      { service: 'checkout', result: sample('0.001') },
      { service: 'cart', result: sample('0.3') },
    ),
    outcome: 'fail',
    reasonCode: 'metric.fail',
    analysis: 'fail',
    reason: /^cart: value 0.3/,
  },
  {
    name: 'two services: one without data is no data',
    inputs: instant(
      { service: 'checkout', result: sample('0.001') },
      { service: 'cart', result: { kind: 'empty' } },
    ),
    outcome: 'warn',
    reasonCode: 'metric.no-data',
    analysis: 'inconclusive',
    reason: /cart: no samples/,
  },
  {
    name: 'two services: a real failure wins over an error',
    inputs: instant({ service: 'checkout', result: down }, { service: 'cart', result: sample('0.3') }),
    outcome: 'fail',
    reasonCode: 'metric.fail',
    analysis: 'fail',
  },
  // Range (a canary step's analysis).
  {
    name: 'range all within',
    inputs: range(Array(11).fill(ok)),
    outcome: 'pass',
    reasonCode: 'metric.pass',
    analysis: 'pass',
    counts: { successful: 11, failed: 0, inconclusive: 0, error: 0 },
    reason: /11 of 11 points at most 0.01, 0 outside \(failureLimit 0\)/,
  },
  {
    name: 'range one outside with failureLimit 1 passes',
    config: { failureLimit: 1 },
    inputs: range([ok, ok, bad, ok, ok, ok, ok, ok, ok, ok, ok]),
    outcome: 'pass',
    reasonCode: 'metric.pass',
    analysis: 'pass',
    counts: { successful: 10, failed: 1, inconclusive: 0, error: 0 },
  },
  {
    name: 'range two outside with failureLimit 1 fails',
    config: { failureLimit: 1 },
    inputs: range([ok, ok, bad, ok, bad, ok, ok, ok, ok, ok, ok]),
    outcome: 'fail',
    reasonCode: 'metric.fail',
    analysis: 'fail',
    counts: { successful: 9, failed: 2, inconclusive: 0, error: 0 },
    reason: /2 of 11 points not at most 0.01 \(failureLimit 1; first 0.05 at 2026-11-01T11:52:00.000Z\)/,
  },
  {
    name: 'range one outside with the default failureLimit 0 fails',
    inputs: range([ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, bad]),
    outcome: 'fail',
    reasonCode: 'metric.fail',
    analysis: 'fail',
  },
  {
    name: 'range gaps and NaN count as inconclusive points',
    inputs: range([null, null, 'NaN', ok, ok, ok, ok, ok, ok, ok, ok]),
    outcome: 'pass',
    reasonCode: 'metric.pass',
    analysis: 'pass',
    counts: { successful: 8, failed: 0, inconclusive: 3, error: 0 },
    reason: /3 without data/,
  },
  {
    name: 'range empty: inconclusive',
    inputs: range({ kind: 'empty' }),
    outcome: 'warn',
    reasonCode: 'metric.no-data',
    analysis: 'inconclusive',
    counts: { successful: 0, failed: 0, inconclusive: 11, error: 0 },
    reason: /no samples in the window/,
  },
  {
    name: 'range only NaN: no data',
    config: { onNoData: 'fail' },
    inputs: range(['NaN', 'NaN']),
    outcome: 'fail',
    reasonCode: 'metric.no-data',
    analysis: 'fail',
    reason: /only NaN in the window \(2 points\)/,
  },
  {
    name: 'range no data, onNoData pass',
    config: { onNoData: 'pass' },
    inputs: range({ kind: 'empty' }),
    outcome: 'pass',
    reasonCode: 'metric.no-data',
    analysis: 'pass',
  },
  {
    name: 'range error: neither pass nor rollback',
    inputs: range(down),
    outcome: 'fail',
    reasonCode: 'metric.error',
    analysis: 'error',
    counts: { successful: 0, failed: 0, inconclusive: 0, error: 1 },
  },
];

describe('metric gate verdicts', () => {
  it.each(rows)('$name', (row) => {
    const verdict = evaluate(parse(row.config), row.inputs);
    expect(verdict.kind).toBe('metric');
    expect(verdict.outcome).toBe(row.outcome);
    expect(verdict.reasonCode).toBe(row.reasonCode);
    expect(analysisOutcome(verdict)).toBe(row.analysis);
    if (row.counts) expect(verdict.details.counts).toEqual(row.counts);
    if (row.reason) expect(verdict.reason).toMatch(row.reason);
  });

  it('details carry the window, the settings and the points outside', () => {
    const verdict = evaluate(parse({ failureLimit: 1 }), range([ok, bad, ok, bad]));
    expect(verdict.details).toMatchObject({
      mode: 'range',
      window: { from: FROM.toISOString(), to: NOW.toISOString(), step: '1m', points: 11 },
      prometheus: '${PROMETHEUS_URL}',
      thresholdRange: { max: 0.01 },
      interval: '1m',
      failureLimit: 1,
      onNoData: 'inconclusive',
      counts: { successful: 2, failed: 2, inconclusive: 7, error: 0 },
      results: [
        {
          service: 'checkout',
          query: 'q',
          outside: [
            { at: '2026-11-01T11:51:00.000Z', value: '0.05' },
            { at: '2026-11-01T11:53:00.000Z', value: '0.05' },
          ],
        },
      ],
    });
  });

  it('inconclusive is marked in the details; error too', () => {
    expect(evaluate(parse(), range({ kind: 'empty' })).details.inconclusive).toBe(true);
    expect(
      evaluate(parse({ onNoData: 'fail' }), range({ kind: 'empty' })).details.inconclusive,
    ).toBeUndefined();
    expect(evaluate(parse(), range(down)).details.error).toBe(true);
  });
});

describe('fillQuery', () => {
  it.each([
    [
      'every placeholder',
      'x{env="{{environment}}",app="{{service}}",v="{{version}}"}[{{interval}}]',
      { environment: 'prod', service: 'checkout', version: '1.5.0' },
      { ok: true, query: 'x{env="prod",app="checkout",v="1.5.0"}[2m]' },
    ],
    [
      'a value with a quote is escaped',
      'x{v="{{version}}"}',
      { version: 'a"b' },
      { ok: true, query: 'x{v="a\\"b"}' },
    ],
    [
      'a placeholder without a value',
      'x{app="{{service}}",v="{{version}}"}',
      { environment: 'prod' },
      { ok: false, missing: ['service', 'version'] },
    ],
  ])('%s', (_name, query, subject, expected) => {
    expect(fillQuery(parse({ query, interval: '120s' }), subject)).toEqual(expected);
  });
});
