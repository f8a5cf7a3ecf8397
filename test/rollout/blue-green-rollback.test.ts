import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { promote } from '../../src/core/pipeline.js';
import { runTick } from '../../src/core/rollout-run.js';
import { statePath } from '../../src/core/state.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { cli } from '../helpers/cli.js';
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

// The plain `rollgate rollback <env>` after a blue-green rollout, on real git, with the readiness
// gate asking a real Prometheus (promtool backfill: 1.5.0 and 1.6.0 serve requests, 1.4.0 none),
// and every overlay written built by kubectl kustomize.
// - After the scale-down: one commit scales the previous colour up (nothing else moves), a tick
//   switches back once readiness passes; the version left is held from the first commit.
// - Readiness never passing: the rollback pauses (users stay where they are); abort scales it down.
// - Inside the scale-down delay (the rollout still `switched`), and with `scaleDown: false`: one
//   switch-back commit, the traffic file only.

const END = new Date('2026-12-01T12:00:00Z'); // a Tuesday, clear of the freeze
const before = (minutes: number) => new Date(END.getTime() - minutes * 60_000);
const iso = (minutes: number) => before(minutes).toISOString();
const K = 'apps/checkout/overlays/production/kustomization.yaml';
const TRAFFIC = 'apps/checkout/overlays/production/traffic.yaml';
const OVERLAY = 'apps/checkout/overlays/production';
const STATE = statePath('production', 'checkout');

let server: PrometheusServer;
beforeAll(async () => {
  server = await startPrometheus(canaryOpenMetrics(END));
}, 300_000);
afterAll(async () => {
  await server?.stop();
});

const gates = (url: string) => `  smoke:
    metric:
      prometheus: { url: "${url}" }
      query: sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",version="{{version}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",version="{{version}}"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 1m
      failureLimit: 2
  ready:
    metric:
      prometheus: { url: "${url}" }
      query: sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",version="{{version}}"}[{{interval}}]))
      thresholdRange: { min: 1 }
      interval: 1m
      failureLimit: 0
`;

const BG =
  'preview: { duration: 10m, analysis: [smoke] }\nreadiness: [ready]\nverify: { duration: 20m, analysis: [smoke] }\nscaleDownDelay: 30m';

const liveWeights = (text: string) =>
  [...text.matchAll(/- name: (checkout-\w+)\n\s+port: 80\n\s+weight: (\d+)/g)].map((m) => `${m[1]}=${m[2]}`);

describe('rollgate rollback after a blue-green rollout', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  async function setup(seed: string, bg = BG, traffic: BlueGreenTraffic = 'gateway-api') {
    const { bare } = await seedRepo(root, blueGreenFiles(traffic, seed));
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const config: Config = blueGreenConfig(traffic, bg, gates(server.url));
    const file = join(root, 'rollgate.yaml');
    await writeFile(file, blueGreenConfigText(traffic, bg, gates(server.url)));
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
    const rollgate = (verb: string, minutes: number, ...more: string[]) =>
      cli([
        verb,
        'production',
        '--at',
        iso(minutes),
        '--simulate-clock',
        '--config',
        file,
        '--gitops',
        bare,
        ...more,
      ]);
    const status = async () => (await cli(['status', '--config', file, '--gitops', bare])).stdout;
    const tick = async (minutes: number) =>
      (await runTick(config, deps(before(minutes)))).rollouts[0]?.action;
    return { bare, store, start, rollgate, tick, status };
  }

  it('after the scale-down: a scale-up commit of the previous colour, then the switch once readiness passes', async () => {
    const { bare, store, start, rollgate, tick, status } = await setup('1.5.0');
    try {
      expect((await start('1.6.0', before(110))).kind).toBe('committed');
      expect((await tick(95))?.kind).toBe('promote');
      expect((await tick(60))?.kind).toBe('verify');
      expect(await state(bare)).toMatchObject({
        version: '1.6.0',
        stable: '1.6.0',
        rollout: { phase: 'scaled-down' },
      });
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 0 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.6.0', replicas: 4 },
      });
      const trafficBefore = await showFile(bare, TRAFFIC);

      // The rollback: blue (1.5.0, the idle colour, at 0) is scaled up; the traffic does not move yet.
      const back = await rollgate('rollback', 50, '--reason', 'INC-7 checkout errors');
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain('checkout: 1.6.0 -> 1.5.0 (the idle blue colour)');
      expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
        'scale up blue with 1.5.0 to roll production checkout back from 1.6.0; the switch follows once it is ready\n',
      );
      expect(await changedFiles(bare)).toEqual([STATE, K]);
      expect(await showFile(bare, TRAFFIC)).toBe(trafficBefore);
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toContain('Rollgate-Decision: rollback (gates skipped)');
      expect(message).toContain('Rollgate-Phase: previewing\nRollgate-Step: 0/1\nRollgate-Weight: 0');
      expect(message).toContain('Rollgate-Hold: 1.6.0');
      expect(message).toContain('Rollgate-Reason: INC-7 checkout errors');
      expect(await state(bare)).toMatchObject({
        version: '1.6.0',
        rollout: { version: '1.5.0', phase: 'previewing', rollbackOf: '1.6.0', weight: 0 },
        holds: [{ version: '1.6.0', reason: 'rollback' }],
      });
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 4 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.6.0', replicas: 4 },
      });
      // Status while the colour comes up: users are still on green's 1.6.0.
      expect(await status()).toMatch(/production\s+checkout\s+1\.6\.0 on green\s/);

      // Readiness waits for the sync (analysisDelay), then judges 1.5.0 on blue: it serves, so switch.
      const head = await git(bare, 'rev-parse', 'main');
      expect(await tick(49.5)).toMatchObject({ kind: 'wait', reasonCode: 'analysis.pending' });
      expect(await git(bare, 'rev-parse', 'main')).toBe(head);
      const switched = await tick(45);
      expect(switched).toMatchObject({ kind: 'promote', reasonCode: 'hold.done' });
      expect(switched?.message).toContain('switch back: 1.5.0 takes all traffic again');
      expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
        'switch production checkout back to blue (1.5.0), 1.6.0 held\n',
      );
      expect(await changedFiles(bare)).toEqual([STATE, TRAFFIC]);
      expect(liveWeights(await showFile(bare, TRAFFIC))).toEqual(['checkout-blue=100', 'checkout-green=0']);
      expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toMatch(
        /Rollgate-Phase: switched[\s\S]*Rollgate-Stable: 1\.5\.0[\s\S]*Rollgate-Analysis: ready=pass \(successful \d+, failed 0/,
      );
      expect(await state(bare)).toMatchObject({
        version: '1.5.0',
        stable: '1.5.0',
        rollout: { version: '1.5.0', phase: 'switched', rollbackOf: '1.6.0' },
        holds: [{ version: '1.6.0' }],
      });
      // Done: no tick acts on it again, and rolling back twice never flips back to the held 1.6.0.
      expect(await tick(30)).toBeUndefined();
      const again = await rollgate('rollback', 29);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('no earlier version in production');
      expect(await status()).toMatch(/production\s+checkout\s+1\.5\.0 on blue\s+1\.5\.0\s/);
      // The next promotion goes to the idle colour, green, over the held version.
      expect((await start('1.7.0', before(10))).kind).toBe('committed');
      expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
        'production checkout 1.7.0 previewing on green\n',
      );
    } finally {
      await store.close();
    }
  });

  it('readiness that does not pass pauses the rollback with the users where they are; abort scales the colour down again', async () => {
    // 1.4.0 has no requests in Prometheus: its colour never reads as ready.
    const { bare, store, start, rollgate, tick } = await setup('1.4.0', BG, 'service');
    try {
      expect((await start('1.5.0', before(110))).kind).toBe('committed');
      expect((await tick(95))?.kind).toBe('promote');
      expect((await tick(60))?.kind).toBe('verify');
      const traffic = await showFile(bare, TRAFFIC);
      expect(traffic).toContain('color: green # live');

      expect((await rollgate('rollback', 50)).code).toBe(0);
      expect(await workloads(bare, root)).toMatchObject({ 'checkout-blue': { replicas: 4 } });
      const paused = await tick(45);
      expect(paused).toMatchObject({ kind: 'pause', reasonCode: 'analysis.no-data' });
      expect(await showFile(bare, TRAFFIC)).toBe(traffic);
      expect(await state(bare)).toMatchObject({
        version: '1.5.0',
        rollout: { phase: 'paused', pausedFrom: 'previewing', rollbackOf: '1.5.0' },
      });

      const aborted = await rollgate('abort', 40);
      expect(aborted.code, aborted.stderr).toBe(0);
      expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
        'abort the rollback of production checkout to 1.4.0: blue scaled down, 1.5.0 stays live\n',
      );
      expect(await changedFiles(bare)).toEqual([STATE, K]);
      expect(await showFile(bare, TRAFFIC)).toBe(traffic);
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.4.0', replicas: 0 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 4 },
      });
      // 1.4.0 is not held by giving up its rollback; 1.5.0 stays held by the rollback itself.
      expect(await state(bare)).toMatchObject({
        version: '1.5.0',
        rollout: { phase: 'aborted' },
        holds: [{ version: '1.5.0', reason: 'rollback' }],
      });
    } finally {
      await store.close();
    }
  });

  it('inside the scale-down delay: rollback is one switch-back commit, the traffic file only', async () => {
    const { bare, store, start, rollgate, tick } = await setup('1.5.0');
    try {
      const original = await showFile(bare, TRAFFIC);
      expect((await start('1.6.0', before(110))).kind).toBe('committed');
      expect((await tick(95))?.kind).toBe('promote');
      const kBefore = await showFile(bare, K);
      // 10 minutes after the switch: green live, blue still up with 1.5.0 for 20 more minutes.
      const back = await rollgate('rollback', 85);
      expect(back.code, back.stderr).toBe(0);
      expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
        'switch production checkout back to blue (1.5.0), 1.6.0 held\n',
      );
      expect(await changedFiles(bare)).toEqual([STATE, TRAFFIC]);
      expect(await showFile(bare, TRAFFIC)).toBe(original);
      expect(await showFile(bare, K)).toBe(kBefore);
      expect(await state(bare)).toMatchObject({
        version: '1.5.0',
        stable: '1.5.0',
        rollout: { phase: 'aborted' },
        holds: [{ version: '1.6.0' }],
      });
      expect(await workloads(bare, root)).toEqual({
        'checkout-blue': { image: 'ghcr.io/acme/checkout:1.5.0', replicas: 4 },
        'checkout-green': { image: 'ghcr.io/acme/checkout:1.6.0', replicas: 4 },
      });
    } finally {
      await store.close();
    }
  });

  it('scaleDown: false, after the verify: the old colour still runs, so one switch-back commit', async () => {
    const { bare, store, start, rollgate, tick } = await setup('1.5.0', `${BG}\nscaleDown: false`);
    try {
      const original = await showFile(bare, TRAFFIC);
      expect((await start('1.6.0', before(110))).kind).toBe('committed');
      expect((await tick(95))?.kind).toBe('promote');
      expect((await tick(60))?.kind).toBe('verify');
      expect(await state(bare)).toMatchObject({ stable: '1.6.0', rollout: { phase: 'verified' } });
      const back = await rollgate('rollback', 50);
      expect(back.code, back.stderr).toBe(0);
      expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
        'switch production checkout back to blue (1.5.0), 1.6.0 held\n',
      );
      expect(await changedFiles(bare)).toEqual([STATE, TRAFFIC]);
      expect(await showFile(bare, TRAFFIC)).toBe(original);
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toContain('Rollgate-Decision: rollback (gates skipped)');
      expect(message).toContain('Rollgate-Hold: 1.6.0');
      expect(await state(bare)).toMatchObject({
        version: '1.5.0',
        stable: '1.5.0',
        holds: [{ version: '1.6.0' }],
      });
      expect(await tick(45)).toBeUndefined();
      await buildAt(bare, root, OVERLAY);
    } finally {
      await store.close();
    }
  });
});
