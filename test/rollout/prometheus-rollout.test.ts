import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { type AnalysisWindow, type RolloutDeps, runTick } from '../../src/core/rollout-run.js';
import { formatState, parseState, type ServiceState, statePath } from '../../src/core/state.js';
import { fetchAnalysisInputs } from '../../src/facts/fetchers.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { git, showFile, tempDir } from '../helpers/repo.js';
import { canaryOpenMetrics } from '../integration/helpers/canary-openmetrics.js';
import { type PrometheusServer, startPrometheus } from '../integration/helpers/prometheus-server.js';
import { canaryConfig, gitopsFiles, seedRepo } from './fixture.js';

// The rollout engine on a real git repository with its analysis judged by a `metric` gate against a
// real Prometheus (promtool backfill): the healthy canary 1.5.0 steps, 1.6.0 (10% errors for the
// last 20 minutes) rolls back at once inside the hold, a version without data pauses at the end of
// the hold, and a Prometheus that is gone decides nothing (exit 3, no commit).

const END = new Date('2026-12-01T12:00:00Z'); // a Tuesday, clear of the fixture's weekend freeze
const before = (minutes: number) => new Date(END.getTime() - minutes * 60_000);

let server: PrometheusServer;

beforeAll(async () => {
  server = await startPrometheus(canaryOpenMetrics(END));
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

const metricGate = (url: string) => `  canary-metric:
    metric:
      prometheus: { url: "${url}" }
      query: sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 1m
      failureLimit: 2
`;

const config = (url = server.url) =>
  canaryConfig(
    ['checkout'],
    'gateway-api',
    'steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-metric]',
    metricGate(url),
  );

/** A rollout of `version` at step 1 (weight 5) whose window started at `windowStart`. */
function seeded(version: string, windowStart: Date): Record<string, string> {
  const state: ServiceState = {
    schema_version: 1,
    environment: 'production',
    service: 'checkout',
    version: '1.4.0',
    landedAt: '2026-11-30T12:00:00.000Z',
    stable: '1.4.0',
    rollout: {
      strategy: 'canary',
      version,
      phase: 'progressing',
      step: 1,
      steps: 3,
      weight: 5,
      windowStart: windowStart.toISOString(),
      startedAt: windowStart.toISOString(),
    },
  };
  const files = gitopsFiles(['checkout'], 'gateway-api');
  const k = 'apps/checkout/overlays/production/kustomization.yaml';
  files[k] = (files[k] ?? '').replace(
    '- name: checkout-canary\n    newName: ghcr.io/acme/checkout\n    newTag: "1.4.0"',
    `- name: checkout-canary\n    newName: ghcr.io/acme/checkout\n    newTag: "${version}"`,
  );
  const t = 'apps/checkout/overlays/production/traffic.yaml';
  files[t] = (files[t] ?? '')
    .replace('weight: 100 # stable', 'weight: 95 # stable')
    .replace('weight: 0', 'weight: 5');
  files[statePath('production', 'checkout')] = formatState(state);
  return files;
}

describe('a canary judged by a metric gate on a real Prometheus', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const windows: AnalysisWindow[] = [];
  async function setup(version: string, windowStart: Date) {
    const { bare } = await seedRepo(root, seeded(version, windowStart));
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const deps = (at: Date): RolloutDeps => ({
      store,
      clock: () => at,
      analysis: (gates, window, subject) => {
        windows.push(window);
        return fetchAnalysisInputs(gates, window, { ...subject, env: {} });
      },
    });
    const head = () => git(bare, 'rev-parse', 'main');
    return { bare, store, deps, head };
  }

  it('steps the healthy canary once the hold is over, its counts in the Rollgate-Analysis trailer', async () => {
    const { bare, store, deps } = await setup('1.5.0', before(40));
    try {
      windows.length = 0;
      const report = await runTick(config(), deps(before(5)));
      expect(report.exitCode).toBe(0);
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'step', step: 2, weight: 25 });
      // The window opens analysisDelay (1m) after the step's commit and ends at the decision time.
      expect(windows).toEqual([{ from: before(39), to: before(5) }]);
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toContain(
        'Rollgate-Analysis: canary-metric=pass (successful 35, failed 0, inconclusive 0, error 0)',
      );
      const state = parseState('s', await showFile(bare, statePath('production', 'checkout')));
      expect(state.ok && state.state.rollout).toMatchObject({ step: 2, weight: 25 });
    } finally {
      await store.close();
    }
  });

  it('rolls the failing canary back at once, inside the hold, with a hold on the version', async () => {
    const { bare, store, deps } = await setup('1.6.0', before(25));
    try {
      const report = await runTick(config(), deps(END));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'rollback', reasonCode: 'analysis.failed' });
      const k = await showFile(bare, 'apps/checkout/overlays/production/kustomization.yaml');
      expect(k).toContain('- name: checkout-canary\n    newName: ghcr.io/acme/checkout\n    newTag: "1.4.0"');
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toContain('Rollgate-Hold: 1.6.0');
      expect(message).toMatch(/Rollgate-Analysis: canary-metric=fail \(successful \d+, failed (19|20|21), /);
      const state = parseState('s', await showFile(bare, statePath('production', 'checkout')));
      expect(state.ok && state.state).toMatchObject({
        version: '1.4.0',
        holds: [{ version: '1.6.0', reason: 'analysis.failed' }],
        rollout: { phase: 'rolled-back', weight: 0 },
      });
    } finally {
      await store.close();
    }
  });

  it('keeps the same canary stepping over a window that ended before the failure began', async () => {
    const { store, deps } = await setup('1.6.0', before(60));
    try {
      const report = await runTick(config(), deps(before(25)));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'step', weight: 25 });
    } finally {
      await store.close();
    }
  });

  it('waits inside the hold without data, then pauses at its end: inconclusive, never a rollback', async () => {
    const { bare, store, deps, head } = await setup('9.9.9', before(40));
    try {
      const start = await head();
      const inHold = await runTick(config(), deps(before(20)));
      expect(inHold.rollouts[0]?.action.kind).toBe('wait');
      expect(await head()).toBe(start);
      const report = await runTick(config(), deps(END));
      expect(report.exitCode).toBe(0);
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'pause', reasonCode: 'analysis.no-data' });
      const state = parseState('s', await showFile(bare, statePath('production', 'checkout')));
      expect(state.ok && state.state.rollout).toMatchObject({ phase: 'paused', weight: 5 });
      expect(state.ok && state.state.holds).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('a Prometheus that is gone decides nothing: no step, no rollback, exit 3', async () => {
    // Runs last: stops the server this file started.
    const url = server.url;
    await server.stop();
    const { store, deps, head } = await setup('1.6.0', before(40));
    try {
      const start = await head();
      const report = await runTick(config(url), deps(END));
      expect(report.exitCode).toBe(3);
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'analysis.error' });
      expect(await head()).toBe(start);
    } finally {
      await store.close();
    }
  });
});
