import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../../src/core/errors.js';

// Gate config mistakes reach the user as config errors at file:line:col, through the loader that
// `rollgate validate` runs: the kind's schema and its check() both name the sub-path.

const head = `version: 1
gitops: { repository: acme/gitops }
services:
  checkout: {}
environments:
  production: { path: "apps/{{service}}/production" }
gates:
`;

function problemsOf(gates: string): ConfigProblem[] {
  try {
    parseConfig({ file: 'policies/gates.yaml', text: head + gates }, [], {});
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('gate config mistakes are config errors with a position', () => {
  it.each([
    [
      'a bad cron',
      `  weekend:
    freeze:
      windows:
        - { start: "0 16 * * FRY", end: "0 8 * * MON", timezone: Europe/Berlin }
`,
      { line: 11, path: 'gates.weekend.freeze.windows[0].start', message: /bad cron "0 16 \* \* FRY"/ },
    ],
    [
      'a hashed cron field',
      `  weekend:
    freeze:
      windows:
        - { start: "H 16 * * THU", end: "0 8 * * MON", timezone: Europe/Berlin }
`,
      {
        line: 11,
        path: 'gates.weekend.freeze.windows[0].start',
        message: /cron "H 16 \* \* THU" has an H \(hashed\) field/,
      },
    ],
    [
      'an unknown zone',
      `  weekend:
    freeze:
      windows:
        - start: "0 16 * * FRI"
          end: "0 8 * * MON"
          timezone: Europe/Berln
`,
      {
        line: 13,
        path: 'gates.weekend.freeze.windows[0].timezone',
        message: /unknown time zone "Europe\/Berln"/,
      },
    ],
    [
      'a negative duration',
      `  bake-1h: { bake: -1h }
`,
      { line: 8, path: 'gates.bake-1h.bake', message: /a duration such as 1h, 24h, 2d, got "-1h"/ },
    ],
    [
      'a negative freeze duration',
      `  nightly:
    freeze:
      windows:
        - start: "0 2 * * *"
          duration: -2h
`,
      { line: 12, path: 'gates.nightly.freeze.windows[0].duration', message: /got "-2h"/ },
    ],
    [
      'objective 100',
      `  checkout-slo:
    slo:
      prometheus: { url: "http://prometheus:9090" }
      objective: 100
      ratio: sum(rate(e[{{window}}])) / sum(rate(t[{{window}}]))
`,
      {
        line: 11,
        path: 'gates.checkout-slo.slo.objective',
        message: /objective 100 must be above 0 and below 100/,
      },
    ],
    [
      'an slo query without {{window}}',
      `  checkout-slo:
    slo:
      prometheus: { url: "http://prometheus:9090" }
      objective: 99.9
      errors: sum(rate(e[5m]))
      total: sum(rate(t[{{window}}]))
`,
      { line: 12, path: 'gates.checkout-slo.slo.errors', message: /no \{\{window\}\} placeholder/ },
    ],
    [
      'a custom burn-rate pair with the windows swapped',
      `  checkout-slo:
    slo:
      prometheus: { url: "http://prometheus:9090" }
      objective: 99.9
      ratio: r[{{window}}]
      burnRates:
        - { long: 5m, short: 1h, factor: 14.4 }
`,
      { line: 14, path: 'gates.checkout-slo.slo.burnRates[0].short', message: /must be shorter/ },
    ],
    [
      'approvals count 0',
      `  approvals-0:
    approvals:
      count: 0
`,
      { line: 10, path: 'gates.approvals-0.approvals.count', message: /at least 1/ },
    ],
    [
      'a check both required and ignored',
      `  green:
    checks: { required: [build, lint], ignore: [lint] }
`,
      { line: 9, path: 'gates.green.checks.required[1]', message: /both required and ignored/ },
    ],
    [
      'a metric gate without a threshold',
      `  canary-errors:
    metric:
      prometheus: { url: "http://prometheus:9090" }
      query: sum(rate(e[{{interval}}]))
      thresholdRange: {}
`,
      { line: 12, path: 'gates.canary-errors.metric.thresholdRange', message: /needs min, max or both/ },
    ],
    [
      'a metric range with min above max',
      `  canary-latency:
    metric:
      prometheus: { url: "http://prometheus:9090" }
      query: histogram_quantile(0.99, sum by (le) (rate(b[{{interval}}])))
      thresholdRange:
        min: 2
        max: 0.5
`,
      { line: 13, path: 'gates.canary-latency.metric.thresholdRange.min', message: /min 2 is above max 0.5/ },
    ],
    [
      'a metric query with an unknown placeholder',
      `  canary-errors:
    metric:
      prometheus: { url: "http://prometheus:9090" }
      query: sum(rate(e{app="{{app}}"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
`,
      {
        line: 11,
        path: 'gates.canary-errors.metric.query',
        message: /unknown placeholder \{\{app\}\}.*\{\{service\}\}/,
      },
    ],
    [
      'a metric interval of zero',
      `  canary-errors:
    metric:
      prometheus: { url: "http://prometheus:9090" }
      query: sum(rate(e[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 0m
`,
      { line: 13, path: 'gates.canary-errors.metric.interval', message: /0m must be more than zero/ },
    ],
    [
      'a metric failureLimit below zero',
      `  canary-errors:
    metric:
      prometheus: { url: "http://prometheus:9090" }
      query: q
      thresholdRange: { max: 0.01 }
      failureLimit: -1
`,
      { line: 13, path: 'gates.canary-errors.metric.failureLimit', message: /./ },
    ],
    [
      'a metric onNoData outside the list',
      `  canary-errors:
    metric:
      prometheus: { url: "http://prometheus:9090" }
      query: q
      thresholdRange: { max: 0.01 }
      onNoData: warn
`,
      { line: 13, path: 'gates.canary-errors.metric.onNoData', message: /inconclusive/ },
    ],
    [
      'a metric Prometheus URL without a scheme',
      `  canary-errors:
    metric:
      prometheus: { url: "prometheus:9090" }
      query: q
      thresholdRange: { max: 0.01 }
`,
      { line: 10, path: 'gates.canary-errors.metric.prometheus.url', message: /must start with http/ },
    ],
  ])('%s', (_name, gates, expected) => {
    const problems = problemsOf(gates);
    const found = problems.find((p) => p.path.startsWith(expected.path));
    expect(found, JSON.stringify(problems)).toBeDefined();
    expect(found?.file).toBe('policies/gates.yaml');
    expect(found?.line).toBe(expected.line);
    expect(found?.col).toBeGreaterThan(0);
    expect(found?.message).toMatch(expected.message);
  });
});
