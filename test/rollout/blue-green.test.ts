import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { promote } from '../../src/core/pipeline.js';
import { runRolloutCommand, runTick } from '../../src/core/rollout-run.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { git, showFile, tempDir } from '../helpers/repo.js';
import { canaryOpenMetrics } from '../integration/helpers/canary-openmetrics.js';
import { type PrometheusServer, startPrometheus } from '../integration/helpers/prometheus-server.js';
import {
  type BlueGreenTraffic,
  blueGreenConfig,
  blueGreenConfigText,
  blueGreenFiles,
  changedFiles,
  state,
  workloads,
} from './blue-green-fixture.js';
import { buildAt, metricDeps, seedRepo } from './fixture.js';

// Blue-green end to end: real git, analysis by a `metric` gate against a real Prometheus (promtool
// backfill: 1.5.0 healthy, 1.6.0 failing for the last 20 minutes), every overlay written built by
// kubectl kustomize. A promotion deploys to the idle colour and previews it, one commit switches,
// the verify and the scale-down delay end in one scale-down commit; a failure in the preview rolls
// the idle colour back, a failure after the switch is a single switch-back commit.

const END = new Date('2026-12-01T12:00:00Z'); // a Tuesday, clear of the freeze
const before = (minutes: number) => new Date(END.getTime() - minutes * 60_000);
const K = 'apps/checkout/overlays/production/kustomization.yaml';
const TRAFFIC = 'apps/checkout/overlays/production/traffic.yaml';
const OVERLAY = 'apps/checkout/overlays/production';

let server: PrometheusServer;
beforeAll(async () => {
  server = await startPrometheus(canaryOpenMetrics(END));
}, 300_000);
afterAll(async () => {
  await server?.stop();
});

const metricGate = (url: string) => `  smoke:
    metric:
      prometheus: { url: "${url}" }
      query: sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",version="{{version}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",version="{{version}}"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 1m
      failureLimit: 2
`;

const BG =
  'preview: { duration: 10m, analysis: [smoke] }\nverify: { duration: 20m, analysis: [smoke] }\nscaleDownDelay: 30m';

describe('blue-green on a real git repository with a real Prometheus', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  async function setup(traffic: BlueGreenTraffic, bg = BG) {
    const { bare } = await seedRepo(root, blueGreenFiles(traffic));
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const config: Config = blueGreenConfig(traffic, bg, metricGate(server.url));
    const deps = metricDeps(store);
    const start = (version: string, at: Date) =>
      promote(
        config,
        {
          environment: 'production',
          services: ['checkout'],
          version: { tag: version },
          requestedBy: 'release-bot',
          source: 'https://github.com/acme/app/pull/9',
        },
        { store, clock: () => at },
      );
    const command = (verb: 'advance' | 'abort' | 'pause' | 'resume', at: Date) =>
      runRolloutCommand(config, deps(at), {
        verb,
        environment: 'production',
        services: [],
        requestedBy: 'sre',
        source: 'cli',
      });
    return { bare, store, config, deps, start, command };
  }

  it('previews on the idle colour, switches in one commit, scales the old colour down; the next version goes to the other colour', async () => {
    const { bare, store, config, deps, start } = await setup('gateway-api');
    try {
      expect((await start('1.5.0', before(100))).kind).toBe('committed');
      expect(await state(bare)).toMatchObject({
        version: '1.4.0',
        stable: '1.4.0',
        rollout: { strategy: 'blue-green', phase: 'previewing', step: 0, steps: 1, weight: 0 },
      });
      expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain(
        'Rollgate-Phase: previewing\nRollgate-Step: 0/1\nRollgate-Weight: 0',
      );
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.4.0', replicas: 4 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 4 },
      });

      const actions: string[] = [];
      for (const minutes of [95, 85, 70, 50, 40]) {
        const report = await runTick(config, deps(before(minutes)));
        expect(report.exitCode).toBe(0);
        const action = report.rollouts[0]?.action;
        actions.push(action?.kind ?? 'none');
        if (action?.kind === 'promote') {
          // The switch: only the traffic file (and the state) change.
          expect(await changedFiles(bare)).toEqual(['.rollgate/state/production/checkout.yaml', TRAFFIC]);
          expect(await showFile(bare, TRAFFIC)).toContain(
            '- name: checkout-blue\n          port: 80\n          weight: 0 # live\n        - name: checkout-green\n          port: 80\n          weight: 100\n',
          );
          expect(await state(bare)).toMatchObject({
            version: '1.5.0',
            stable: '1.4.0',
            rollout: { phase: 'switched', weight: 100 },
          });
          expect(action.message).toContain('switch: 1.5.0 takes all traffic');
        }
      }
      expect(actions).toEqual(['wait', 'promote', 'wait', 'verify', 'none']);
      expect(await state(bare)).toMatchObject({
        version: '1.5.0',
        stable: '1.5.0',
        rollout: { phase: 'scaled-down' },
      });
      expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toMatch(
        /Rollgate-Phase: scaled-down[\s\S]*Rollgate-Analysis: smoke=pass \(successful \d+, failed 0/,
      );
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.4.0', replicas: 0 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 4 },
      });
      // The subjects say what happened, with the colours; the trailers stay the engine's.
      expect((await git(bare, 'log', '--format=%s', 'main')).trim().split('\n')).toEqual([
        'scale down blue: production checkout 1.5.0 verified on green',
        'switch production checkout to green (1.5.0)',
        'production checkout 1.5.0 previewing on green',
        'bootstrap',
      ]);

      // 1.6.0 goes to blue (idle now), fails its preview and rolls back there: green untouched.
      expect((await start('1.6.0', before(25))).kind).toBe('committed');
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.6.0', replicas: 4 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 4 },
      });
      const failed = await runTick(config, deps(END));
      expect(failed.rollouts[0]?.action).toMatchObject({ kind: 'rollback', reasonCode: 'analysis.failed' });
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 0 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 4 },
      });
      expect(await state(bare)).toMatchObject({
        version: '1.5.0',
        holds: [{ version: '1.6.0', reason: 'analysis.failed' }],
        rollout: { phase: 'rolled-back' },
      });
      expect(await showFile(bare, TRAFFIC)).toContain('weight: 100\n');
      expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
        'roll back production checkout 1.6.0 previewing on blue: blue back to 1.5.0 at 0 replicas, 1.6.0 held\n',
      );
    } finally {
      await store.close();
    }
  });

  it('a version failing after the switch is switched back in a single commit while the old colour still runs', async () => {
    const { bare, store, config, deps, start } = await setup('gateway-api');
    try {
      const original = await showFile(bare, TRAFFIC);
      expect((await start('1.6.0', before(60))).kind).toBe('committed');
      // 1.6.0 is healthy until 20 minutes before END: its preview passes.
      expect((await runTick(config, deps(before(45)))).rollouts[0]?.action.kind).toBe('promote');
      const kBefore = await showFile(bare, K);
      const report = await runTick(config, deps(END));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'rollback', reasonCode: 'analysis.failed' });
      expect(report.rollouts[0]?.action.message).toContain('switching traffic back to the old colour');
      expect(await git(bare, 'log', '-2', '--format=%s', 'main')).toBe(
        'switch production checkout back to blue (1.4.0), 1.6.0 held\nswitch production checkout to green (1.6.0)\n',
      );
      expect(await changedFiles(bare)).toEqual(['.rollgate/state/production/checkout.yaml', TRAFFIC]);
      expect(await showFile(bare, TRAFFIC)).toBe(original);
      expect(await showFile(bare, K)).toBe(kBefore);
      expect(await state(bare)).toMatchObject({
        version: '1.4.0',
        stable: '1.4.0',
        holds: [{ version: '1.6.0' }],
        rollout: { phase: 'rolled-back', weight: 0 },
      });
      expect(await workloads(bare, root)).toMatchObject({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.4.0', replicas: 4 },
      });
      // A held version is not shipped again by a plain promote.
      expect((await start('1.6.0', before(-5))).kind).not.toBe('committed');
    } finally {
      await store.close();
    }
  });

  it('Service selector, autoPromote: false: waits for /advance to switch; abort inside the delay switches back', async () => {
    const { bare, store, config, deps, start, command } = await setup('service', `${BG}\nautoPromote: false`);
    try {
      const original = await showFile(bare, TRAFFIC);
      expect((await start('1.5.0', before(100))).kind).toBe('committed');
      const waiting = await runTick(config, deps(before(80)));
      expect(waiting.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'awaiting-advance' });
      const advanced = await command('advance', before(79));
      expect(advanced.exitCode).toBe(0);
      expect(advanced.rollouts[0]?.action).toMatchObject({ kind: 'promote', reasonCode: 'hold.done' });
      expect(await showFile(bare, TRAFFIC)).toBe(
        original.replace('color: blue # live', 'color: green # live'),
      );
      const objects = JSON.stringify(await buildAt(bare, root, OVERLAY));
      expect(objects).toContain('"selector":{"app":"checkout","color":"green"}');
      expect(await state(bare)).toMatchObject({ rollout: { phase: 'switched' } });

      const aborted = await command('abort', before(70));
      expect(aborted.exitCode).toBe(0);
      expect(await changedFiles(bare)).toEqual(['.rollgate/state/production/checkout.yaml', TRAFFIC]);
      expect(await showFile(bare, TRAFFIC)).toBe(original);
      expect(await state(bare)).toMatchObject({
        version: '1.4.0',
        rollout: { phase: 'aborted' },
        holds: [{ version: '1.5.0' }],
      });
    } finally {
      await store.close();
    }
  });

  it('a hand switch mid-preview is drift: the rollout pauses, nothing overwritten', async () => {
    const { bare, store, config, deps, start } = await setup('gateway-api');
    try {
      expect((await start('1.5.0', before(100))).kind).toBe('committed');
      const work = `${root}/work`;
      const { handCommit } = await import('./fixture.js');
      const text = await showFile(bare, TRAFFIC);
      await handCommit(
        work,
        {
          [TRAFFIC]: text
            .replace('weight: 100 # live', 'weight: 0 # live')
            .replace(/weight: 0\n$/, 'weight: 100\n'),
        },
        before(98).toISOString(),
      );
      const head = await git(bare, 'rev-parse', 'main');
      const report = await runTick(config, deps(before(95)));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'pause', reasonCode: 'drift' });
      expect(await git(bare, 'rev-parse', 'main~1')).toBe(head);
      expect(await state(bare)).toMatchObject({ rollout: { phase: 'paused', pausedFrom: 'previewing' } });
    } finally {
      await store.close();
    }
  });
});

describe('validate: blueGreen', () => {
  const problems = (bg: string, head = '') => {
    try {
      parseConfig({ file: 'rollgate.yaml', text: head + blueGreenConfigText('gateway-api', bg) }, [], {});
      return [];
    } catch (err) {
      return String((err as Error).message).split('\n');
    }
  };

  it('accepts the fixture and refuses mistakes at file:line:col', () => {
    expect(problems('scaleDownDelay: 30m')).toEqual([]);
    expect(problems('preview: { duration: 5m, analysis: [nope] }\nreadiness: [gone]')).toEqual([
      expect.stringMatching(
        /^rollgate\.yaml:\d+:\d+ \(environments\.production\.blueGreen\.readiness\[0\]\): no gate named "gone"/,
      ),
      expect.stringMatching(
        /\(environments\.production\.blueGreen\.preview\.analysis\[0\]\): no gate named "nope"/,
      ),
    ]);
    const noReplicas = blueGreenConfigText('gateway-api', 'scaleDownDelay: 1m').replace(
      '      replicas: 4\n',
      '',
    );
    expect(() => parseConfig({ file: 'rollgate.yaml', text: noReplicas }, [], {})).toThrow(
      /rollgate\.yaml:\d+:\d+ \(environments\.production\.blueGreen\): scaleDown \(the default\)|blueGreen.*set replicas/,
    );
    const service = blueGreenConfigText('gateway-api', '').replace(
      /traffic: \{[^\n]*\}/,
      'traffic: { kind: service, file: svc.yaml, blue: blue, green: blue }',
    );
    expect(() => parseConfig({ file: 'rollgate.yaml', text: service }, [], {})).toThrow(
      /traffic kind service needs selector[\s\S]*blue and green are both "blue"|blue and green are both "blue"[\s\S]*traffic kind service needs selector/,
    );
  });
});
