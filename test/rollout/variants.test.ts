import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { promote } from '../../src/core/pipeline.js';
import { runRolloutCommand, runTick } from '../../src/core/rollout-run.js';
import { parseState, type ServiceState, statePath } from '../../src/core/state.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { git, showFile, tempDir } from '../helpers/repo.js';
import { canaryOpenMetrics } from '../integration/helpers/canary-openmetrics.js';
import { type PrometheusServer, startPrometheus } from '../integration/helpers/prometheus-server.js';
import { buildAt, canaryConfigText, gitopsFiles, metricDeps, seedRepo, TRAFFIC_FILES } from './fixture.js';

// The canary variants end to end, each on a real git repository with its analysis judged by a
// `metric` gate against a real Prometheus (promtool backfill: 1.5.0 healthy, 1.6.0 failing for the
// last 20 minutes before END), and `kubectl kustomize` building every overlay each commit writes:
//   - `canary.warmup`: the first commit sets the canary image at weight 0, the first weight waits
//     for the warm-up (nothing analysed while the canary takes no traffic);
//   - `canary.path`: the canary workload in a separate overlay; its image and replicas are edited
//     there, the stable overlay only at the promotion;
//   - `onFailure: pause`: a failing analysis pauses instead of rolling back; abort then rolls back.

const END = new Date('2026-12-01T12:00:00Z'); // a Tuesday, clear of the fixture's weekend freeze
const before = (minutes: number) => new Date(END.getTime() - minutes * 60_000);
const PROD = 'apps/checkout/overlays/production';
const CANARY = 'apps/checkout/overlays/production-canary';

let server: PrometheusServer;

beforeAll(async () => {
  server = await startPrometheus(canaryOpenMetrics(END));
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

const metricGate = () => `  canary-metric:
    metric:
      prometheus: { url: "${server.url}" }
      query: sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 1m
      failureLimit: 2
`;

function config(canary: string, separateOverlay = false): Config {
  let text = canaryConfigText(['checkout'], 'gateway-api', canary, metricGate());
  if (separateOverlay)
    text = text.replace('image: "{{service}}-canary"', 'path: apps/{{service}}/overlays/production-canary');
  return parseConfig({ file: 'rollgate.yaml', text }, [], {});
}

/**
 * The canary workload in its own overlay: the stable overlay holds the stable Deployment, both
 * Services and the route; the canary overlay the canary Deployment, its image and its replicas.
 */
function separateOverlayFiles(): Record<string, string> {
  const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/checkout:latest
`;
  const service = (name: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: { app: ${name} }
  ports:
    - port: 80
`;
  return {
    'apps/checkout/base/deployment.yaml': deployment('checkout'),
    'apps/checkout/base/service.yaml': service('checkout'),
    'apps/checkout/base/service-canary.yaml': service('checkout-canary'),
    'apps/checkout/base/kustomization.yaml':
      'resources:\n  - deployment.yaml\n  - service.yaml\n  - service-canary.yaml\n',
    'apps/checkout/canary-base/deployment.yaml': deployment('checkout-canary'),
    'apps/checkout/canary-base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    [`${PROD}/traffic.yaml`]: TRAFFIC_FILES['gateway-api']('checkout'),
    [`${PROD}/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: checkout
resources:
  - ../../base
  - traffic.yaml

images:
  - name: ghcr.io/acme/checkout # the stable workload
    newTag: "1.4.0"
`,
    [`${CANARY}/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: checkout
resources:
  - ../../canary-base

replicas:
  - name: checkout-canary
    count: 0 # idle between rollouts

images:
  - name: ghcr.io/acme/checkout # the canary workload
    newTag: "1.4.0"
`,
  };
}

function request(version: string) {
  return {
    environment: 'production',
    services: ['checkout'],
    version: { tag: version },
    requestedBy: 'release-bot',
    source: 'https://github.com/acme/app/pull/7',
  };
}

describe('canary variants on a real git repository and a real Prometheus', () => {
  let root = '';
  let cleanup = async () => {};
  let close = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await close();
    await cleanup();
  });

  async function setup(files: Record<string, string>) {
    const { bare } = await seedRepo(root, files, '2026-11-30T12:00:00Z');
    const store = await openGitStore({ repository: bare, branch: 'main' });
    close = () => store.close();
    const deps = metricDeps(store);
    const state = async (): Promise<ServiceState> => {
      const parsed = parseState('s', await showFile(bare, statePath('production', 'checkout')));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      return parsed.state;
    };
    const weight = async () =>
      Number(
        /- name: checkout-canary\n\s+port: 80\n\s+weight: (\d+)/.exec(
          await showFile(bare, `${PROD}/traffic.yaml`),
        )?.[1],
      );
    const head = async () => (await git(bare, 'rev-parse', 'main')).trim();
    /** Every Deployment's image and replicas as kubectl kustomize renders the overlay at the head. */
    const rendered = async (overlay: string) => {
      const objects = (await buildAt(bare, root, overlay)) as {
        kind: string;
        metadata: { name: string };
        spec?: { replicas?: number; template?: { spec?: { containers?: { image: string }[] } } };
      }[];
      return Object.fromEntries(
        objects
          .filter((o) => o.kind === 'Deployment')
          .map((o) => [
            o.metadata.name,
            `${o.spec?.template?.spec?.containers?.[0]?.image ?? '?'} x${o.spec?.replicas ?? '?'}`,
          ]),
      );
    };
    return { bare, store, deps, state, weight, head, rendered };
  }

  it('warmup: the first commit sets the canary image at weight 0; the first weight waits for the warm-up, unanalysed', async () => {
    const w = await setup(gitopsFiles(['checkout'], 'gateway-api'));
    const cfg = config('steps: [5, 25, 50]\ninterval: 30m\nwarmup: 10m\nanalysis: [canary-metric]');
    const started = await promote(cfg, request('1.5.0'), { store: w.store, clock: () => before(100) });
    expect(started.kind).toBe('committed');
    expect((await git(w.bare, 'log', '-1', '--format=%s', 'main')).trim()).toBe(
      'start rollout of checkout 1.5.0 in production: step 0/3, weight 0%',
    );
    expect(await w.weight()).toBe(0);
    expect(await w.state()).toMatchObject({ rollout: { phase: 'progressing', step: 0, weight: 0 } });
    // The canary runs 1.5.0 (at the configured replicas) but takes no traffic yet.
    expect(await w.rendered(PROD)).toEqual({
      checkout: 'ghcr.io/acme/checkout:1.4.0 x4',
      'checkout-canary': 'ghcr.io/acme/checkout:1.5.0 x2',
    });

    const inWarmup = await runTick(cfg, w.deps(before(95)));
    expect(inWarmup.rollouts[0]?.action).toMatchObject({
      kind: 'wait',
      reasonCode: 'hold',
      nextEligibleAt: before(90).toISOString(),
    });
    expect(inWarmup.rollouts[0]?.analysis).toBeUndefined(); // nothing analysed at weight 0

    const first = await runTick(cfg, w.deps(before(89)));
    expect(first.rollouts[0]?.action).toMatchObject({ kind: 'step', step: 1, weight: 5 });
    expect(first.rollouts[0]?.analysis).toBeUndefined();
    expect(await w.weight()).toBe(5);
    await w.rendered(PROD);

    // The first weight's window is analysed on the real Prometheus: healthy, so the next step.
    const second = await runTick(cfg, w.deps(before(58)));
    expect(second.rollouts[0]?.action).toMatchObject({ kind: 'step', step: 2, weight: 25 });
    expect(second.rollouts[0]?.analysis?.summary).toMatch(/^canary-metric=pass \(successful \d+, failed 0,/);
    expect(await w.weight()).toBe(25);
    expect(await w.rendered(PROD)).toMatchObject({ 'checkout-canary': 'ghcr.io/acme/checkout:1.5.0 x2' });
  });

  it('canary.path: the canary overlay gets the version and the replicas; promote sets the stable overlay; every overlay builds', async () => {
    const w = await setup(separateOverlayFiles());
    const cfg = config('steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-metric]', true);
    expect((await promote(cfg, request('1.5.0'), { store: w.store, clock: () => before(100) })).kind).toBe(
      'committed',
    );
    expect(await git(w.bare, 'show', '--format=', '--name-only', 'main')).toBe(
      [`.rollgate/state/production/checkout.yaml`, `${PROD}/traffic.yaml`, `${CANARY}/kustomization.yaml`]
        .sort()
        .join('\n') + '\n',
    );
    expect(await w.rendered(CANARY)).toEqual({ 'checkout-canary': 'ghcr.io/acme/checkout:1.5.0 x2' });
    expect(await w.rendered(PROD)).toEqual({ checkout: 'ghcr.io/acme/checkout:1.4.0 x1' });

    const kinds: string[] = [];
    for (const minutes of [69, 38, 7]) {
      const report = await runTick(cfg, w.deps(before(minutes)));
      expect(report.exitCode).toBe(0);
      const action = report.rollouts[0]?.action;
      kinds.push(`${action?.kind}${action && 'weight' in action ? `:${action.weight}` : ''}`);
      await w.rendered(PROD);
      await w.rendered(CANARY);
    }
    expect(kinds).toEqual(['step:25', 'step:50', 'promote']);
    // The promotion: the stable overlay runs 1.5.0, the canary takes no traffic and scales to 0.
    expect(await w.rendered(PROD)).toEqual({ checkout: 'ghcr.io/acme/checkout:1.5.0 x1' });
    expect(await w.rendered(CANARY)).toEqual({ 'checkout-canary': 'ghcr.io/acme/checkout:1.5.0 x0' });
    expect(await w.weight()).toBe(0);
    expect(await w.state()).toMatchObject({
      version: '1.5.0',
      stable: '1.5.0',
      rollout: { phase: 'promoted' },
    });
  });

  it('canary.path: a failing canary rolls back in its own overlay; the stable overlay is never touched', async () => {
    const w = await setup(separateOverlayFiles());
    const cfg = config('steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-metric]', true);
    await promote(cfg, request('1.6.0'), { store: w.store, clock: () => before(60) });
    const stable = await showFile(w.bare, `${PROD}/kustomization.yaml`);
    expect((await runTick(cfg, w.deps(before(29)))).rollouts[0]?.action).toMatchObject({
      kind: 'step',
      weight: 25,
    });
    const failed = await runTick(cfg, w.deps(before(5)));
    expect(failed.rollouts[0]?.action).toMatchObject({ kind: 'rollback', reasonCode: 'analysis.failed' });
    expect(await git(w.bare, 'log', '-1', '--format=%B', 'main')).toContain('Rollgate-Hold: 1.6.0');
    expect(await showFile(w.bare, `${PROD}/kustomization.yaml`)).toBe(stable);
    expect(await w.rendered(CANARY)).toEqual({ 'checkout-canary': 'ghcr.io/acme/checkout:1.4.0 x0' });
    expect(await w.rendered(PROD)).toEqual({ checkout: 'ghcr.io/acme/checkout:1.4.0 x1' });
    expect(await w.weight()).toBe(0);
    expect(await w.state()).toMatchObject({
      version: '1.4.0',
      holds: [{ version: '1.6.0', reason: 'analysis.failed' }],
      rollout: { phase: 'rolled-back' },
    });
  });

  it('onFailure: pause: a failing analysis pauses (weight kept, no hold); the paused tick waits; abort rolls back', async () => {
    const w = await setup(gitopsFiles(['checkout'], 'gateway-api'));
    const cfg = config('steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-metric]\nonFailure: pause');
    await promote(cfg, request('1.6.0'), { store: w.store, clock: () => before(45) });
    const paused = await runTick(cfg, w.deps(END));
    expect(paused.exitCode).toBe(0);
    expect(paused.rollouts[0]?.action).toMatchObject({ kind: 'pause', reasonCode: 'analysis.failed' });
    expect(paused.rollouts[0]?.action.message).toContain('pausing (onFailure: pause)');
    expect(await git(w.bare, 'log', '-1', '--format=%B', 'main')).toMatch(
      /^pause rollout of checkout 1\.6\.0 in production[\s\S]*Rollgate-Phase: paused[\s\S]*Rollgate-Analysis: canary-metric=fail/,
    );
    expect(await w.weight()).toBe(5);
    expect(await w.state()).toMatchObject({
      rollout: { phase: 'paused', reason: 'analysis.failed', weight: 5 },
    });
    expect((await w.state()).holds).toBeUndefined();
    expect(await w.rendered(PROD)).toMatchObject({ 'checkout-canary': 'ghcr.io/acme/checkout:1.6.0 x2' });

    const head = await w.head();
    const again = await runTick(cfg, w.deps(END));
    expect(again.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'paused' });
    expect(await w.head()).toBe(head);

    const aborted = await runRolloutCommand(cfg, w.deps(END), {
      verb: 'abort',
      environment: 'production',
      services: [],
      requestedBy: 'oncall',
      source: 'test',
      reason: 'errors at 5%',
    });
    expect(aborted.exitCode).toBe(0);
    expect(await w.weight()).toBe(0);
    expect(await w.rendered(PROD)).toMatchObject({ 'checkout-canary': 'ghcr.io/acme/checkout:1.4.0 x0' });
    expect(await w.state()).toMatchObject({ holds: [{ version: '1.6.0' }], rollout: { phase: 'aborted' } });
  });
});
