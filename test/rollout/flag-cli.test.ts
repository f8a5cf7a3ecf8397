import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { flagStatePath } from '../../src/core/state.js';
import { git, loseNextPushAnswer, showFile, tempDir } from '../helpers/repo.js';
import { seedRepo } from './fixture.js';
import { FLAG_FILE, flagConfigText, flagRepoFiles } from './flag-fixture.js';

// Flag rollouts through the CLI entry: promote --flag starts one, tick --flag steps it, pause and
// resume steer it, rollback --flag takes its share back to 0 with a hold. No analysis here (the
// Prometheus end-to-end test is flag-rollout.test.ts).

/** The flag rollouts' repository and a config without analysis (no Prometheus here). */
async function flagRepo(root: string) {
  const { bare } = await seedRepo(root, flagRepoFiles(), '2026-11-30T12:00:00Z');
  const config = join(root, 'rollgate.yaml');
  await writeFile(
    config,
    flagConfigText('http://127.0.0.1:9').replaceAll('analysis: [flag-errors]', 'analysis: []'),
  );
  return { bare, config };
}

describe('flag rollouts through the CLI', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('promote --flag, tick --flag, pause, resume, rollback --flag', async () => {
    const { bare, config } = await flagRepo(root);
    const common = ['--config', config, '--gitops', bare];
    const sim = (iso: string) => ['--at', iso, '--simulate-clock'];

    const unknown = await cli([
      'promote',
      'production',
      '--flag',
      'nope',
      ...sim('2026-12-01T10:00:00Z'),
      ...common,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'production has no flag rollout nope; its flag rollouts are new-checkout, new-search',
    );

    const started = await cli([
      'promote',
      'production',
      '--flag',
      'new-checkout',
      ...sim('2026-12-01T10:00:00Z'),
      ...common,
    ]);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain('ALLOWED  flag new-checkout variant on -> production');
    expect(started.stdout).toContain('+          "targeting": {"fractional": [["on", 10], ["off", 90]]}');
    expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain('Rollgate-Clock: simulated');

    const again = await cli([
      'promote',
      'production',
      '--flag',
      'new-checkout',
      ...sim('2026-12-01T10:01:00Z'),
      ...common,
    ]);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('already rolling out') });

    const tick = await cli([
      'tick',
      'production',
      '--flag',
      'new-checkout',
      ...sim('2026-12-01T10:31:00Z'),
      ...common,
    ]);
    expect(tick.code).toBe(0);
    expect(tick.stdout).toContain('production/new-checkout on (stable off) progressing step 1/2 at 10%');
    expect(tick.stdout).toContain('step (hold.done)');
    expect(await showFile(bare, FLAG_FILE)).toContain('[["on", 50], ["off", 50]]');

    const pause = await cli([
      'pause',
      'production',
      '--flag',
      'new-checkout',
      ...sim('2026-12-01T10:32:00Z'),
      ...common,
    ]);
    expect(pause.code).toBe(0);
    const resume = await cli([
      'resume',
      'production',
      '--flag',
      'new-checkout',
      ...sim('2026-12-01T10:33:00Z'),
      ...common,
    ]);
    expect(resume.code).toBe(0);
    // Services only: the flag rollout is not ticked.
    const services = await cli([
      'tick',
      'production',
      '--service',
      'checkout',
      ...sim('2026-12-01T11:30:00Z'),
      ...common,
    ]);
    expect(services).toMatchObject({ code: 0, stdout: 'no active rollout' });

    const back = await cli([
      'rollback',
      'production',
      '--flag',
      'new-checkout',
      '--reason',
      'checkout errors',
      ...sim('2026-12-01T10:40:00Z'),
      ...common,
    ]);
    expect(back.code).toBe(0);
    expect(await showFile(bare, FLAG_FILE)).toContain('[["on", 0], ["off", 100]]');
    const state = await showFile(bare, flagStatePath('production', 'new-checkout'));
    expect(state).toContain('phase: aborted');
    expect(state).toContain('- version: "on"');
    const message = await git(bare, 'log', '-1', '--format=%B', 'main');
    expect(message).toContain('Rollgate-Flag: new-checkout');
    expect(message).toContain('Rollgate-Reason: checkout errors');

    const held = await cli([
      'promote',
      'production',
      '--flag',
      'new-checkout',
      ...sim('2026-12-01T10:41:00Z'),
      ...common,
    ]);
    expect(held.code).toBe(1);
    expect(held.stdout).toContain('DENIED   flag new-checkout variant on -> production');
  });

  // A push whose answer was lost (the branch moved, then the connection dropped): the start finds
  // its own commit by Rollgate-Run and reports it, exit 0, instead of an I/O failure (exit 3).
  it('promote --flag whose push answer was lost reports the start it made (Rollgate-Run)', async () => {
    const { bare, config } = await flagRepo(root);
    const before = (await git(bare, 'rev-parse', 'main')).trim();
    const hook = await loseNextPushAnswer(bare);
    const started = await cli([
      'promote',
      'production',
      '--flag',
      'new-checkout',
      '--at',
      '2026-12-01T10:00:00Z',
      '--simulate-clock',
      '--config',
      config,
      '--gitops',
      bare,
    ]);
    await expect(access(hook)).rejects.toThrow();
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain('ALLOWED  flag new-checkout variant on -> production');
    expect(await git(bare, 'rev-list', '--count', `${before}..main`)).toBe('1\n');
    const message = await git(bare, 'log', '-1', '--format=%B', 'main');
    expect(message).toMatch(/^Rollgate-Flag: new-checkout$/m);
    expect(message).toMatch(/^Rollgate-Run: cli:[0-9a-f]{8}$/m);
    expect(await showFile(bare, flagStatePath('production', 'new-checkout'))).toContain('new-checkout');
  });

  it('status lists flag rollouts (table and --json) from their state files, in the same read', async () => {
    const { bare, config } = await flagRepo(root);
    const common = ['--config', config, '--gitops', bare];
    const started = await cli([
      'promote',
      'production',
      '--flag',
      'new-checkout',
      '--at',
      '2026-12-01T10:00:00Z',
      '--simulate-clock',
      ...common,
    ]);
    expect(started.code, started.stderr).toBe(0);

    const json = await cli(['status', '--json', ...common]);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { flags: unknown[] };
    expect(parsed.flags).toEqual([
      {
        environment: 'production',
        flag: 'new-checkout',
        variant: 'on',
        stable: 'off', // the defaultVariant the users outside the rollout stay on
        rollout: expect.objectContaining({
          version: 'on',
          phase: 'progressing',
          active: true,
          step: 1,
          steps: 2,
          weight: 10,
          since: '2026-12-01T10:00:00.000Z',
          nextEligibleAt: '2026-12-01T10:30:00.000Z',
        }),
        holds: [],
        drift: [],
      },
      // Not started: listed, with no rollout.
      { environment: 'production', flag: 'new-search', variant: 'v2', holds: [], drift: [] },
    ]);

    const table = await cli(['status', ...common]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/ENVIRONMENT\s+FLAG\s+VARIANT\s+PHASE\s+STEP\s+SHARE/);
    expect(table.stdout).toMatch(/production\s+new-checkout\s+on\s+progressing\s+1\/2\s+10%/);
    expect(table.stdout).toMatch(/production\s+new-search\s+v2\s+-\s+-\s+-/);
    expect(table.stdout).toContain('production/flags/new-checkout: next eligible 2026-12-01T10:30:00.000Z');
  });
});
