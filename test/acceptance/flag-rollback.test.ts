import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../../src/cli/prometheus-server.js';
import { startReceiver, type Receiver } from '../notify/receiver.js';
import { FLAG_FILE, flagErrorsGate, startedFlagFiles } from '../rollout/flag-fixture.js';
import { gitOk } from '../sim/git.js';
import { APP_CONFIG, runAction, type Scene } from './harness.js';
import { botComments, result, setUp, useScenes } from './scenarios.js';

// A flag rollout that a failing analysis rolls back on the Action's schedule tick, end to end: the
// built dist/action.js, the loopback GitHub simulator, real git repositories and a real Prometheus
// (backfilled by promtool) where the variant v2 of `new-search` fails 10% of its requests since
// twenty minutes ago. The tick takes its share back to 0, holds it, and the sticky comment, the
// deployment status and the webhook all say so, in the flag's words.

useScenes();

const MIN = 60_000;
const MARKER = '<!-- rollgate:production -->';

/** Requests per 15 s of new-search's v2, from an hour ago to 30 minutes ahead; 10% fail since 20 minutes ago. */
function failingVariant(now: number): string {
  const lines = ['# HELP http_requests Requests served.', '# TYPE http_requests counter'];
  const first = Math.floor((now - 60 * MIN) / 15_000) * 15;
  const last = Math.floor((now + 30 * MIN) / 15_000) * 15;
  for (const code of ['200', '500'] as const) {
    let count = 0;
    for (let t = first; t <= last; t += 15) {
      const failed = t * 1000 > now - 20 * MIN ? 10 : 0;
      count += code === '200' ? 100 - failed : failed;
      lines.push(
        `http_requests_total{job="checkout",flag="new-search",variant="v2",code="${code}"} ${count} ${t}`,
      );
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

let prometheus: PrometheusServer;
let receiver: Receiver;
beforeAll(async () => {
  prometheus = await startPrometheus(failingVariant(Date.now()));
  receiver = await startReceiver();
}, 120_000);
afterAll(async () => {
  await prometheus?.stop();
  await receiver?.close();
});

/** production rolls out new-search's v2 (analysis: flag-errors), at 10% since 15 minutes ago, from the scene's PR. */
async function rollingBack(): Promise<Scene> {
  const s = await setUp();
  const config = `${APP_CONFIG.replace('MODE', 'push').replace(
    '    gates: [year-2000-freeze]\n',
    `    flags:
      new-search:
        file: ${FLAG_FILE}
        variant: v2
        steps: [10, 50]
        interval: 30m
        analysis: [flag-errors]
`,
  )}${flagErrorsGate('${PROMETHEUS_URL}')}notify:
  deploy-log:
    kind: webhook
    url: "\${RECEIVER}/ok/hook"
`;
  await s.app.commit({ '.github/rollgate.yaml': config }, 'app: roll out new-search v2');
  const start = new Date(Date.now() - 15 * MIN);
  await s.gitops.commit(
    startedFlagFiles({
      flag: 'new-search',
      variant: 'v2',
      stable: 'v1',
      weight: 10,
      steps: 2,
      start,
      landedAt: new Date(Date.now() - 48 * 60 * MIN),
      source: `https://github.com/acme/app/pull/${s.pr.number}`,
    }),
    'start rollout of flag new-search variant v2 in production: step 1/2, weight 10%',
    start,
  );
  return s;
}

describe(
  'acceptance: a flag rollout rolled back by its analysis on the schedule',
  { timeout: 240_000 },
  () => {
    it('the tick takes the share back to 0 and holds v2; the sticky, the deployment status and the webhook say so', async () => {
      const s = await rollingBack();
      const before = await s.gitops.head();
      const ran = await runAction(s, {
        event: 'schedule',
        payload: { schedule: '*/5 * * * *' },
        env: { PROMETHEUS_URL: prometheus.url, RECEIVER: receiver.url },
      });
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
      expect(ran.outputs).toMatchObject({ phase: 'rolled-back', weight: '0' });
      expect(result(ran)).toMatchObject({
        status: 'committed',
        rollouts: [{ flag: 'new-search', version: 'v2', action: 'rollback', reason_code: 'analysis.failed' }],
      });
      expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
      const message = await gitOk(s.gitops.dir, ['log', '-1', '--format=%B', 'main']);
      expect(message).toMatch(/^roll back flag new-search variant v2 in production/);
      expect(message).toMatch(/^Rollgate-Flag: new-search$/m);
      expect(message).toMatch(/^Rollgate-Hold: v2$/m);
      // Share 0, not DISABLED; the defaultVariant stays v1.
      const flagFile = await s.gitops.show('main', FLAG_FILE);
      expect(flagFile).toContain('"targeting": {"fractional": [["v2", 0], ["v1", 100]]}');
      expect(flagFile).not.toContain('DISABLED');

      const [report] = botComments(s).filter(
        (c) => c.issueNumber === s.pr.number && c.body.startsWith(MARKER),
      );
      expect(report?.body).toContain('rollout of flag new-search variant v2: rolled-back');
      expect(report?.body).toContain('variant `v2` serves **0%** of users');
      expect(report?.body).toMatch(/\| ❌ fail \| flag-errors \| analysis \| successful \d+, failed \d+/);
      expect(report?.body).toContain('the variant serves 0% of users (the flag stays ENABLED) and is held');
      expect(s.sim.state.deploymentStatuses.map((st) => [st.state, st.description])).toEqual([
        ['failure', 'flag new-search: variant v2 rolled back to 0%, v1 for everyone; held'],
      ]);
      expect(s.sim.state.deployments[0]?.payload).toMatchObject({
        flag: 'new-search',
        variant: 'v2',
        weight: 0,
      });
      expect(receiver.received.map((r) => r.body)).toEqual([
        expect.objectContaining({
          event: 'rolled-back',
          flag: 'new-search',
          version: 'v2',
          stable: 'v1',
          weight: 0,
          reason_code: 'analysis.failed',
          summary: 'flag new-search variant v2 in production: rolled back to 0% (everyone on v1); v2 is held',
        }),
      ]);
    });
  },
);
