import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { promote } from '../../src/core/pipeline.js';
import { type RolloutDeps, runRolloutCommand, runTick, type TickReport } from '../../src/core/rollout-run.js';
import { parseState, type ServiceState, statePath } from '../../src/core/state.js';
import type { PromotionRequest } from '../../src/core/types.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { git, showFile, tempDir } from '../helpers/repo.js';
import {
  buildAt,
  canaryConfig,
  gitopsFiles,
  handCommit,
  type Health,
  seedRepo,
  sloInputs,
} from './fixture.js';

// Whole rollouts on real git repositories: promote starts one, ticks walk it, analysis (the slo
// gate over injected Prometheus answers; the metric gate over a real Prometheus is in
// prometheus.test.ts) decides, and every commit's overlay still builds with kubectl kustomize.

const T0 = Date.parse('2026-12-01T10:00:00.000Z'); // a Tuesday
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const K = (s: string) => `apps/${s}/overlays/production/kustomization.yaml`;
const TRAFFIC = (s: string) => `apps/${s}/overlays/production/traffic.yaml`;

type Store = Awaited<ReturnType<typeof openGitStore>>;

interface World {
  readonly bare: string;
  readonly work: string;
  readonly store: Store;
  readonly config: Config;
  health: (now: Date) => Health;
}

function request(
  version: string,
  extra: Partial<PromotionRequest> = {},
  services = ['checkout'],
): PromotionRequest {
  return {
    environment: 'production',
    services,
    version: { tag: version },
    requestedBy: 'release-bot',
    source: 'https://github.com/acme/app/pull/7',
    ...extra,
  };
}

async function state(bare: string, service = 'checkout'): Promise<ServiceState> {
  const parsed = parseState('s', await showFile(bare, statePath('production', service)));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.state;
}

async function imageTag(bare: string, name: string, service = 'checkout'): Promise<string | undefined> {
  const text = await showFile(bare, K(service));
  const m = new RegExp(
    `- name: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\n]*\\n(?:    newName: [^\\n]*\\n)?    newTag: "([^"]+)"`,
  ).exec(text);
  return m?.[1];
}

async function canaryWeight(bare: string, service = 'checkout'): Promise<number> {
  const m = /- name: \S+-canary\n\s+port: 80\n\s+weight: (\d+)/.exec(await showFile(bare, TRAFFIC(service)));
  return Number(m?.[1]);
}

async function head(bare: string): Promise<string> {
  return (await git(bare, 'rev-parse', 'main')).trim();
}

describe('rollouts on a real git repository', () => {
  let root = '';
  let cleanup = async () => {};
  let world: World | undefined;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await world?.store.close();
    world = undefined;
    await cleanup();
  });

  async function setup(canary?: string, services = ['checkout']): Promise<World> {
    const { bare, work } = await seedRepo(root, gitopsFiles(services, 'gateway-api'));
    const store = await openGitStore({ repository: bare, branch: 'main' });
    world = {
      bare,
      work,
      store,
      config: canaryConfig(services, 'gateway-api', canary),
      health: () => 'healthy',
    };
    return world;
  }

  function deps(w: World, now: Date): RolloutDeps {
    return { store: w.store, clock: () => now, analysis: async () => sloInputs(w.health(now), now) };
  }

  async function tick(w: World, minutes: number): Promise<TickReport> {
    return runTick(w.config, deps(w, at(minutes)));
  }

  async function start(w: World, version: string, minutes = 0, extra: Partial<PromotionRequest> = {}) {
    return promote(w.config, request(version, extra), { store: w.store, clock: () => at(minutes) });
  }

  it('healthy: 5 -> 25 -> 50, promotes, verifies; every overlay builds', async () => {
    const w = await setup(
      'steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-errors]\nverify: { duration: 30m, analysis: [canary-errors] }',
    );
    const started = await start(w, '1.5.0');
    expect(started.kind).toBe('committed');
    expect(await imageTag(w.bare, 'checkout-canary')).toBe('1.5.0');
    expect(await imageTag(w.bare, 'ghcr.io/acme/checkout')).toBe('1.4.0');
    expect(await canaryWeight(w.bare)).toBe(5);
    expect(await state(w.bare)).toMatchObject({
      version: '1.4.0',
      stable: '1.4.0',
      rollout: { phase: 'progressing', step: 1, weight: 5 },
    });
    const first = await git(w.bare, 'log', '-1', '--format=%B', 'main');
    expect(first).toMatch(/^start rollout of checkout 1\.5\.0 in production: step 1\/3, weight 5%/);
    expect(first).toContain(
      'Rollgate-Phase: progressing\nRollgate-Step: 1/3\nRollgate-Weight: 5\nRollgate-Stable: 1.4.0',
    );
    expect(await git(w.bare, 'show', '--format=', '--stat', 'main')).toContain(
      '.rollgate/state/production/checkout.yaml',
    );

    const actions: string[] = [];
    for (const minutes of [10, 31, 45, 62, 93, 100, 124]) {
      const report = await tick(w, minutes);
      expect(report.exitCode).toBe(0);
      const action = report.rollouts[0]?.action;
      actions.push(action ? `${action.kind}${'weight' in action ? `:${action.weight}` : ''}` : 'none');
      if (action && action.kind !== 'wait') {
        const objects = await buildAt(w.bare, root, 'apps/checkout/overlays/production');
        expect(JSON.stringify(objects)).toContain('"image":"ghcr.io/acme/checkout:1.5.0"');
      }
    }
    expect(actions).toEqual(['wait', 'step:25', 'wait', 'step:50', 'promote', 'wait', 'verify']);
    expect(await imageTag(w.bare, 'ghcr.io/acme/checkout')).toBe('1.5.0');
    expect(await canaryWeight(w.bare)).toBe(0);
    expect(await state(w.bare)).toMatchObject({
      version: '1.5.0',
      stable: '1.5.0',
      landedAt: at(93).toISOString(),
      rollout: { phase: 'verified' },
    });
    expect((await tick(w, 200)).rollouts).toEqual([]);
    const log = await git(w.bare, 'log', '--format=%s', 'main');
    expect(log.trim().split('\n')).toEqual([
      'verify checkout 1.5.0 in production',
      'promote checkout 1.5.0 in production',
      'step checkout 1.5.0 in production: step 3/3, weight 50%',
      'step checkout 1.5.0 in production: step 2/3, weight 25%',
      'start rollout of checkout 1.5.0 in production: step 1/3, weight 5%',
      'bootstrap',
    ]);
  });

  const VERIFY =
    'steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-errors]\nverify: { duration: 30m, analysis: [canary-errors] }';

  // Ticks every 10 minutes from 10: the hold ends at 30 (25%), 60 (50%), 90 (promote), verify ends at 120.
  for (const failAt of [
    { name: 'at step 1 (5%)', minute: 20 },
    { name: 'at step 2 (25%)', minute: 40 },
    { name: 'at step 3 (50%)', minute: 70 },
    { name: 'during verify', minute: 100 },
  ]) {
    it(`failing ${failAt.name}: rolls back at once to the stable version, with a hold`, async () => {
      const w = await setup(VERIFY);
      w.health = (now) => (now >= at(failAt.minute) ? 'failing' : 'healthy');
      await start(w, '1.5.0');
      let rolledBack: TickReport | undefined;
      for (let minute = 10; minute <= 130 && rolledBack === undefined; minute += 10) {
        const report = await tick(w, minute);
        if (report.rollouts[0]?.action.kind === 'rollback') rolledBack = report;
      }
      expect(rolledBack?.at).toBe(at(failAt.minute).toISOString());
      expect(await imageTag(w.bare, 'ghcr.io/acme/checkout')).toBe('1.4.0');
      expect(await imageTag(w.bare, 'checkout-canary')).toBe('1.4.0');
      expect(await canaryWeight(w.bare)).toBe(0);
      expect(await state(w.bare)).toMatchObject({
        version: '1.4.0',
        stable: '1.4.0',
        rollout: { phase: 'rolled-back', weight: 0 },
        holds: [{ version: '1.5.0', reason: 'analysis.failed' }],
      });
      const message = await git(w.bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toMatch(/^roll back checkout 1\.5\.0 in production: back to 1\.4\.0, 1\.5\.0 held/);
      expect(message).toContain('Rollgate-Hold: 1.5.0');
      expect(message).toMatch(/Rollgate-Analysis: canary-errors=fail/);
      await buildAt(w.bare, root, 'apps/checkout/overlays/production');
      // Nothing more happens, and the held version is refused until a reason lifts the hold.
      expect((await tick(w, 200)).rollouts).toEqual([]);
      const again = await start(w, '1.5.0', 210);
      expect(again.kind).toBe('denied');
      expect(again.evaluation.decision.verdicts.find((v) => v.gate === 'hold')?.reasonCode).toBe(
        'hold.active',
      );
      const lifted = await start(w, '1.5.0', 220, { reason: 'the leak is fixed in the config' });
      expect(lifted.kind).toBe('committed');
      const liftMessage = await git(w.bare, 'log', '-1', '--format=%B', 'main');
      expect(liftMessage).toContain(
        'Rollgate-Reason: the leak is fixed in the config\nRollgate-Reason-For: hold-lifted',
      );
      expect((await state(w.bare)).holds).toBeUndefined();
    });
  }

  it('no data: waits inside the hold, pauses at its end; Prometheus down decides nothing', async () => {
    const w = await setup();
    await start(w, '1.5.0');
    w.health = () => 'no-data';
    expect((await tick(w, 10)).rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'hold' });
    expect((await tick(w, 31)).rollouts[0]?.action).toMatchObject({
      kind: 'pause',
      reasonCode: 'analysis.no-data',
    });
    expect(await state(w.bare)).toMatchObject({
      rollout: { phase: 'paused', pausedFrom: 'progressing', reason: 'analysis.no-data' },
    });
    w.health = () => 'down';
    const before = await head(w.bare);
    const down = await tick(w, 40);
    expect(down.exitCode).toBe(3);
    expect(down.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'analysis.error' });
    expect(await head(w.bare)).toBe(before);
  });

  it('a freeze mid-rollout waits until it ends, the analysis still rolls back', async () => {
    const w = await setup();
    const friday = (Date.parse('2026-12-04T15:40:00Z') - T0) / 60_000;
    expect((await start(w, '1.5.0', friday)).kind).toBe('committed');
    const frozen = await tick(w, friday + 40); // 16:20, inside the weekend freeze
    expect(frozen.rollouts[0]?.action).toMatchObject({
      kind: 'wait',
      reasonCode: 'frozen',
      nextEligibleAt: '2026-12-07T08:00:00.000Z',
    });
    expect(await canaryWeight(w.bare)).toBe(5);
    w.health = () => 'failing';
    expect((await tick(w, friday + 50)).rollouts[0]?.action.kind).toBe('rollback');
    expect(await canaryWeight(w.bare)).toBe(0);
  });

  it('an override given at the start carries through the rollout', async () => {
    const w = await setup();
    const saturday = (Date.parse('2026-12-05T10:00:00Z') - T0) / 60_000;
    const denied = await start(w, '1.5.0', saturday);
    expect(denied.kind).toBe('denied');
    const started = await start(w, '1.5.0', saturday, { labels: ['hotfix'] });
    expect(started.kind).toBe('committed');
    expect(await git(w.bare, 'log', '-1', '--format=%B', 'main')).toContain(
      'Rollgate-Override: weekend-freeze by label',
    );
    expect((await state(w.bare)).rollout?.overrides?.[0]).toMatch(/^weekend-freeze by label/);
    const step = await tick(w, saturday + 31);
    expect(step.rollouts[0]?.action).toMatchObject({ kind: 'step', weight: 25 });
  });

  it('drift: a hand edit of the weight pauses the rollout and is not overwritten; abort rolls back', async () => {
    const w = await setup();
    await start(w, '1.5.0');
    const traffic = (await showFile(w.bare, TRAFFIC('checkout')))
      .replace('weight: 95 # stable', 'weight: 60 # stable')
      .replace(/weight: 5\n/, 'weight: 40\n');
    await handCommit(w.work, { [TRAFFIC('checkout')]: traffic }, '2026-12-01T10:20:00Z');
    const paused = await tick(w, 31);
    expect(paused.rollouts[0]?.action).toMatchObject({ kind: 'pause', reasonCode: 'drift' });
    expect(paused.rollouts[0]?.action.message).toContain('the canary weight is 40, the state says 5');
    expect(await canaryWeight(w.bare)).toBe(40);
    const who = { requestedBy: 'oncall', source: 'test' };
    const resume = await runRolloutCommand(w.config, deps(w, at(35)), {
      verb: 'resume',
      environment: 'production',
      services: [],
      ...who,
    });
    expect(resume.exitCode).toBe(1);
    expect(resume.rollouts[0]?.action).toMatchObject({ kind: 'refused', reasonCode: 'drift' });
    const abort = await runRolloutCommand(w.config, deps(w, at(36)), {
      verb: 'abort',
      environment: 'production',
      services: [],
      ...who,
      reason: 'hand edit',
    });
    expect(abort.exitCode).toBe(0);
    expect(await canaryWeight(w.bare)).toBe(0);
    expect(await imageTag(w.bare, 'checkout-canary')).toBe('1.4.0');
  });

  it('a new version mid-rollout restarts from step 1; the stable version stays', async () => {
    const w = await setup();
    await start(w, '1.5.0');
    await tick(w, 31);
    expect(await canaryWeight(w.bare)).toBe(25);
    const replaced = await start(w, '1.6.0', 40);
    expect(replaced.kind).toBe('committed');
    expect(await canaryWeight(w.bare)).toBe(5);
    expect(await imageTag(w.bare, 'checkout-canary')).toBe('1.6.0');
    expect(await state(w.bare)).toMatchObject({
      stable: '1.4.0',
      rollout: { version: '1.6.0', step: 1, windowStart: at(40).toISOString() },
    });
    expect((await tick(w, 60)).rollouts[0]?.action.kind).toBe('wait');
    expect((await start(w, '1.6.0', 61)).kind).toBe('noop');
  });

  it('two services roll out at once in one environment, each its own commits', async () => {
    const w = await setup(undefined, ['checkout', 'cart']);
    const both = await promote(w.config, request('1.5.0', {}, ['checkout', 'cart']), {
      store: w.store,
      clock: () => at(0),
    });
    expect(both.kind).toBe('committed');
    const first = await tick(w, 31);
    expect(first.rollouts.map((r) => `${r.service}:${r.action.kind}`)).toEqual([
      'checkout:step',
      'cart:step',
    ]);
    expect(new Set(first.rollouts.map((r) => r.commit)).size).toBe(2);
    w.health = () => 'failing';
    const report = await runTick(w.config, deps(w, at(40)), { services: ['cart'] });
    expect(report.rollouts.map((r) => `${r.service}:${r.action.kind}`)).toEqual(['cart:rollback']);
    expect(await canaryWeight(w.bare, 'cart')).toBe(0);
    expect(await canaryWeight(w.bare, 'checkout')).toBe(25);
    expect((await state(w.bare, 'checkout')).rollout?.phase).toBe('progressing');
  });
});
