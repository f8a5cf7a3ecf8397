import { ConfigError, exitCodeOf, formatProblem, IoError, UsageError } from '../core/errors.js';
import { runDemo } from './demo.js';
import { runEdit } from './edit.js';
import { HELP, helpFor } from './help.js';
import type { CliIo } from './io.js';
import { runCheck, runPlan, runPromote, runRollback, runStatus, runValidate } from './verbs.js';

export const EXIT = { ok: 0, denied: 1, usage: 2, io: 3 } as const;

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
    switch (verb) {
      case 'validate':
        return await runValidate(rest, io);
      case 'check':
        return await runCheck(rest, io);
      case 'plan':
        return await runPlan(rest, io);
      case 'promote':
        return await runPromote(rest, io);
      case 'rollback':
        return await runRollback(rest, io);
      case 'status':
        return await runStatus(rest, io);
      case 'edit':
        return await runEdit(rest, io);
      case 'demo':
        return await runDemo(rest, io, run);
      case '--version':
        io.stdout('rollgate 0.1.0');
        return EXIT.ok;
      default:
        return usage(io, `unknown command "${verb}"`);
    }
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
