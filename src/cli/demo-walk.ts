import { git } from './demo-repo.js';
import type { CliIo } from './io.js';

// The walk every demo shares: print a rollgate command line, run it, show the commit it wrote,
// and count the steps that did not exit as the story says.

export type Run = (argv: readonly string[], io: CliIo) => Promise<number>;

/** One step of a demo: the command line, the exit code it must give, and what it should do. */
export interface DemoStep {
  readonly title: string;
  readonly argv: readonly string[];
  readonly expect: number;
}

/** `HH:MM` on the demo's day, as an `--at` value. */
export const clockOn = (day: string) => (hhmm: string) => `${day}T${hhmm}:00Z`;

/** A writing verb at a simulated time (`--at` with `--simulate-clock`). */
export const simulatedWrite =
  (at: (hhmm: string) => string) =>
  (verb: string, hhmm: string, ...rest: string[]) => [verb, ...rest, '--at', at(hhmm), '--simulate-clock'];

const quoted = (argv: readonly string[]) => argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ');

export interface DemoWalk {
  readonly gitops: string;
  /** Appended to every step's argv (config, GitOps repository, requester). */
  readonly common: readonly string[];
  readonly io: CliIo;
  /** The io the steps run with (e.g. with PROMETHEUS_URL set); `io` when absent. */
  readonly stepIo?: CliIo;
  readonly run: Run;
  /** How to show a step's new commit (`git show OPTIONS COMMIT PATHS`), or undefined to show nothing. */
  readonly show: (
    step: DemoStep,
  ) => { readonly options?: readonly string[]; readonly paths?: readonly string[] } | undefined;
}

/** A walker over a demo's steps; `failures()` counts the steps whose exit code was not the expected one. */
export function demoWalker(walk: DemoWalk) {
  let failures = 0;
  const step = async (demoStep: DemoStep, n: number) => {
    const { io, gitops } = walk;
    io.stdout(`\n=== ${n}. ${demoStep.title}`);
    io.stdout(`$ rollgate ${quoted(demoStep.argv)}`);
    const before = (await git(gitops, ['rev-parse', 'main'])).trim();
    const code = await walk.run([...demoStep.argv, ...walk.common], walk.stepIo ?? io);
    io.stdout(`(exit ${code})`);
    const after = (await git(gitops, ['rev-parse', 'main'])).trim();
    const show = after !== before ? walk.show(demoStep) : undefined;
    if (show !== undefined) {
      const { options = [], paths = [] } = show;
      io.stdout(`$ git show ${[...options, after.slice(0, 12), ...paths].join(' ')}`);
      io.stdout(await git(gitops, ['show', ...options, '--format=%B', after, ...paths]));
    }
    if (code !== demoStep.expect) {
      failures++;
      io.stderr(`demo: step ${n} exited ${code}, expected ${demoStep.expect}`);
    }
  };
  return { step, failures: () => failures };
}
