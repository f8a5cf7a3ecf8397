import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facts, PromotionRequest, Verdict } from '../../src/core/types.js';
import { fetchSloSamples } from '../../src/facts/fetchers.js';
import { sloSchema, type SloConfig } from '../../src/gates/slo-schema.js';
import { sloGate } from '../../src/gates/slo.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus-server.js';
import { END, SLOTH_RATIOS, sloOpenMetrics } from './helpers/slo-openmetrics.js';
import { parseConfig } from '../../src/config/load.js';
import { run } from '../../src/cli/main.js';
import { exampleGitOps, tempDir } from '../helpers/repo.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decide } from '../../src/core/decide.js';
import { decisionSchema } from '../../src/core/decision-schema.js';
import { fetchGateInputs } from '../../src/facts/fetchers.js';

// A real Prometheus, backfilled with 31 days of counters by promtool. The gate's figures must be
// what Prometheus itself computes for the same expressions, to 1e-9.

let server: PrometheusServer;

beforeAll(async () => {
  server = await startPrometheus(sloOpenMetrics());
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1.2.0' },
  requestedBy: 'alice',
  source: 'test',
};

function config(job: string, extra: Partial<Record<string, unknown>> = {}): SloConfig {
  return sloSchema.parse({
    prometheus: { url: server.url, timeout: '30s' },
    objective: 99.9,
    period: '30d',
    errors: `sum(rate(http_requests_total{job="${job}",code=~"5.."}[{{window}}]))`,
    total: `sum(rate(http_requests_total{job="${job}"}[{{window}}]))`,
    minBudgetRemaining: '25%',
    burnRates: 'workbook',
    ...extra,
  });
}

async function evaluate(cfg: SloConfig, at = END): Promise<Verdict> {
  const samples = await fetchSloSamples('slo', cfg, { now: at, env: {} });
  const facts: Facts = { now: at, history: [], running: {}, gateInputs: { slo: samples } };
  return sloGate.evaluate('slo', cfg, { request, facts });
}

/** Asks Prometheus itself for one number at END. */
async function promScalar(query: string): Promise<number> {
  const response = await fetch(`${server.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query, time: String(END.getTime() / 1000) }),
  });
  const json = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  const value = json.data.result[0]?.value[1];
  if (value === undefined) throw new Error(`no result for ${query}`);
  return Number(value);
}

const burnQuery = (job: string, window: string) =>
  `(sum(rate(http_requests_total{job="${job}",code=~"5.."}[${window}])) / sum(rate(http_requests_total{job="${job}"}[${window}]))) / (1 - 99.9 / 100)`;

type Pair = {
  long: { window: string; burnRate: number };
  short: { window: string; burnRate: number };
  factor: number;
  burning: boolean;
};

describe.each(['healthy', 'burning'])('slo gate against a real Prometheus: %s service', (job) => {
  it("equals Prometheus's own burn rates and budget to 1e-9", async () => {
    const verdict = await evaluate(config(job));
    const details = verdict.details as { budgetRemaining: number; burnRates: Pair[] };
    const remaining = await promScalar(`1 - ${burnQuery(job, '30d')}`);
    expect(Math.abs(details.budgetRemaining - remaining)).toBeLessThan(1e-9);
    expect(details.burnRates.map((p) => [p.long.window, p.short.window, p.factor])).toEqual([
      ['1h', '5m', 14.4],
      ['6h', '30m', 6],
      ['3d', '6h', 1],
    ]);
    for (const pair of details.burnRates) {
      for (const side of [pair.long, pair.short]) {
        const expected = await promScalar(burnQuery(job, side.window));
        expect(Math.abs(side.burnRate - expected), `${job} ${side.window}`).toBeLessThan(1e-9);
      }
    }
  });
});

describe('slo gate verdicts on a real Prometheus', () => {
  it('passes the healthy service with its budget and burn rates in the reason', async () => {
    const verdict = await evaluate(config('healthy'));
    expect(verdict).toMatchObject({ outcome: 'pass', reasonCode: 'slo.ok' });
    const details = verdict.details as { budgetRemaining: number; burnRates: Pair[] };
    // The generator fails ~1.33 of ~6300 requests a minute: about 0.21x, ~79% of the budget left.
    expect(details.budgetRemaining).toBeGreaterThan(0.75);
    expect(details.budgetRemaining).toBeLessThan(0.82);
    expect(details.burnRates.every((p) => !p.burning)).toBe(true);
    expect(verdict.reason).toContain('of the error budget left over 30d');
  });

  it('fails the burning service on all three workbook pairs and says when the budget is gone', async () => {
    const verdict = await evaluate(config('burning'));
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'slo.burn-rate' });
    const details = verdict.details as {
      budgetRemaining: number;
      burnRates: Pair[];
      budgetExhaustedIn: { ms: number; rateWindow: string };
    };
    expect(details.burnRates.map((p) => p.burning)).toEqual([true, true, true]);
    // ~3% failing in the last 3 hours: about 29x over 1h.
    expect(details.burnRates[0]?.long.burnRate).toBeGreaterThan(25);
    expect(details.burnRates[0]?.long.burnRate).toBeLessThan(33);
    expect(details.budgetExhaustedIn.rateWindow).toBe('1h');
    expect(details.budgetExhaustedIn.ms).toBeCloseTo(
      (details.budgetRemaining * 30 * 86_400_000) / (details.burnRates[0]?.long.burnRate ?? 1),
      0,
    );
    expect(verdict.reason).toMatch(/burning the budget [\d.]+x over 1h and [\d.]+x over 5m \(limit 14\.4x\)/);
  });

  it('passes the burning service three hours earlier, before the burn began', async () => {
    const verdict = await evaluate(config('burning'), new Date(END.getTime() - 3 * 3_600_000 - 600_000));
    expect(verdict).toMatchObject({ outcome: 'pass', reasonCode: 'slo.ok' });
  });

  it('fails on the budget minimum when the burn-rate pairs are turned off', async () => {
    const verdict = await evaluate(config('burning', { burnRates: 'none', minBudgetRemaining: '50%' }));
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'slo.budget-low' });
    expect(verdict.reason).toMatch(/% of the error budget left over 30d, below the minimum 50%/);
  });

  it('gives the same figures from one `ratio` query as from errors/total', async () => {
    const split = await evaluate(config('burning'));
    const ratio = await evaluate(
      config('burning', {
        errors: undefined,
        total: undefined,
        ratio:
          'sum(rate(http_requests_total{job="burning",code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{job="burning"}[{{window}}]))',
      }),
    );
    const a = split.details as { budgetRemaining: number; burnRates: Pair[] };
    const b = ratio.details as { budgetRemaining: number; burnRates: Pair[] };
    expect(Math.abs(a.budgetRemaining - b.budgetRemaining)).toBeLessThan(1e-9);
    a.burnRates.forEach((pair, i) => {
      expect(Math.abs(pair.long.burnRate - (b.burnRates[i]?.long.burnRate ?? NaN))).toBeLessThan(1e-9);
      expect(Math.abs(pair.short.burnRate - (b.burnRates[i]?.short.burnRate ?? NaN))).toBeLessThan(1e-9);
    });
  });

  it('fails with no data for a service Prometheus has never seen, or warns when onNoData says so', async () => {
    const fail = await evaluate(config('nobody'));
    expect(fail).toMatchObject({ outcome: 'fail', reasonCode: 'slo.no-data' });
    expect(fail.reason).toContain('30d total: no samples');
    const warn = await evaluate(config('nobody', { onNoData: 'warn' }));
    expect(warn).toMatchObject({ outcome: 'warn', reasonCode: 'slo.no-data' });
  });

  it("turns Prometheus's error envelope into the reason", async () => {
    const verdict = await evaluate(
      config('healthy', { errors: 'sum(rate(http_requests_total{job="healthy"[{{window}}]))' }),
    );
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'slo.no-data' });
    expect(verdict.reason).toMatch(/Prometheus bad_data error for `sum\(rate\(http_requests_total/);
  });

  it('fails with the reason when Prometheus cannot be reached', async () => {
    const verdict = await evaluate(
      sloSchema.parse({ ...config('healthy'), prometheus: { url: 'http://127.0.0.1:1' } }),
    );
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'slo.no-data' });
    expect(verdict.reason).toContain('cannot reach http://127.0.0.1:1/api/v1/query');
  });

  it("reads Sloth's recording rules and matches Prometheus's own figures", async () => {
    const cfg = sloSchema.parse({
      prometheus: { url: server.url },
      objective: 99.9,
      sloth: { service: 'search', slo: 'requests-availability' },
    });
    const verdict = await evaluate(cfg);
    expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'slo.burn-rate' });
    const details = verdict.details as { budgetRemaining: number; burnRates: Pair[] };
    expect(details.burnRates.map((p) => p.burning)).toEqual([false, true, false]);
    const sel = '{sloth_service="search",sloth_slo="requests-availability"}';
    expect(
      Math.abs(
        details.budgetRemaining -
          (await promScalar(`1 - slo:sli_error:ratio_rate30d${sel} / (1 - 99.9 / 100)`)),
      ),
    ).toBeLessThan(1e-9);
    for (const pair of details.burnRates) {
      for (const side of [pair.long, pair.short]) {
        const expected = await promScalar(`slo:sli_error:ratio_rate${side.window}${sel} / (1 - 99.9 / 100)`);
        expect(Math.abs(side.burnRate - expected), side.window).toBeLessThan(1e-9);
        expect(side.burnRate).toBeCloseTo((SLOTH_RATIOS[side.window] ?? NaN) / 0.001, 9);
      }
    }
  });

  it('makes a whole decision from a config file, fetching gate inputs once, that validates against the schema', async () => {
    const config = parseConfig(
      {
        file: 'rollgate.yaml',
        text: `version: 1
gitops: { repository: acme/gitops }
services:
  checkout: {}
environments:
  production:
    path: "apps/{{service}}/production"
    gates: [healthy-slo, burning-slo]
gates:
  healthy-slo:
    slo:
      prometheus: { url: "\${PROM_URL}" }
      objective: 99.9
      errors: sum(rate(http_requests_total{job="healthy",code=~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total{job="healthy"}[{{window}}]))
  burning-slo:
    slo:
      prometheus: { url: "\${PROM_URL}" }
      objective: 99.9
      ratio: sum(rate(http_requests_total{job="burning",code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{job="burning"}[{{window}}]))
`,
      },
      [],
      { PROM_URL: server.url },
    );
    const gates = (config.environments.production?.gates ?? []).map((name) => {
      const gate = config.gates[name];
      if (gate === undefined) throw new Error(name);
      return gate;
    });
    const gateInputs = await fetchGateInputs(gates, { now: END, env: { PROM_URL: server.url } });
    const decision = decide(config, request, { now: END, history: [], running: {}, gateInputs });
    expect(decision.verdicts.map((v) => [v.gate, v.reasonCode])).toEqual([
      ['healthy-slo', 'slo.ok'],
      ['burning-slo', 'slo.burn-rate'],
    ]);
    expect(decision.allowed).toBe(false);
    const printed = JSON.parse(JSON.stringify(decision)) as unknown;
    expect(decisionSchema.safeParse(printed).error?.issues ?? []).toEqual([]);
  });
});

describe('rollgate check --json with an slo gate', () => {
  it('queries Prometheus at --at and prints the verdict with the same figures, exit 1 when burning', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      // Committed before END: --at may not go before the GitOps head (the gates read today's history).
      const bare = await exampleGitOps(dir, '2026-10-31T12:00:00Z');
      const file = join(dir, 'rollgate.yaml');
      await writeFile(
        file,
        `version: 1
gitops: { repository: acme/gitops }
services:
  checkout: { image: ghcr.io/acme/checkout }
environments:
  dev:
    path: apps/{{service}}/overlays/dev
    gates: [checkout-slo]
gates:
  checkout-slo:
    slo:
      prometheus: { url: "\${PROM_URL}" }
      objective: 99.9
      errors: sum(rate(http_requests_total{job="burning",code=~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total{job="burning"}[{{window}}]))
`,
      );
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(
        [
          'check',
          'dev',
          '--service',
          'checkout',
          '--version',
          '1.4.0',
          '--at',
          END.toISOString(),
          '--json',
          '--config',
          file,
          '--gitops',
          bare,
          '--requested-by',
          'ana',
        ],
        { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { PROM_URL: server.url }, cwd: dir },
      );
      expect(err.join('\n')).toBe('');
      expect(code).toBe(1);
      const decision = decisionSchema.parse(JSON.parse(out.join('\n')));
      const verdict = decision.verdicts.find((v) => v.gate === 'checkout-slo');
      expect(verdict).toMatchObject({ outcome: 'fail', reasonCode: 'slo.burn-rate' });
      const direct = await evaluate(config('burning', { minBudgetRemaining: undefined }));
      expect(verdict?.details).toEqual(JSON.parse(JSON.stringify(direct.details)));
    } finally {
      await cleanup();
    }
  });
});
