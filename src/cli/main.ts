import { ConfigError, exitCodeOf, formatProblem, IoError, UsageError } from '../core/errors.js';
import { HELP, helpFor } from './help.js';
import type { CliIo } from './io.js';

export const EXIT = { ok: 0, denied: 1, usage: 2, io: 3 } as const;

/** One verb: its arguments after the verb, the process it may touch; the exit code. */
type Verb = (args: readonly string[], io: CliIo) => Promise<number>;

/**
 * Every verb, registered by name and loaded only when it runs (a dynamic import, one bundle chunk
 * per verb file), so `rollgate --help` and a usage error load none of them. A new verb is one row.
 */
const VERBS: Readonly<Record<string, () => Promise<Verb>>> = {
  validate: async () => (await import('./verbs.js')).runValidate,
  check: async () => (args, io) => evaluating('check', args, io),
  plan: async () => (args, io) => evaluating('plan', args, io),
  promote: async () => (await import('./promote-verbs.js')).runPromote,
  rollback: async () => (await import('./promote-verbs.js')).runRollback,
  status: async () => (await import('./status-verb.js')).runStatus,
  tick: async () => (await import('./rollout-verbs.js')).runTickVerb,
  advance: async () => rolloutVerb('advance'),
  pause: async () => rolloutVerb('pause'),
  resume: async () => rolloutVerb('resume'),
  abort: async () => rolloutVerb('abort'),
  edit: async () => (await import('./edit.js')).runEdit,
  report: async () => (await import('./report.js')).runReport,
  demo: async () => {
    const { runDemo } = await import('./demo.js');
    return (args, io) => runDemo(args, io, run);
  },
};

/**
 * check and plan: the GitOps clone starts first (src/cli/early-clone.ts), then the verbs load and
 * the config is checked while git works.
 */
async function evaluating(verb: 'check' | 'plan', args: readonly string[], io: CliIo): Promise<number> {
  const [{ startEarlyClone }, { VERB_OPTIONS }] = await Promise.all([
    import('./early-clone.js'),
    import('./verb-options.js'),
  ]);
  const early = await startEarlyClone(verb, args, VERB_OPTIONS[verb], io);
  try {
    const verbs = await import('./verbs.js');
    return await (verb === 'check' ? verbs.runCheck : verbs.runPlan)(args, io, early);
  } finally {
    await early?.discard();
  }
}

async function rolloutVerb(verb: 'advance' | 'pause' | 'resume' | 'abort'): Promise<Verb> {
  const { runRolloutVerb } = await import('./rollout-verbs.js');
  return (args, io) => runRolloutVerb(verb, args, io);
}

/** Runs one rollgate command line; returns the exit code (0 ok/allowed, 1 denied, 2 usage/config, 3 I/O). */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.stdout(HELP);
    return verb === undefined ? EXIT.usage : EXIT.ok;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const text = helpFor(verb);
    if (text === undefined) return usage(io, `unknown command "${verb}"`);
    io.stdout(text);
    return EXIT.ok;
  }
  try {
    if (verb === '--version') {
      io.stdout('rollgate 0.1.0');
      return EXIT.ok;
    }
    const load = Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
    if (load === undefined) return usage(io, `unknown command "${verb}"`);
    return await (
      await load()
    )(rest, io);
  } catch (err) {
    // Every hint names the command that was run (`rollgate edit image`, not another verb).
    const command =
      verb === 'edit' && rest[0] !== undefined && !rest[0].startsWith('-') ? `edit ${rest[0]}` : verb;
    if (err instanceof ConfigError) {
      io.stderr(
        `rollgate ${command}: config error:\n${err.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n` +
          `Fix the config (rollgate validate checks it alone); run "rollgate ${command} --help" for usage.`,
      );
    } else if (err instanceof UsageError) {
      io.stderr(`rollgate ${command}: ${err.message}\nRun "rollgate ${command} --help" for usage.`);
    } else if (err instanceof IoError) {
      io.stderr(`rollgate ${command}: ${err.message}`);
    } else {
      // A bug, not the user's fault: one line to report, the stack only when asked for.
      const message = err instanceof Error ? err.message : String(err);
      const stack = io.env.ROLLGATE_DEBUG && err instanceof Error && err.stack ? `\n${err.stack}` : '';
      io.stderr(
        `rollgate ${command}: internal error: ${message}. This is a bug in rollgate: please report it with the command line (ROLLGATE_DEBUG=1 shows where it happened).${stack}`,
      );
    }
    return exitCodeOf(err);
  }
}

function usage(io: CliIo, message: string): number {
  io.stderr(`rollgate: ${message}\n\n${HELP}`);
  return EXIT.usage;
}
