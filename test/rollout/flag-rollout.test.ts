import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FlagStartDeps, startFlagRollout } from '../../src/core/flag-start.js';
import { runTick } from '../../src/core/rollout-run.js';
import { flagStatePath, parseState } from '../../src/core/state.js';
import { fetchAnalysisInputs } from '../../src/facts/fetchers.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { readFlag } from '../../src/overlays/flags/edit-flag.js';
import { git, showFile, tempDir } from '../helpers/repo.js';
import { flagdAccepts } from '../overlays/flags/fixtures.js';
import { type PrometheusServer, startPrometheus } from '../integration/helpers/prometheus-server.js';
import { buildAt, seedRepo } from './fixture.js';
import { before, END, FLAG_FILE, flagConfig, flagOpenMetrics, flagRepoFiles } from './flag-fixture.js';

// Feature-flag rollouts end to end: real git, the flag's analysis judged by a metric gate on a real
// Prometheus (promtool backfill), every commit built by kubectl kustomize and loaded by flagd's own
// validator. `new-checkout` (healthy) steps 10 -> 50 -> promoted; `new-search` (failing) rolls back
// to a share of 0 with a hold, and only `promote --reason` lifts it.

let server: PrometheusServer;
beforeAll(async () => {
  server = await startPrometheus(flagOpenMetrics(END));
}, 300_000);
afterAll(async () => {
  await server?.stop();
});

const who = { requestedBy: 'alice', source: 'test' };

describe('a flag rollout on real git and a real Prometheus', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  async function setup() {
    const { bare } = await seedRepo(root, flagRepoFiles(), '2026-11-30T12:00:00Z');
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const deps = (at: Date): FlagStartDeps => ({
      store,
      clock: () => at,
      analysis: (gates, window, subject) => fetchAnalysisInputs(gates, window, { ...subject, env: {} }),
    });
    const flag = async (name: string) => {
      const text = await showFile(bare, FLAG_FILE);
      flagdAccepts(text);
      const seen = readFlag(text, name);
      if ('ok' in seen) throw new Error(seen.message);
      return seen;
    };
    const state = async (name: string) => {
      const parsed = parseState('s', await showFile(bare, flagStatePath('production', name)));
      if (!parsed.ok) throw new Error('bad state');
      return parsed.state;
    };
    return { bare, store, deps, flag, state };
  }

  it('steps a healthy flag 10 -> 50 -> 100, each commit one Rollgate-Flag action, then promotes it', async () => {
    const { bare, store, deps, flag, state } = await setup();
    const config = flagConfig(server.url);
    try {
      const started = await startFlagRollout(config, deps(before(150)), {
        environment: 'production',
        flag: 'new-checkout',
        ...who,
      });
      expect(started).toMatchObject({ exitCode: 0, result: 'committed', variant: 'on' });
      expect((await flag('new-checkout')).buckets).toEqual([
        { variant: 'on', weight: 10 },
        { variant: 'off', weight: 90 },
      ]);
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toMatch(
        /^start rollout of flag new-checkout variant on in production: step 1\/2, weight 10%/,
      );
      expect(message).toContain('Rollgate-Flag: new-checkout');
      expect(message).not.toContain('Rollgate-Service');
      expect(await state('new-checkout')).toMatchObject({
        version: 'off',
        stable: 'off',
        rollout: { strategy: 'flag', version: 'on', step: 1, weight: 10 },
      });
      // The diff of the start: the ConfigMap's JSON gains one line's worth, nothing else moves.
      const diff = await git(bare, 'show', '--format=', '-U0', 'main', '--', FLAG_FILE);
      expect(diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
        '-          "targeting": {}',
        '+          "targeting": {"fractional": [["on", 10], ["off", 90]]}',
      ]);
      expect(await buildAt(bare, root, 'apps/checkout/flags')).toHaveLength(1);

      const inHold = await runTick(config, deps(before(130)));
      expect(inHold.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'hold' });

      const step = await runTick(config, deps(before(110)));
      expect(step.exitCode).toBe(0);
      expect(step.rollouts[0]).toMatchObject({
        service: 'new-checkout',
        action: { kind: 'step', step: 2, weight: 50 },
      });
      expect((await flag('new-checkout')).buckets).toEqual([
        { variant: 'on', weight: 50 },
        { variant: 'off', weight: 50 },
      ]);
      expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toMatch(
        /Rollgate-Analysis: flag-errors=pass \(successful \d+, failed 0/,
      );

      const promote = await runTick(config, deps(before(70)));
      expect(promote.rollouts[0]?.action).toMatchObject({ kind: 'promote' });
      expect(await flag('new-checkout')).toMatchObject({
        defaultVariant: 'on',
        buckets: [
          { variant: 'on', weight: 100 },
          { variant: 'off', weight: 0 },
        ],
      });
      expect(await state('new-checkout')).toMatchObject({
        version: 'on',
        stable: 'on',
        rollout: { phase: 'promoted' },
      });
      expect(await buildAt(bare, root, 'apps/checkout/flags')).toHaveLength(1);
      // Nothing left to do: the next tick writes nothing.
      const head = await git(bare, 'rev-parse', 'main');
      const idle = await runTick(config, deps(before(60)));
      expect(idle.rollouts).toEqual([]);
      expect(await git(bare, 'rev-parse', 'main')).toBe(head);
      // The other flag in the same file never moved.
      expect((await flag('new-search')).buckets).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('rolls a failing flag back to a share of 0 (still ENABLED) with a hold; promote needs --reason again', async () => {
    const { bare, store, deps, flag, state } = await setup();
    const config = flagConfig(server.url);
    try {
      const started = await startFlagRollout(config, deps(before(25)), {
        environment: 'production',
        flag: 'new-search',
        ...who,
      });
      expect(started.result).toBe('committed');
      const report = await runTick(config, deps(before(1)));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'rollback', reasonCode: 'analysis.failed' });
      const after = await flag('new-search');
      expect(after).toMatchObject({
        state: 'ENABLED',
        defaultVariant: 'v1',
        buckets: [
          { variant: 'v2', weight: 0 },
          { variant: 'v1', weight: 100 },
        ],
      });
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toMatch(/^roll back flag new-search variant v2 in production: back to v1, v2 held/);
      expect(message).toContain('Rollgate-Flag: new-search');
      expect(message).toContain('Rollgate-Hold: v2');
      expect(message).toMatch(/Rollgate-Analysis: flag-errors=fail \(successful \d+, failed \d+/);
      expect(await state('new-search')).toMatchObject({
        holds: [{ version: 'v2', reason: 'analysis.failed' }],
        rollout: { phase: 'rolled-back', weight: 0 },
      });
      expect(await buildAt(bare, root, 'apps/checkout/flags')).toHaveLength(1);

      const denied = await startFlagRollout(config, deps(END), {
        environment: 'production',
        flag: 'new-search',
        ...who,
      });
      expect(denied).toMatchObject({ exitCode: 1, result: 'denied' });
      expect(denied.decision?.verdicts).toContainEqual(
        expect.objectContaining({ gate: 'hold', reasonCode: 'hold.active' }),
      );
      const lifted = await startFlagRollout(config, deps(END), {
        environment: 'production',
        flag: 'new-search',
        ...who,
        reason: 'fixed the index',
      });
      expect(lifted).toMatchObject({ exitCode: 0, result: 'committed' });
      expect((await flag('new-search')).buckets?.[0]).toEqual({ variant: 'v2', weight: 10 });
      expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain(
        'Rollgate-Reason: fixed the index',
      );
    } finally {
      await store.close();
    }
  });

  it('a hand edit of the share pauses the rollout (drift); a frozen environment refuses the start', async () => {
    const { bare, store, deps } = await setup();
    const config = flagConfig(server.url);
    try {
      await startFlagRollout(config, deps(before(150)), {
        environment: 'production',
        flag: 'new-checkout',
        ...who,
      });
      const { work } = { work: `${root}/work` };
      await git(work, 'pull', '--quiet', '--ff-only', 'origin', 'main');
      const text = await showFile(bare, FLAG_FILE);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        `${work}/${FLAG_FILE}`,
        text.replace('["on", 10], ["off", 90]', '["on", 30], ["off", 70]'),
      );
      await git(
        work,
        '-c',
        'user.name=bob',
        '-c',
        'user.email=bob@example.com',
        'commit',
        '--quiet',
        '-am',
        'more users',
      );
      await git(work, 'push', '--quiet', 'origin', 'HEAD:main');
      const report = await runTick(config, deps(before(110)));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'pause', reasonCode: 'drift' });
      expect(report.rollouts[0]?.action.kind === 'pause' && report.rollouts[0].action.message).toContain(
        'the variant share is 30, the state says 10',
      );
      // Saturday: the weekend freeze denies a start.
      const frozen = await startFlagRollout(config, deps(new Date('2026-12-05T12:00:00Z')), {
        environment: 'production',
        flag: 'new-search',
        ...who,
      });
      expect(frozen).toMatchObject({ exitCode: 1, result: 'denied' });
    } finally {
      await store.close();
    }
  });
});
