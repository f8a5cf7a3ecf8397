import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, loseNextPushAnswer, tempDir } from '../helpers/repo.js';
import { canaryConfigText, gitopsFiles, seedRepo, simulated, startedRollouts } from './fixture.js';

// The rollout verbs through the CLI entry: tick, pause/resume/abort/advance, status, and the
// rules of --at on writing verbs (--simulate-clock, never before the head commit).

/** checkout as a Gateway API canary (5 -> 25 -> 50, every 30 min) in a fresh bare repository. */
async function checkoutCanary(root: string) {
  const { bare } = await seedRepo(root, gitopsFiles(['checkout'], 'gateway-api'), '2026-11-30T12:00:00Z');
  const config = join(root, 'rollgate.yaml');
  await writeFile(config, canaryConfigText(['checkout'], 'gateway-api', 'steps: [5, 25, 50]\ninterval: 30m'));
  return {
    bare,
    common: ['--config', config, '--gitops', bare],
    sim: (iso: string) => ['--at', iso, '--simulate-clock'],
  };
}

describe('rollout verbs of the CLI', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('promote starts, tick steps, commands steer, status shows it; --at needs --simulate-clock', async () => {
    const { bare, common, sim } = await checkoutCanary(root);

    const refused = await cli([
      'promote',
      'production',
      '--version',
      '1.5.0',
      '--at',
      '2026-12-01T10:00:00Z',
      ...common,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --simulate-clock');
    const early = await cli([
      'promote',
      'production',
      '--version',
      '1.5.0',
      ...sim('2026-11-29T10:00:00Z'),
      ...common,
    ]);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('is before the GitOps head commit');

    const started = await cli([
      'promote',
      'production',
      '--version',
      '1.5.0',
      ...sim('2026-12-01T10:00:00Z'),
      ...common,
    ]);
    expect(started.code).toBe(0);
    expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain('Rollgate-Clock: simulated');

    const wait = await cli(['tick', '--json', ...sim('2026-12-01T10:10:00Z'), ...common]);
    expect(wait.code).toBe(0);
    const report = JSON.parse(wait.stdout) as {
      schema_version: number;
      rollouts: { action: { kind: string; nextEligibleAt?: string } }[];
    };
    expect(report.schema_version).toBe(1);
    expect(report.rollouts[0]?.action).toMatchObject({
      kind: 'wait',
      nextEligibleAt: '2026-12-01T10:30:00.000Z',
    });

    const step = await cli([
      'tick',
      'production',
      '--service',
      'checkout',
      ...sim('2026-12-01T10:31:00Z'),
      ...common,
    ]);
    expect(step.code).toBe(0);
    expect(step.stdout).toContain('step (hold.done): step 2/3: canary weight 5% -> 25%');

    const pause = await cli([
      'pause',
      'production',
      '--reason',
      'watching the dashboards',
      ...sim('2026-12-01T10:35:00Z'),
      ...common,
    ]);
    expect(pause.code).toBe(0);
    expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain(
      'Rollgate-Reason: watching the dashboards',
    );
    expect((await cli(['advance', 'production', ...sim('2026-12-01T10:36:00Z'), ...common])).code).toBe(1);

    const status = await cli(['status', '--json', ...common]);
    const rows = (
      JSON.parse(status.stdout) as { schema_version: number; environments: Record<string, unknown>[] }
    ).environments;
    expect(rows.find((r) => r.environment === 'production')).toMatchObject({
      version: '1.4.0',
      stable: '1.4.0',
      // No state file before the rollout: the first rollgate commit dates the stable version (conservative).
      since: '2026-12-01T10:00:00.000Z',
      rollout: {
        version: '1.5.0',
        phase: 'paused',
        active: true,
        step: 2,
        steps: 3,
        weight: 25,
        reason: 'operator',
      },
      holds: [],
      drift: [],
    });
    const text = await cli(['status', ...common]);
    expect(text.stdout).toMatch(
      /production\s+checkout\s+1\.4\.0\s+1\.4\.0\s+2026-12-01T10:00:00\.000Z\s+1\.5\.0 paused step 2\/3 at 25%/,
    );

    expect((await cli(['resume', 'production', ...sim('2026-12-01T10:40:00Z'), ...common])).code).toBe(0);
    const advance = await cli(['advance', 'production', ...sim('2026-12-01T10:41:00Z'), ...common]);
    expect(advance.code).toBe(0);
    expect(advance.stdout).toContain('step (operator.advance)');
    const back = await cli(['rollback', 'production', ...sim('2026-12-01T10:42:00Z'), ...common]);
    expect(back.code).toBe(0);
    expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toContain(
      'abort rollout of checkout 1.5.0 in production: back to 1.4.0, 1.5.0 held',
    );
    const held = await cli(['status', ...common]);
    expect(held.stdout).toContain(
      'production/checkout: 1.5.0 held since 2026-12-01T10:42:00.000Z (operator); promote --reason lifts it',
    );
    const nothing = await cli(['abort', 'production', ...sim('2026-12-01T10:43:00Z'), ...common]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('no active rollout in production');
  });

  // A push whose answer was lost: the remote moved the branch, then the connection dropped (a
  // reference-transaction hook kills receive-pack once the ref update is committed, before it can
  // report), so git push fails although the commit landed. The tick finds its own commit by its
  // trailers (Rollgate-Run names this invocation) and reports the step it made, exit 0, not an I/O
  // failure (exit 3) that would have an operator look for a step that is not missing.
  it('a tick whose push answer was lost reports the step it made (Rollgate-Run)', async () => {
    const { bare, common, sim } = await checkoutCanary(root);
    const started = await cli([
      'promote',
      'production',
      '--version',
      '1.5.0',
      ...sim('2026-12-01T10:00:00Z'),
      ...common,
    ]);
    expect(started.code, started.stderr).toBe(0);
    expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toMatch(/^Rollgate-Run: cli:[0-9a-f]{8}$/m);
    const before = await git(bare, 'rev-parse', 'main');
    const hook = await loseNextPushAnswer(bare);
    const step = await cli(['tick', 'production', ...sim('2026-12-01T10:31:00Z'), ...common]);
    // The hook ran: the answer was lost once, after the branch moved.
    await expect(access(hook)).rejects.toThrow();
    expect(step.code, step.stderr).toBe(0);
    const head = (await git(bare, 'rev-parse', 'main')).trim();
    expect(await git(bare, 'rev-list', '--count', `${before.trim()}..main`)).toBe('1\n');
    expect(step.stdout).toContain('step (hold.done): step 2/3: canary weight 5% -> 25%');
    expect(step.stdout).toContain(`[${head.slice(0, 12)}]`);
    const message = await git(bare, 'log', '-1', '--format=%B', 'main');
    expect(message).toMatch(/^Rollgate-Step: 2\/3$/m);
    expect(message).toMatch(/^Rollgate-Run: cli:[0-9a-f]{8}$/m);
    // Another invocation has another run: the promotion's commit is not the tick's.
    expect(message.match(/^Rollgate-Run: .*$/m)?.[0]).not.toBe(
      (await git(bare, 'log', '-1', '--format=%B', before.trim())).match(/^Rollgate-Run: .*$/m)?.[0],
    );
  });

  // Issue 10: a rollback of several services is one read and one commit. Both services roll out
  // (one promote started both): `rollback` aborts both in one commit, with one Rollgate-Service line
  // per service (the version they share once), each back to its stable version and held: the commit
  // `abort` of both writes (commands-together.test.ts).
  it('rollback of two services with active rollouts aborts both in one commit, as abort does', async () => {
    const { bare, common } = await startedRollouts(root, ['checkout', 'cart']);
    const sim = simulated;
    const before = (await git(bare, 'rev-parse', 'main')).trim();
    const back = await cli([
      'rollback',
      'production',
      '--reason',
      'bad build',
      ...sim('2026-12-01T10:05:00Z'),
      ...common,
    ]);
    expect(back.code, back.stderr).toBe(0);
    expect(await git(bare, 'rev-list', '--count', `${before}..main`)).toBe('1\n');
    const message = await git(bare, 'log', '-1', '--format=%B', 'main');
    expect(message.split('\n')[0]).toBe('abort rollouts of checkout, cart in production');
    const trailers = message
      .split('\n')
      .filter((l) => /^Rollgate-(Service|Version|Phase|Hold|Reason):/.test(l));
    expect(trailers).toEqual([
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Version: 1.5.0',
      'Rollgate-Phase: aborted',
      'Rollgate-Hold: 1.5.0',
      'Rollgate-Reason: bad build',
    ]);
    for (const service of ['checkout', 'cart']) {
      const route = await git(bare, 'show', `main:apps/${service}/overlays/production/traffic.yaml`);
      expect([...route.matchAll(/weight: (\d+)/g)].map((m) => Number(m[1]))).toEqual([100, 0]);
      const state = await git(bare, 'show', `main:.rollgate/state/production/${service}.yaml`);
      expect(state).toMatch(/phase: "?aborted"?/);
      expect(state).toMatch(/^holds:/m);
    }
    expect(back.stdout).toContain('production/checkout 1.5.0');
    expect(back.stdout).toContain('production/cart 1.5.0');
    expect((await cli(['status', ...common])).stdout).toContain('production/cart: 1.5.0 held');
  });

  it('tick exits 3 when Prometheus cannot be reached, and writes nothing', async () => {
    const { bare } = await seedRepo(root, gitopsFiles(['checkout'], 'gateway-api'), '2026-11-30T12:00:00Z');
    const config = join(root, 'rollgate.yaml');
    await writeFile(config, canaryConfigText(['checkout'], 'gateway-api'));
    const common = ['--config', config, '--gitops', bare];
    expect(
      (
        await cli([
          'promote',
          'production',
          '--version',
          '1.5.0',
          '--at',
          '2026-12-01T10:00:00Z',
          '--simulate-clock',
          ...common,
        ])
      ).code,
    ).toBe(0);
    const before = await git(bare, 'rev-parse', 'main');
    const tick = await cli(['tick', '--json', '--at', '2026-12-01T10:31:00Z', '--simulate-clock', ...common]);
    expect(tick.code).toBe(3);
    const report = JSON.parse(tick.stdout) as {
      rollouts: { action: { kind: string; reasonCode: string } }[];
    };
    expect(report.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'analysis.error' });
    expect(await git(bare, 'rev-parse', 'main')).toBe(before);
  });
});
