import { describe, expect, it } from 'vitest';
import { flagStatePath } from '../../src/core/state.js';
import { gitOk } from '../sim/git.js';
import { FLAG_FILE, startedFlagFiles } from '../rollout/flag-fixture.js';
import { APP_CONFIG, runAction, type Scene } from './harness.js';
import { result, setUp, useScenes } from './scenarios.js';

// Flag rollouts through the Action's schedule tick, end to end (dist/action.js, the loopback
// GitHub simulator, real git repositories): a configuration whose only progressive rollout is a
// flag rollout still gets its tick (issue 9).

useScenes();

const MIN = 60_000;
const STATE = flagStatePath('production', 'new-checkout');

/** production rolls out the flag new-checkout (no canary:, no freeze), started at 10% forty minutes ago. */
async function flagScene(): Promise<Scene> {
  const s = await setUp();
  const config = APP_CONFIG.replace('MODE', 'push').replace(
    '    gates: [year-2000-freeze]\n',
    // No freeze here (the scene's year-2000 freeze would hold every step).
    `    flags:
      new-checkout:
        file: ${FLAG_FILE}
        variant: "on"
        steps: [10, 50]
        interval: 30m
`,
  );
  await s.app.commit({ '.github/rollgate.yaml': config }, 'app: roll out the flag new-checkout');
  const start = new Date(Date.now() - 40 * MIN);
  // What the rollout's first commit writes: the first share, the state file.
  await s.gitops.commit(
    startedFlagFiles({
      flag: 'new-checkout',
      variant: 'on',
      stable: 'off',
      weight: 10,
      steps: 2,
      start,
      landedAt: new Date(Date.now() - 48 * 60 * MIN),
    }),
    'start rollout of flag new-checkout variant on in production: step 1/2, weight 10%',
    start,
  );
  return s;
}

describe('acceptance: flag rollouts on the schedule tick', { timeout: 240_000 }, () => {
  it('a config with only a flag rollout: the schedule tick steps the flag (one commit, Rollgate-Flag)', async () => {
    const s = await flagScene();
    const before = await s.gitops.head();
    const ran = await runAction(s, { event: 'schedule', payload: { schedule: '*/5 * * * *' } });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(result(ran), ran.stdout).toMatchObject({ status: 'committed' });
    expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    const message = await gitOk(s.gitops.dir, ['log', '-1', '--format=%B', 'main']);
    expect(message).toMatch(/^step flag new-checkout variant on in production: step 2\/2, weight 50%/);
    expect(message).toMatch(/^Rollgate-Flag: new-checkout$/m);
    expect(message).toMatch(/^Rollgate-Weight: 50$/m);
    expect(await s.gitops.show('main', FLAG_FILE)).toContain('"fractional": [["on", 50], ["off", 50]]');
    expect(await s.gitops.show('main', STATE)).toMatch(/^ {2}weight: 50$/m);
  });
});
