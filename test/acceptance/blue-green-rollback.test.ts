import { describe, expect, it } from 'vitest';
import { formatState, statePath, type ServiceState } from '../../src/core/state.js';
import { blueGreenFiles } from '../rollout/blue-green-fixture.js';
import { gitOk } from '../sim/git.js';
import { APP_CONFIG, runAction, trailers, type Scene } from './harness.js';
import { botComments, CHECKOUT_PROD, comment, result, setUp, useScenes } from './scenarios.js';

// `/rollback production` in the Action after a blue-green rollout finished (the old colour scaled
// down), end to end: the built dist/action.js, the loopback GitHub simulator, real git. The comment
// writes the scale-up commit of the previous colour (the traffic does not move); the schedule's tick
// switches back (no readiness gates here, and the scene's production freeze does not block it:
// nothing blocks a rollback).

useScenes();

const MIN = 60_000;
const TRAFFIC = 'apps/checkout/overlays/production/traffic.yaml';
const STATE = statePath('production', 'checkout');

/** production is blue-green; checkout's 1.6.0 is live on green, blue still holds 1.5.0 at 0 replicas. */
async function finishedRollout(): Promise<Scene> {
  const s = await setUp();
  const config = APP_CONFIG.replace('MODE', 'push').replace(
    '    gates: [year-2000-freeze]\n',
    `    gates: [year-2000-freeze]
    services: [checkout]
    blueGreen:
      blue: { image: "{{service}}-blue" }
      green: { image: "{{service}}-green" }
      traffic: { kind: gateway-api, file: traffic.yaml, route: "{{service}}", blue: "{{service}}-blue", green: "{{service}}-green" }
      replicas: 4
      scaleDownDelay: 30m
`,
  );
  await s.app.commit({ '.github/rollgate.yaml': config }, 'app: production is blue-green');
  const files = blueGreenFiles('gateway-api', '1.5.0');
  // The history: 1.5.0 landed on blue two days ago, 1.6.0 switched to on green 90 minutes ago.
  await s.gitops.commit(
    files,
    trailers('production', ['checkout'], '1.5.0'),
    new Date(Date.now() - 48 * 60 * MIN),
  );
  const at = new Date(Date.now() - 90 * MIN).toISOString();
  const state: ServiceState = {
    schema_version: 1,
    environment: 'production',
    service: 'checkout',
    version: '1.6.0',
    stable: '1.6.0',
    landedAt: at,
    rollout: {
      strategy: 'blue-green',
      version: '1.6.0',
      phase: 'scaled-down',
      step: 0,
      steps: 1,
      weight: 100,
      windowStart: at,
      startedAt: at,
    },
  };
  await s.gitops.commit(
    {
      ...files,
      [TRAFFIC]: (files[TRAFFIC] ?? '')
        .replace('weight: 100 # live', 'weight: 0 # live')
        .replace(/weight: 0\n$/, 'weight: 100\n'),
      [CHECKOUT_PROD]: (files[CHECKOUT_PROD] ?? '')
        .replace('count: 4 # sized for peak', 'count: 0 # sized for peak')
        .replace('name: checkout-green\n    count: 0', 'name: checkout-green\n    count: 4')
        .replace(
          /(name: checkout-green\n {4}newName: ghcr\.io\/acme\/checkout\n {4}newTag: )"1\.5\.0"/,
          '$1"1.6.0"',
        ),
      [STATE]: formatState(state),
    },
    `${trailers('production', ['checkout'], '1.6.0').replace(
      'promote checkout 1.6.0 to production',
      'switch production checkout to green (1.6.0)',
    )}\nRollgate-Phase: switched`,
    new Date(at),
  );
  return s;
}

describe(
  'acceptance: /rollback of a blue-green environment after the scale-down',
  { timeout: 240_000 },
  () => {
    it('the comment scales the previous colour up; the schedule switches back, freeze or not', async () => {
      const s = await finishedRollout();
      const traffic = await s.gitops.show('main', TRAFFIC);
      expect(traffic).toContain('- name: checkout-green\n          port: 80\n          weight: 100');

      const run = await comment(s, 'alice', '/rollback production checkout --reason "INC-12 1.6.0 errors"');
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(result(run)).toMatchObject({ status: 'committed', version: '1.5.0' });
      expect(s.sim.state.apiCommits[0]?.headline).toBe(
        'scale up blue with 1.5.0 to roll production checkout back from 1.6.0; the switch follows once it is ready',
      );
      expect(s.sim.state.apiCommits[0]?.body).toContain('Rollgate-Decision: rollback (gates skipped)');
      expect(s.sim.state.apiCommits[0]?.body).toContain('Rollgate-Hold: 1.6.0');
      expect(await s.gitops.show('main', TRAFFIC)).toBe(traffic);
      const overlay = await s.gitops.show('main', CHECKOUT_PROD);
      expect(overlay).toContain('name: checkout-blue\n    count: 4');
      expect(await s.gitops.show('main', STATE)).toContain('rollbackOf: "1.6.0"');
      // The pull request's report draws the rollback's stages, not canary steps.
      const report = botComments(s).find((c) => c.body.startsWith('<!-- rollgate:production -->'));
      expect(report?.body).toContain('pv["scale up<br/>1.5.0"]');
      expect(report?.body).toContain('rollback of 1.6.0: scale up → switch back once ready');
      expect(report?.body).not.toContain('canary weight');

      const before = await s.gitops.head();
      const tick = await runAction(s, { event: 'schedule', payload: { schedule: '*/5 * * * *' } });
      expect(tick.code, tick.stdout + tick.stderr).toBe(0);
      expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
      expect(await gitOk(s.gitops.dir, ['log', '-1', '--format=%s', 'main'])).toBe(
        'switch production checkout back to blue (1.5.0), 1.6.0 held',
      );
      expect(await s.gitops.show('main', TRAFFIC)).toContain(
        '- name: checkout-blue\n          port: 80\n          weight: 100 # live\n        - name: checkout-green\n          port: 80\n          weight: 0',
      );
      const stateAfter = await s.gitops.show('main', STATE);
      expect(stateAfter).toContain('version: "1.5.0"');
      expect(stateAfter).toContain('stable: "1.5.0"');
      expect(stateAfter).toContain('phase: switched');
    });
  },
);
