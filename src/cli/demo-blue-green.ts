import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { examplesDir, git, seedGitOps } from './demo-repo.js';
import { clockOn, type DemoStep, demoWalker, type Run, simulatedWrite } from './demo-walk.js';
import type { CliIo } from './io.js';

// `rollgate demo blue-green` (npm run demo:blue-green): payments goes to production blue-green
// (examples/app/.github/rollgate-blue-green.yaml). Offline: a temp GitOps repository, rollgate's
// own command lines, a clock moved by `--at` (`--simulate-clock` on writing verbs). 1.4.0 goes to
// the idle colour, is previewed, switched to, and the old colour is scaled down; 1.5.0 goes to the
// other colour, is switched to, and an operator's abort inside the scale-down delay switches back
// in one commit.

const DAY = '2026-11-24'; // a Tuesday: no weekend freeze, no holidays
const at = clockOn(DAY);

const write = simulatedWrite(at);

export const BLUE_GREEN_STEPS: readonly DemoStep[] = [
  {
    title:
      '10:00 1.4.0 to production: the idle colour (green) gets 1.4.0 and 3 replicas; blue keeps all traffic',
    argv: write('promote', '10:00', 'production', '--service', 'payments', '--version', '1.4.0'),
    expect: 0,
  },
  {
    title: '10:05 a tick: the 10m preview is not over; nothing is written',
    argv: write('tick', '10:05'),
    expect: 0,
  },
  {
    title: '10:10 a tick: the preview is over: one commit switches the Service selector to green',
    argv: write('tick', '10:10'),
    expect: 0,
  },
  {
    title: '10:15 where things stand: switched, blue still up (the fast way back)',
    argv: ['status', '--at', at('10:15')],
    expect: 0,
  },
  {
    title: '10:40 a tick: 30m after the switch, blue is scaled to 0; 1.4.0 is the stable version',
    argv: write('tick', '10:40'),
    expect: 0,
  },
  {
    title: '13:00 1.5.0 to production: it goes to blue, idle now, scaled back up',
    argv: write('promote', '13:00', 'production', '--service', 'payments', '--version', '1.5.0'),
    expect: 0,
  },
  {
    title: '13:10 a tick: the switch to blue',
    argv: write('tick', '13:10'),
    expect: 0,
  },
  {
    title: '13:12 payments errors after the switch: abort is one commit that switches back to green',
    argv: write('abort', '13:12', 'production', '--reason', 'card declines after the switch'),
    expect: 0,
  },
  {
    title: '13:20 promoting 1.5.0 again is refused while the hold is on (a promote with --reason lifts it)',
    argv: write('promote', '13:20', 'production', '--service', 'payments', '--version', '1.5.0'),
    expect: 1,
  },
];

const STATUS: DemoStep = {
  title: '14:00 where everything stands',
  argv: ['status', '--at', at('14:00')],
  expect: 0,
};

export async function runBlueGreenDemo(keep: boolean, io: CliIo, run: Run): Promise<number> {
  const examples = examplesDir();
  const root = await mkdtemp(join(tmpdir(), 'rollgate-blue-green-demo-'));
  try {
    const gitops = await seedGitOps(root, examples);
    const config = resolve(examples, 'app', '.github', 'rollgate-blue-green.yaml');
    io.stdout('rollgate blue-green demo (offline: a temp GitOps repository and rollgate command lines)');
    io.stdout(`GitOps repository: ${gitops}: payments 1.3.0 on blue (3 replicas, live), green idle at 0.`);
    io.stdout(
      `Config: ${config}: deploy to the idle colour, preview 10m, switch the Service selector, scale the old colour down 30m later.`,
    );
    io.stdout('--at moves the clock (--simulate-clock on writing verbs).\n');
    const common = ['--config', config, '--gitops', gitops, '--requested-by', 'release-manager'];
    const walker = demoWalker({ gitops, common, io, run, show: () => ({ paths: ['--', 'apps'] }) });
    const walk = walker.step;
    for (const [i, step] of BLUE_GREEN_STEPS.entries()) await walk(step, i + 1);
    io.stdout('\n=== The GitOps history: one commit per blue-green action');
    io.stdout('$ git log --format="%h %cI %s"');
    io.stdout(await git(gitops, ['log', '--format=%h %cI %s']));
    await walk(STATUS, BLUE_GREEN_STEPS.length + 1);
    return walker.failures() === 0 ? 0 : 3;
  } finally {
    if (keep) io.stdout(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}
