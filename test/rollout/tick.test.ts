import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRolloutCommand, runTick, type RolloutDeps } from '../../src/core/rollout-run.js';
import { formatState, parseState, statePath, type ServiceState } from '../../src/core/state.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { git, showFile, tempDir } from '../helpers/repo.js';
import { canaryConfig, gitopsFiles, type Health, seedRepo, sloInputs } from './fixture.js';

// runTick and runRolloutCommand on a real git repository, from a state file seeded mid-rollout.

const T0 = '2026-12-01T10:00:00.000Z'; // a Tuesday
const after = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000);

function midRollout(): ServiceState {
  return {
    schema_version: 1,
    environment: 'production',
    service: 'checkout',
    version: '1.4.0',
    landedAt: '2026-11-30T12:00:00.000Z',
    stable: '1.4.0',
    rollout: {
      strategy: 'canary',
      version: '1.5.0',
      phase: 'progressing',
      step: 1,
      steps: 3,
      weight: 5,
      windowStart: T0,
      startedAt: T0,
    },
  };
}

function seeded(): Record<string, string> {
  const files = gitopsFiles(['checkout'], 'gateway-api');
  const k = 'apps/checkout/overlays/production/kustomization.yaml';
  files[k] = (files[k] as string).replace(
    '- name: checkout-canary\n    newName: ghcr.io/acme/checkout\n    newTag: "1.4.0"',
    '- name: checkout-canary\n    newName: ghcr.io/acme/checkout\n    newTag: "1.5.0"',
  );
  const t = 'apps/checkout/overlays/production/traffic.yaml';
  files[t] = (files[t] as string)
    .replace('weight: 100 # stable', 'weight: 95 # stable')
    .replace('weight: 0', 'weight: 5');
  files[statePath('production', 'checkout')] = formatState(midRollout());
  return files;
}

describe('runTick on a real git repository', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  async function setup(health: Health) {
    const { bare } = await seedRepo(root, seeded());
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const config = canaryConfig(['checkout'], 'gateway-api');
    const deps = (at: Date): RolloutDeps => ({
      store,
      clock: () => at,
      analysis: async () => sloInputs(health, at),
    });
    return { bare, store, config, deps };
  }

  it('waits inside the hold and writes nothing, then steps once the hold is over', async () => {
    const { bare, store, config, deps } = await setup('healthy');
    try {
      const head = await git(bare, 'rev-parse', 'main');
      const wait = await runTick(config, deps(after(10)));
      expect(wait.exitCode).toBe(0);
      expect(wait.rollouts[0]?.action).toMatchObject({
        kind: 'wait',
        reasonCode: 'hold',
        nextEligibleAt: after(30).toISOString(),
      });
      expect(await git(bare, 'rev-parse', 'main')).toBe(head);

      const step = await runTick(config, deps(after(31)));
      expect(step.rollouts[0]?.action).toMatchObject({ kind: 'step', step: 2, weight: 25 });
      const traffic = await showFile(bare, 'apps/checkout/overlays/production/traffic.yaml');
      expect(traffic).toContain('weight: 75 # stable');
      const state = parseState('s', await showFile(bare, statePath('production', 'checkout')));
      expect(state.ok && state.state.rollout).toMatchObject({
        step: 2,
        weight: 25,
        windowStart: after(31).toISOString(),
      });
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toMatch(/^step checkout 1\.5\.0 in production: step 2\/3, weight 25%/);
      expect(message).toContain(
        'Rollgate-Phase: progressing\nRollgate-Step: 2/3\nRollgate-Weight: 25\nRollgate-Stable: 1.4.0\nRollgate-Analysis: canary-errors=pass',
      );

      // The same tick again changes nothing: the new step holds.
      const again = await runTick(config, deps(after(31)));
      expect(again.rollouts[0]?.action.kind).toBe('wait');
    } finally {
      await store.close();
    }
  });

  it('rolls back at once when analysis fails, with a hold', async () => {
    const { bare, store, config, deps } = await setup('failing');
    try {
      const report = await runTick(config, deps(after(10)));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'rollback', reasonCode: 'analysis.failed' });
      const k = await showFile(bare, 'apps/checkout/overlays/production/kustomization.yaml');
      expect(k).toContain('- name: checkout-canary\n    newName: ghcr.io/acme/checkout\n    newTag: "1.4.0"');
      const state = parseState('s', await showFile(bare, statePath('production', 'checkout')));
      expect(state.ok && state.state).toMatchObject({
        version: '1.4.0',
        holds: [{ version: '1.5.0', reason: 'analysis.failed' }],
        rollout: { phase: 'rolled-back', weight: 0 },
      });
      expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain('Rollgate-Hold: 1.5.0');
    } finally {
      await store.close();
    }
  });

  it('a Prometheus error decides nothing and exits 3', async () => {
    const { bare, store, config, deps } = await setup('down');
    try {
      const head = await git(bare, 'rev-parse', 'main');
      const report = await runTick(config, deps(after(40)));
      expect(report.exitCode).toBe(3);
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'analysis.error' });
      expect(await git(bare, 'rev-parse', 'main')).toBe(head);
    } finally {
      await store.close();
    }
  });

  it('pause, advance refused while paused, resume, advance, abort', async () => {
    const { bare, store, config, deps } = await setup('healthy');
    try {
      const who = { requestedBy: 'oncall', source: 'test', reason: 'looking at a dashboard' };
      const pause = await runRolloutCommand(config, deps(after(5)), {
        verb: 'pause',
        environment: 'production',
        services: [],
        ...who,
      });
      expect(pause.exitCode).toBe(0);
      expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain(
        'Rollgate-Reason: looking at a dashboard',
      );
      const advance = await runRolloutCommand(config, deps(after(6)), {
        verb: 'advance',
        environment: 'production',
        services: [],
        ...who,
      });
      expect(advance.exitCode).toBe(1);
      const resume = await runRolloutCommand(config, deps(after(7)), {
        verb: 'resume',
        environment: 'production',
        services: [],
        ...who,
      });
      expect(resume.rollouts[0]?.action.kind).toBe('resume');
      const advanced = await runRolloutCommand(config, deps(after(9)), {
        verb: 'advance',
        environment: 'production',
        services: [],
        ...who,
      });
      expect(advanced.rollouts[0]?.action).toMatchObject({
        kind: 'step',
        reasonCode: 'operator.advance',
        weight: 25,
      });
      const abort = await runRolloutCommand(config, deps(after(10)), {
        verb: 'abort',
        environment: 'production',
        services: ['checkout'],
        ...who,
      });
      expect(abort.rollouts[0]?.action.kind).toBe('abort');
      const state = parseState('s', await showFile(bare, statePath('production', 'checkout')));
      expect(state.ok && state.state.rollout?.phase).toBe('aborted');
      const nothing = await runRolloutCommand(config, deps(after(11)), {
        verb: 'pause',
        environment: 'production',
        services: [],
        ...who,
      });
      expect(nothing.exitCode).toBe(1);
      expect(nothing.problems[0]?.reasonCode).toBe('not-active');
    } finally {
      await store.close();
    }
  });
});
