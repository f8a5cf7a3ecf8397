import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { analysisOutcome } from '../../src/core/rollout.js';
import { decide } from '../../src/core/decide.js';
import type { Facts, PromotionRequest, Verdict } from '../../src/core/types.js';
import type { AnalysisWindow } from '../../src/core/rollout-run.js';
import { fetchAnalysisInputs, gateInputsFor } from '../../src/facts/fetchers.js';
import { metricSchema } from '../../src/gates/metric-schema.js';
import { GATE_KINDS } from '../../src/gates/registry.js';
import { type PrometheusServer, startPrometheus } from './helpers/prometheus-server.js';
import { canaryOpenMetrics, END, FAILING_FROM, TRAFFIC_FROM } from './helpers/canary-openmetrics.js';

// The metric gate against a real Prometheus, backfilled by promtool with a healthy canary (1.5.0),
// one that starts failing 20 minutes before END (1.6.0) and one serving only for the last 10
// minutes (1.7.0). Counts must be what Prometheus's own range query gives, point by point.

let server: PrometheusServer;
const env = (): Record<string, string> => ({ PROMETHEUS_URL: server.url });

beforeAll(async () => {
  server = await startPrometheus(canaryOpenMetrics());
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

const QUERY =
  'sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}",code=~"5.."}[{{interval}}]))' +
  ' / sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}"}[{{interval}}]))';
const MAX = 0.01;

const gate = (extra: Record<string, unknown> = {}) => ({
  name: 'canary-errors',
  kind: 'metric',
  config: metricSchema.parse({
    prometheus: { url: '${PROMETHEUS_URL}' },
    query: QUERY,
    thresholdRange: { max: MAX },
    interval: '1m',
    failureLimit: 2,
    ...extra,
  }),
});

const request = (version: string): PromotionRequest => ({
  environment: 'production',
  services: ['checkout'],
  version: { tag: version },
  requestedBy: 'alice',
  source: 'test',
});

/** A gate judged as the rollout engine judges analysis: its verdict and what it means for the canary. */
function judge(g: { name: string; kind: string; config: unknown }, version: string, facts: Facts) {
  const kind = GATE_KINDS[g.kind];
  if (kind === undefined) throw new Error(g.kind);
  const verdict: Verdict = kind.evaluate(g.name, g.config, { request: request(version), facts });
  return { ...verdict, analysis: analysisOutcome(verdict) };
}

const HOUR: AnalysisWindow = { from: new Date(END.getTime() - 60 * 60_000), to: END };

async function analyse(
  version: string,
  window: AnalysisWindow = HOUR,
  g = gate(),
  environment: Record<string, string> = env(),
): Promise<ReturnType<typeof judge>> {
  const gateInputs = await fetchAnalysisInputs([g], window, {
    environment: 'production',
    service: 'checkout',
    version,
    env: environment,
  });
  const facts: Facts = { now: window.to, history: [], running: {}, gateInputs };
  return judge(g, version, facts);
}

/** Prometheus's own answer to the filled-in range query, judged point by point without rollgate. */
async function ownCounts(version: string, window: AnalysisWindow) {
  const query = QUERY.replaceAll('{{service}}', 'checkout')
    .replaceAll('{{environment}}', 'production')
    .replaceAll('{{version}}', version)
    .replaceAll('{{interval}}', '1m');
  const response = await fetch(`${server.url}/api/v1/query_range`, {
    method: 'POST',
    body: new URLSearchParams({
      query,
      start: String(window.from.getTime() / 1000),
      end: String(window.to.getTime() / 1000),
      step: '60',
    }),
  });
  const json = (await response.json()) as { data: { result: { values: [number, string][] }[] } };
  const values = (json.data.result[0]?.values ?? []).map(([, v]) => Number(v));
  const points = Math.floor((window.to.getTime() - window.from.getTime()) / 60_000) + 1;
  const judged = values.filter((v) => !Number.isNaN(v));
  return {
    successful: judged.filter((v) => v <= MAX).length,
    failed: judged.filter((v) => v > MAX).length,
    inconclusive: points - judged.length,
    error: 0,
  };
}

describe('metric gate as analysis: a range query over the window', () => {
  it('passes the healthy canary, every point within the range', async () => {
    const verdict = await analyse('1.5.0');
    expect(verdict).toMatchObject({ outcome: 'pass', reasonCode: 'metric.pass', analysis: 'pass' });
    expect(verdict.details.counts).toEqual({ successful: 61, failed: 0, inconclusive: 0, error: 0 });
    expect(verdict.details.counts).toEqual(await ownCounts('1.5.0', HOUR));
    expect(verdict.details).toMatchObject({
      mode: 'range',
      window: { from: HOUR.from.toISOString(), to: END.toISOString(), step: '1m', points: 61 },
      prometheus: '${PROMETHEUS_URL}',
      results: [
        {
          service: 'checkout',
          query: expect.stringContaining('version="1.5.0"'),
        },
      ],
    });
    expect(verdict.reason).toBe('61 of 61 points at most 0.01, 0 outside (failureLimit 2)');
  });

  it('fails the canary that starts failing, with the counts Prometheus itself gives', async () => {
    const verdict = await analyse('1.6.0');
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'metric.fail', analysis: 'fail' });
    const counts = verdict.details.counts as { failed: number; successful: number };
    expect(counts).toEqual(await ownCounts('1.6.0', HOUR));
    // 20 failing minutes, give or take the point whose 1m rate window straddles the change.
    expect(counts.failed).toBeGreaterThanOrEqual(19);
    expect(counts.failed).toBeLessThanOrEqual(21);
    expect(counts.successful + counts.failed).toBe(61);
    expect(verdict.reason).toMatch(
      /^\d+ of 61 points not at most 0\.01 \(failureLimit 2; first 0\.1 at 2026-11-01T11:4\d:00\.000Z\)$/,
    );
  });

  it('passes the same canary over a window that ends before the failure', async () => {
    const window = { from: new Date(FAILING_FROM.getTime() - 30 * 60_000), to: FAILING_FROM };
    const verdict = await analyse('1.6.0', window);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.details.counts).toEqual({ successful: 31, failed: 0, inconclusive: 0, error: 0 });
  });

  it('fails only once more than failureLimit points are outside', async () => {
    // From FAILING_FROM - 1m to FAILING_FROM + 2m: at most three points can be outside.
    const window = {
      from: new Date(FAILING_FROM.getTime() - 60_000),
      to: new Date(FAILING_FROM.getTime() + 120_000),
    };
    const own = await ownCounts('1.6.0', window);
    const lenient = await analyse('1.6.0', window, gate({ failureLimit: own.failed }));
    const strict = await analyse('1.6.0', window, gate({ failureLimit: own.failed - 1 }));
    expect(own.failed).toBeGreaterThanOrEqual(1);
    expect(lenient.outcome).toBe('pass');
    expect(strict.outcome).toBe('fail');
    expect(lenient.details.counts).toEqual(own);
  });

  it('counts the steps before a canary served traffic as inconclusive, and passes on the rest', async () => {
    const verdict = await analyse('1.7.0');
    const counts = verdict.details.counts as { successful: number; inconclusive: number };
    expect(verdict.outcome).toBe('pass');
    expect(counts).toEqual(await ownCounts('1.7.0', HOUR));
    expect(counts.successful).toBeGreaterThanOrEqual(9);
    expect(counts.inconclusive).toBe(61 - counts.successful);
    expect(verdict.reason).toContain(`without data`);
  });

  it('is inconclusive when the version has no data at all, or as onNoData says', async () => {
    const verdict = await analyse('9.9.9');
    expect(verdict).toMatchObject({
      outcome: 'warn',
      reasonCode: 'metric.no-data',
      analysis: 'inconclusive',
    });
    expect(verdict.details).toMatchObject({
      inconclusive: true,
      counts: { successful: 0, failed: 0, inconclusive: 61, error: 0 },
    });
    expect((await analyse('9.9.9', HOUR, gate({ onNoData: 'fail' }))).analysis).toBe('fail');
    expect((await analyse('9.9.9', HOUR, gate({ onNoData: 'pass' }))).analysis).toBe('pass');
    // A window before the canary served traffic is no data too.
    const before = { from: new Date(TRAFFIC_FROM.getTime() - 30 * 60_000), to: TRAFFIC_FROM };
    expect((await analyse('1.7.0', before)).analysis).toBe('inconclusive');
  });

  it("turns Prometheus's refusal of the query into an error, never a pass or a rollback", async () => {
    const verdict = await analyse(
      '1.5.0',
      HOUR,
      gate({ query: 'sum(rate(http_requests_total[{{interval}}]) by (' }),
    );
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'metric.error', analysis: 'error' });
    expect(verdict.reason).toMatch(/Prometheus bad_data error/);
    expect(verdict.details.counts).toEqual({ successful: 0, failed: 0, inconclusive: 0, error: 1 });
  });

  it('judges an slo gate used as analysis as at promotion, at the end of the window', async () => {
    const slo = {
      name: 'canary-slo',
      kind: 'slo',
      config: parseConfig(
        {
          file: 'rollgate.yaml',
          text: `version: 1
gitops: { repository: acme/gitops }
services: { checkout: {} }
environments: { production: { path: "p/{{service}}" } }
gates:
  canary-slo:
    slo:
      prometheus: { url: "\${PROMETHEUS_URL}" }
      objective: 99
      period: 10m
      burnRates: none
      ratio: sum(rate(http_requests_total{version="1.6.0",code="500"}[{{window}}])) / sum(rate(http_requests_total{version="1.6.0"}[{{window}}]))
`,
        },
        [],
        env(),
      ).gates['canary-slo']?.config,
    };
    const judgeAt = async (to: Date) => {
      const window = { from: new Date(to.getTime() - 30 * 60_000), to };
      const gateInputs = await fetchAnalysisInputs([slo], window, {
        environment: 'production',
        service: 'checkout',
        version: '1.6.0',
        env: env(),
      });
      expect(gateInputs['canary-slo']).toMatchObject({ kind: 'slo-samples', at: to.toISOString() });
      return judge(slo, '1.6.0', { now: to, history: [], running: {}, gateInputs });
    };
    expect((await judgeAt(FAILING_FROM)).analysis).toBe('pass');
    expect((await judgeAt(END)).analysis).toBe('fail');
  });
});

describe('metric gate as a promotion gate: the instant value at the decision time', () => {
  const config = (environment: Record<string, string>) =>
    parseConfig(
      {
        file: 'rollgate.yaml',
        text: `version: 1
gitops: { repository: acme/gitops }
services: { checkout: {} }
environments:
  production: { path: "p/{{service}}", gates: [canary-errors] }
gates:
  canary-errors:
    metric:
      prometheus: { url: "\${PROMETHEUS_URL}" }
      query: '${QUERY}'
      thresholdRange: { max: ${MAX} }
`,
      },
      [],
      environment,
    );

  async function decision(version: string, at: Date, environment = env()) {
    const req = request(version);
    const loaded = config(environment);
    const { gateInputs } = await gateInputsFor(loaded, 'production', { env: environment })(at, req);
    return decide(loaded, req, { now: at, history: [], running: {}, gateInputs });
  }

  it('allows the healthy canary and denies the failing one at END, allows it before the failure', async () => {
    expect((await decision('1.5.0', END)).allowed).toBe(true);
    const failing = await decision('1.6.0', END);
    expect(failing.allowed).toBe(false);
    expect(failing.verdicts[0]).toMatchObject({
      reasonCode: 'metric.fail',
      reason: 'value 0.1 is not at most 0.01',
    });
    expect((await decision('1.6.0', FAILING_FROM)).allowed).toBe(true);
  });

  it('lets a promotion through with a warning on no data, inconclusive', async () => {
    const result = await decision('9.9.9', END);
    expect(result.allowed).toBe(true);
    expect(result.verdicts[0]).toMatchObject({
      outcome: 'warn',
      reasonCode: 'metric.no-data',
      details: { inconclusive: true },
    });
  });

  it('blocks with an error when Prometheus is down, naming the URL as configured, not as expanded', async () => {
    // Runs last: stops the server this file started (a real Prometheus gone, not a made-up port).
    const url = server.url;
    await server.stop();
    const secretish = { PROMETHEUS_URL: url.replace('http://', 'http://user:s3cret@') };
    const down = (await decision('1.5.0', END, secretish)).verdicts[0];
    expect(down).toMatchObject({ outcome: 'fail', reasonCode: 'metric.error', details: { error: true } });
    expect(down?.reason).toContain('cannot reach ${PROMETHEUS_URL}/api/v1/query');
    expect(JSON.stringify(down)).not.toContain('s3cret');
    const analysis = await analyse('1.5.0', HOUR, gate(), secretish);
    expect(analysis).toMatchObject({ reasonCode: 'metric.error', analysis: 'error' });
    expect(analysis.reason).toContain('cannot reach ${PROMETHEUS_URL}/api/v1/query_range');
    expect(JSON.stringify(analysis)).not.toContain('s3cret');
  });
});
