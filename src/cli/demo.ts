import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { IoError, UsageError } from '../core/errors.js';
import { runGit } from '../gitops/exec.js';
import type { CliIo } from './io.js';

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

/** Finds examples/ from the source file or from the bundle in dist/. */
export function examplesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'examples', 'app', '.github', 'rollgate.yaml'))) return join(dir, 'examples');
    dir = dirname(dir);
  }
  throw new IoError('cannot find examples/ next to rollgate; run the demo from a checkout of rollgate');
}

async function git(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const result = await runGit(args, { cwd, env });
  if (result.code !== 0) throw new IoError(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** A bare GitOps repository seeded from examples/gitops: every service at 1.3.0. */
export async function seedGitOps(root: string, examples: string): Promise<string> {
  const work = join(root, 'seed');
  await cp(join(examples, 'gitops'), work, { recursive: true });
  await git(work, ['init', '--quiet', '--initial-branch=main']);
  await git(work, ['add', '.']);
  const when = '2026-11-02T12:00:00Z';
  await git(work, ['commit', '--quiet', '-m', 'bootstrap: checkout and cart 1.3.0 everywhere'], {
    GIT_AUTHOR_NAME: 'platform-team',
    GIT_AUTHOR_EMAIL: 'platform@example.com',
    GIT_COMMITTER_NAME: 'platform-team',
    GIT_COMMITTER_EMAIL: 'platform@example.com',
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  });
  const bare = join(root, 'gitops.git');
  await git(root, ['clone', '--quiet', '--bare', work, bare]);
  return bare;
}

export async function runDemo(args: readonly string[], io: CliIo, run: Run): Promise<number> {
  let keep = false;
  try {
    keep =
      parseArgs({ args: [...args], options: { keep: { type: 'boolean' } }, strict: true }).values.keep ===
      true;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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
