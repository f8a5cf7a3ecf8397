import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { runBlueGreenDemo } from './demo-blue-green.js';
import { runCanaryDemo } from './demo-canary.js';
import { runFlagsDemo } from './demo-flags.js';
import { examplesDir, git, seedGitOps } from './demo-repo.js';
import type { CliIo } from './io.js';

export { examplesDir, seedGitOps } from './demo-repo.js';

type Run = (argv: readonly string[], io: CliIo) => Promise<number>;

/** One step of the walk: the command line and the exit code it must give. */
interface DemoStep {
  readonly title: string;
  readonly argv: readonly string[];
  readonly expect: number;
}

const VERSION = '1.4.0';

/**
 * The walk of the demo. Every step is an ordinary rollgate command line; only the clock (`--at`)
 * moves, so the gates see the same facts they would in real use.
 */
const STEPS: readonly DemoStep[] = [
  {
    title: 'Monday 09:00 UTC: 1.4.0 is built; dev has no gates',
    argv: ['promote', 'dev', '--version', VERSION, '--at', '2026-11-16T09:00:00Z', '--simulate-clock'],
    expect: 0,
  },
  {
    title: 'Someone tries to skip staging',
    argv: ['promote', 'production', '--version', VERSION, '--at', '2026-11-16T09:05:00Z', '--simulate-clock'],
    expect: 1,
  },
  {
    title: 'Staging too early: 1.4.0 has baked in dev for 10 minutes of 1h',
    argv: ['promote', 'staging', '--version', VERSION, '--at', '2026-11-16T09:10:00Z', '--simulate-clock'],
    expect: 1,
  },
  {
    title: 'Staging after the bake time',
    argv: ['promote', 'staging', '--version', VERSION, '--at', '2026-11-16T10:30:00Z', '--simulate-clock'],
    expect: 0,
  },
  {
    title: 'Friday 16:30 in Berlin: the weekend freeze holds production',
    argv: [
      'promote',
      'production',
      '--version',
      VERSION,
      '--at',
      '2026-11-20T16:30:00+01:00',
      '--simulate-clock',
    ],
    expect: 1,
  },
  {
    title: 'Friday 17:00: checkout must ship tonight; the on-call lead breaks glass with a reason',
    argv: [
      'promote',
      'production',
      '--service',
      'checkout',
      '--version',
      VERSION,
      '--at',
      '2026-11-20T17:00:00+01:00',
      '--simulate-clock',
      '--requested-by',
      'oncall-lead',
      '--reason',
      'card payments fail without 1.4.0',
    ],
    expect: 0,
  },
  {
    title: 'Monday 09:00 UTC: the freeze is over; cart follows',
    argv: ['promote', 'production', '--version', VERSION, '--at', '2026-11-23T09:00:00Z', '--simulate-clock'],
    expect: 0,
  },
  {
    title: 'Promoting the same version again commits nothing',
    argv: ['promote', 'production', '--version', VERSION, '--at', '2026-11-23T09:05:00Z', '--simulate-clock'],
    expect: 0,
  },
];

export async function runDemo(args: readonly string[], io: CliIo, run: Run): Promise<number> {
  let keep = false;
  let story: string | undefined;
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { keep: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    keep = parsed.values.keep === true;
    if (parsed.positionals.length > 1)
      throw new Error(`one story at a time, got ${parsed.positionals.join(' ')}`);
    story = parsed.positionals[0];
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (story === 'canary') return runCanaryDemo(keep, io, run);
  if (story === 'blue-green') return runBlueGreenDemo(keep, io, run);
  if (story === 'flags') return runFlagsDemo(keep, io, run);
  if (story !== undefined)
    throw new UsageError(
      `unknown demo "${story}"; the demos are: (none) for promotions, canary, blue-green, flags`,
    );
  const examples = examplesDir();
  const root = await mkdtemp(join(tmpdir(), 'rollgate-demo-'));
  try {
    const gitops = await seedGitOps(root, examples);
    const config = resolve(examples, 'app', '.github', 'rollgate.yaml');
    io.stdout(
      `rollgate demo: a GitOps repository in ${gitops}, seeded with checkout and cart 1.3.0 in dev, staging and production.`,
    );
    io.stdout(
      `Config: ${config} (and policies/ beside it). Each step is a plain rollgate command; only --at moves the clock.\n`,
    );
    const common = ['--config', config, '--gitops', gitops];
    let failures = 0;
    for (const [i, step] of STEPS.entries()) {
      io.stdout(`\n=== ${i + 1}. ${step.title}`);
      io.stdout(`$ rollgate ${step.argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`);
      const requester = step.argv.includes('--requested-by') ? [] : ['--requested-by', 'release-manager'];
      const code = await run([...step.argv, ...common, ...requester], io);
      io.stdout(`(exit ${code})`);
      if (code !== step.expect) {
        failures++;
        io.stderr(`demo: step ${i + 1} exited ${code}, expected ${step.expect}`);
      }
    }
    io.stdout('\n=== The GitOps history: the audit trail and the state, no database');
    io.stdout(`$ git log --stat`);
    io.stdout(await git(gitops, ['log', '--stat', '--format=commit %h  %cI%n%n%B']));
    return failures === 0 ? 0 : 3;
  } finally {
    if (keep) io.stdout(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}
