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
});
