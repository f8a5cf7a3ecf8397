import { ConfigError, exitCodeOf, IoError, UsageError } from '../core/errors.js';
import { runDemo } from './demo.js';
import { runEdit } from './edit.js';
import { HELP, helpFor } from './help.js';
import type { CliIo } from './io.js';
import { runRolloutVerb, runTickVerb } from './rollout-verbs.js';
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
      case 'tick':
        return await runTickVerb(rest, io);
      case 'advance':
      case 'pause':
      case 'resume':
      case 'abort':
        return await runRolloutVerb(verb, rest, io);
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
    if (err instanceof ConfigError) {
      io.stderr(
        `config error:\n${err.problems.map((p) => `  ${p.file}:${p.line}:${p.col}${p.path ? ` (${p.path})` : ''}: ${p.message}`).join('\n')}`,
      );
    } else if (err instanceof UsageError) {
      io.stderr(`rollgate ${verb}: ${err.message}\nRun "rollgate ${verb} --help" for usage.`);
    } else if (err instanceof IoError) {
      io.stderr(`rollgate ${verb}: ${err.message}`);
    } else {
      io.stderr(`rollgate ${verb}: unexpected error: ${(err as Error).stack ?? String(err)}`);
    }
    return exitCodeOf(err);
  }
}

function usage(io: CliIo, message: string): number {
  io.stderr(`rollgate: ${message}\n\n${HELP}`);
  return EXIT.usage;
}
