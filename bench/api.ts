import {
  commentEvent,
  makeScene,
  runAction,
  type Scene,
  type SceneOptions,
} from '../test/acceptance/harness.js';
import { atMost, type BenchRow } from './row.js';

// API requests (issue 10): counts, not timings. The committed dist/action.js runs as a process
// against the loopback GitHub simulator (test/sim) in an acceptance scene, and the simulator's
// request log is counted, with one service or PR and with several: the count must not grow.
// test/acceptance/requests.test.ts asserts the same counts request by request.

/** How many requests `run` made. */
async function count(s: Scene, run: () => Promise<unknown>): Promise<number> {
  const from = s.sim.requests.length;
  await run();
  if (s.sim.violations.length > 0) throw new Error(`simulator violations: ${s.sim.violations.join('; ')}`);
  return s.sim.requests.length - from;
}

async function withScene<T>(options: SceneOptions, body: (s: Scene) => Promise<T>): Promise<T> {
  const s = await makeScene(options);
  try {
    return await body(s);
  } finally {
    await s.close();
  }
}

const comment = (s: Scene, user: string, body: string) =>
  runAction(s, { event: 'issue_comment', payload: commentEvent(s, user, body) });

/** A row: `bound` requests at most, measured as the larger of a one-thing and a several-things run. */
function countRow(
  target: string,
  bound: number,
  options: SceneOptions,
  measure: (s: Scene) => Promise<{ one: number; several: number; what: string }>,
): BenchRow {
  return {
    target,
    measure: () =>
      withScene(options, async (s) => {
        const { one, several, what } = await measure(s);
        const worst = Math.max(one, several);
        return atMost(1, worst / bound, `${one} requests (${what}: ${several})`);
      }),
  };
}

export const rows: readonly BenchRow[] = [
  countRow('`/promote` (committed) <= 10 requests', 10, {}, async (s) => ({
    one: await count(s, () => comment(s, 'alice', '/promote dev checkout --version 1.5.0')),
    several: await count(s, () => comment(s, 'alice', '/promote dev checkout cart --version 1.6.0')),
    what: '2 services',
  })),
  countRow('`/promote` denied by a gate <= 8 requests', 8, {}, async (s) => ({
    one: await count(s, () => comment(s, 'alice', '/promote staging checkout --version 1.4.0')),
    several: await count(s, () => comment(s, 'alice', '/promote staging checkout cart --version 1.4.0')),
    what: '2 services',
  })),
  countRow('`/status` <= 4 requests, `/help` <= 4', 4, {}, async (s) => ({
    one: await count(s, () => comment(s, 'alice', '/status')),
    several: await count(s, () => comment(s, 'alice', '/help')),
    what: '/help',
  })),
  countRow('a `schedule` run where nothing changes: 2 requests', 2, { canary: true }, async (s) => {
    const schedule = () =>
      runAction(s, {
        event: 'schedule',
        payload: { schedule: '*/15 * * * *' },
        env: { PROMETHEUS_URL: 'http://127.0.0.1:9' },
      });
    await schedule(); // the first run sets the freeze status; the next ones change nothing
    const one = await count(s, schedule);
    for (const branch of ['feature-2', 'feature-3']) {
      const sha = await s.app.commit({ [`src/${branch}.ts`]: 'export {};\n' }, branch, new Date(), branch);
      await s.sim.addPull('acme/app', { user: 'carol', head: { ref: branch, sha } });
    }
    await schedule();
    return { one, several: await count(s, schedule), what: '3 open PRs' };
  }),
];
