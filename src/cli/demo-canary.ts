import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { examplesDir, git, seedGitOps } from './demo-repo.js';
import { trafficOpenMetrics, type TrafficSegment } from './demo-traffic.js';
import { clockOn, type DemoStep, demoWalker, type Run, simulatedWrite } from './demo-walk.js';
import type { CliIo } from './io.js';
import { startPrometheus } from './prometheus-server.js';

// `rollgate demo canary` (npm run demo:canary): checkout goes to production as a canary that
// rollgate steps through git, judged by a real Prometheus. Every step is a plain rollgate command
// line; the clock moves by `--at` (with `--simulate-clock` on the writing verbs, so the commits
// say their time is simulated). The metrics are what the cluster would have served at those
// times: TRAFFIC below, backfilled into Prometheus with promtool before the walk starts.

const DAY = '2026-11-24'; // a Tuesday: no weekend freeze, no holidays
const at = clockOn(DAY);
const time = (hhmm: string) => new Date(at(hhmm));

const write = simulatedWrite(at);

export const CANARY_STEPS: readonly DemoStep[] = [
  {
    title: '09:00 1.5.0 goes to staging (no canary there: the whole environment at once)',
    argv: write('promote', '09:00', 'staging', '--service', 'checkout', '--version', '1.5.0'),
    expect: 0,
  },
  {
    title:
      '10:00 1.5.0 to production starts a rollout: the canary Deployment gets 1.5.0 and 5% of the traffic',
    argv: write('promote', '10:00', 'production', '--service', 'checkout', '--version', '1.5.0'),
    expect: 0,
  },
  {
    title: '10:05 a tick: analysis passes, the 10m hold is not over; nothing is written',
    argv: write('tick', '10:05'),
    expect: 0,
  },
  {
    title: '10:10 a tick: the hold is over and the canary is healthy: 25%',
    argv: write('tick', '10:10'),
    expect: 0,
  },
  {
    title: '10:15 where things stand',
    argv: ['status', '--at', at('10:15')],
    expect: 0,
  },
  {
    title: '10:20 a tick: 50%',
    argv: write('tick', '10:20'),
    expect: 0,
  },
  {
    title:
      '10:30 a tick: the last step held; promote: the stable Deployment runs 1.5.0, the canary weight goes to 0',
    argv: write('tick', '10:30'),
    expect: 0,
  },
  {
    title: '11:00 a tick: 30 minutes of verify analysis passed; 1.5.0 is the stable version',
    argv: write('tick', '11:00'),
    expect: 0,
  },
  {
    title: '13:00 1.6.0 goes to staging',
    argv: write('promote', '13:00', 'staging', '--service', 'checkout', '--version', '1.6.0'),
    expect: 0,
  },
  {
    title: '14:00 1.6.0 to production: a new rollout at 5%',
    argv: write('promote', '14:00', 'production', '--service', 'checkout', '--version', '1.6.0'),
    expect: 0,
  },
  {
    title: '14:10 a tick: 0.4% of canary requests fail at 5%, under the 1% threshold: 25%',
    argv: write('tick', '14:10'),
    expect: 0,
  },
  {
    title:
      '14:16 a tick: at 25% 6% of canary requests fail; analysis fails: roll back to 1.5.0 and hold 1.6.0',
    argv: write('tick', '14:16'),
    expect: 0,
  },
  {
    title: '14:30 promoting 1.6.0 again is refused while the hold is on (a promote with --reason lifts it)',
    argv: write('promote', '14:30', 'production', '--service', 'checkout', '--version', '1.6.0'),
    expect: 1,
  },
];

/** The last word: where every environment and rollout stands. */
const STATUS: DemoStep = {
  title: '15:00 where everything stands',
  argv: ['status', '--at', at('15:00')],
  expect: 0,
};

/** What the cluster served: the canary's share and each track's error ratio, from these times on. */
export const TRAFFIC: readonly TrafficSegment[] = [
  { from: time('08:00'), canaryWeight: 0, stableErrors: 0.001, canaryErrors: 0 }, // 1.3.0 everywhere
  { from: time('10:00'), canaryWeight: 5, stableErrors: 0.001, canaryErrors: 0.002 }, // canary 1.5.0
  { from: time('10:10'), canaryWeight: 25, stableErrors: 0.001, canaryErrors: 0.002 },
  { from: time('10:20'), canaryWeight: 50, stableErrors: 0.001, canaryErrors: 0.002 },
  { from: time('10:30'), canaryWeight: 0, stableErrors: 0.002, canaryErrors: 0 }, // stable 1.5.0
  { from: time('14:00'), canaryWeight: 5, stableErrors: 0.002, canaryErrors: 0.004 }, // canary 1.6.0
  { from: time('14:10'), canaryWeight: 25, stableErrors: 0.002, canaryErrors: 0.06 }, // fails under load
  { from: time('14:16'), canaryWeight: 0, stableErrors: 0.002, canaryErrors: 0 }, // rolled back
];
export const TRAFFIC_UNTIL = time('15:00');

export async function runCanaryDemo(keep: boolean, io: CliIo, run: Run): Promise<number> {
  const examples = examplesDir();
  io.stdout(
    'rollgate canary demo: starting a real Prometheus, backfilled by promtool with the traffic of the story…',
  );
  const prometheus = await startPrometheus(trafficOpenMetrics('checkout', TRAFFIC, TRAFFIC_UNTIL));
  const root = await mkdtemp(join(tmpdir(), 'rollgate-canary-demo-'));
  try {
    const gitops = await seedGitOps(root, examples);
    const config = resolve(examples, 'app', '.github', 'rollgate-canary.yaml');
    io.stdout(`Prometheus: ${prometheus.url} (PROMETHEUS_URL for the config's metric gates)`);
    io.stdout(`GitOps repository: ${gitops}, seeded with checkout 1.3.0 in every environment.`);
    io.stdout(
      `Config: ${config}: production steps a canary 5% -> 25% -> 50% every 10m, judged by canary-errors (at most 1% of canary requests fail), then verifies for 30m.`,
    );
    io.stdout(
      'Each step is a plain rollgate command; --at moves the clock (--simulate-clock on writing verbs).\n',
    );
    const stepIo: CliIo = { ...io, env: { ...io.env, PROMETHEUS_URL: prometheus.url } };
    const common = ['--config', config, '--gitops', gitops, '--requested-by', 'release-manager'];
    const walker = demoWalker({
      gitops,
      common,
      io,
      stepIo,
      run,
      // promote prints its own diff; a tick or a command prints one line per rollout.
      show: (step) => (step.argv[0] === 'promote' ? { options: ['--no-patch'] } : {}),
    });
    const walk = walker.step;
    for (const [i, step] of CANARY_STEPS.entries()) await walk(step, i + 1);
    io.stdout('\n=== The GitOps history: one commit per rollout action');
    io.stdout('$ git log --format="%h %cI %s"');
    io.stdout(await git(gitops, ['log', '--format=%h %cI %s']));
    await walk(STATUS, CANARY_STEPS.length + 1);
    return walker.failures() === 0 ? 0 : 3;
  } finally {
    await prometheus.stop();
    if (keep) io.stdout(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}
