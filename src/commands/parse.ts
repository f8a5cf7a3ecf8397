import { suggestion } from '../config/did-you-mean.js';
import {
  FLAGS,
  RETIRED_FLAGS,
  ROLLOUT_VERBS,
  USAGE,
  VALUE_FLAGS,
  VERBS,
  type RolloutVerb,
  type Verb,
} from './grammar.js';

// A pull-request comment to a command, purely: no API call, no shell. Only a first line that starts
// with one of rollgate's verbs is a command; quoted (`> /promote`), code-formatted or indented text,
// other bots' commands and everything below the first line are ignored without a word.

export type Command =
  | {
      readonly verb: '/promote';
      readonly environment: string;
      readonly services: readonly string[];
      readonly version?: string;
      /** `--flag NAME`: start the feature-flag rollout environments.<env>.flags.NAME (no services, no version). */
      readonly flag?: string;
      readonly dryRun: boolean;
      readonly reason?: string;
    }
  | {
      readonly verb: '/rollback';
      readonly environment: string;
      readonly services: readonly string[];
      /** `--flag NAME`: roll back the flag rollout (the share to 0, held), as /abort --flag NAME. */
      readonly flag?: string;
      readonly dryRun: boolean;
      readonly reason?: string;
    }
  | RolloutCommand
  | { readonly verb: '/status' }
  | { readonly verb: '/help' };

/** Steers an active rollout (/advance, /pause, /resume, /abort): a commit too, never a dry run. */
export interface RolloutCommand {
  readonly verb: RolloutVerb;
  readonly environment: string;
  readonly services: readonly string[];
  /** `--flag NAME`: the feature-flag rollout to steer instead of services. */
  readonly flag?: string;
  readonly reason?: string;
}

export function isRolloutCommand(command: Command): command is RolloutCommand {
  return isRolloutVerb(command.verb);
}

export type ParseResult =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'command'; readonly command: Command }
  /** A rollgate verb with a bad argument: `problem` is said back to the commenter, with the usage. */
  | { readonly kind: 'invalid'; readonly verb: Verb; readonly problem: string; readonly usage: string };

/**
 * The longest first line read as a command. A command with its services and a --reason fits easily;
 * the limit keeps a 2 MB comment from costing more than a glance (only this many characters are read).
 */
export const MAX_COMMAND_LENGTH = 1000;

export function parseComment(body: string): ParseResult {
  // Only the first line matters: look no further than the limit for its end.
  const head = body.slice(0, MAX_COMMAND_LENGTH + 2);
  const newline = head.search(/\r?\n/);
  const tooLong = newline === -1 ? body.length > MAX_COMMAND_LENGTH : newline > MAX_COMMAND_LENGTH;
  const firstLine = (newline === -1 ? head : head.slice(0, newline)).trimEnd();
  // Markdown reads four leading spaces as code; a quote or backtick is not an instruction.
  if (!firstLine.startsWith('/')) return { kind: 'ignored' };
  const verb = VERBS.find(
    (v) => firstLine === v || firstLine.startsWith(`${v} `) || firstLine.startsWith(`${v}\t`),
  );
  if (verb === undefined) return { kind: 'ignored' };
  const invalid = (problem: string): ParseResult => ({ kind: 'invalid', verb, problem, usage: USAGE[verb] });
  if (tooLong)
    return invalid(
      `the command is longer than ${MAX_COMMAND_LENGTH} characters; write it on one shorter first line (a long --reason can go in the rest of the comment, which rollgate ignores)`,
    );

  const tokens = tokenize(firstLine.slice(verb.length));
  if (typeof tokens === 'string') return invalid(tokens);

  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const allowed: readonly string[] = FLAGS[verb];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (!token.startsWith('--')) {
      if (token.trim() === '')
        return invalid(
          `an empty argument ('' or "") names nothing: write the ${positional.length === 0 ? 'environment' : 'service'} without quotes`,
        );
      positional.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token : token.slice(0, eq);
    const retired = RETIRED_FLAGS[name];
    if (retired !== undefined) return invalid(`${name} is gone: ${retired}`);
    if (!allowed.includes(name)) {
      const known = allowed.length === 0 ? 'it takes no flags' : `known flags: ${allowed.join(', ')}`;
      return invalid(`unknown flag "${name}"${suggestion(name, allowed)}; ${known}`);
    }
    if (flags.has(name)) return invalid(`flag "${name}" is given twice; give it once`);
    if (!VALUE_FLAGS.has(name)) {
      if (eq !== -1) return invalid(`flag "${name}" takes no value, got "${token.slice(eq + 1)}"`);
      flags.set(name, true);
      continue;
    }
    const value = eq !== -1 ? token.slice(eq + 1) : tokens[++i];
    if (value === undefined || value.trim() === '' || (eq === -1 && value.startsWith('--'))) {
      return invalid(`flag "${name}" needs a value`);
    }
    flags.set(name, value);
  }

  if (verb === '/status' || verb === '/help') {
    if (positional.length > 0) return invalid(`${verb} takes no arguments, got "${positional.join(' ')}"`);
    return { kind: 'command', command: { verb } };
  }

  const [environment, ...rest] = positional;
  if (environment === undefined) {
    return invalid(
      verb === '/promote'
        ? 'name the environment to promote to, e.g. "staging"'
        : 'name the environment, e.g. "production"',
    );
  }
  const services = [...new Set(rest)];
  const reason = flags.get('--reason');
  const flag = flags.get('--flag');
  if (typeof flag === 'string') {
    // A flag rollout is named by --flag alone: its variant comes from the config, not the command.
    if (services.length > 0)
      return invalid(
        `--flag names a flag rollout, not services: drop "${services.join(' ')}" (or drop --flag to ${verb.slice(1)} services)`,
      );
    if (flags.has('--version'))
      return invalid(
        '--flag starts a flag rollout whose variant comes from environments.<env>.flags in the config: drop --version',
      );
    if (verb === '/rollback' && flags.get('--dry-run') === true)
      return invalid('a flag rollout has no dry-run rollback: /rollback --flag rolls it back at once');
    if (!/^[\w.-]+$/.test(flag))
      return invalid(`--flag must name a flag rollout (letters, digits, . _ -), got "${flag}"`);
  }
  const target = {
    environment,
    services,
    ...(typeof flag === 'string' ? { flag } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
  };
  if (isRolloutVerb(verb)) return { kind: 'command', command: { verb, ...target } };
  const common = { ...target, dryRun: flags.get('--dry-run') === true };
  if (verb === '/rollback') return { kind: 'command', command: { verb, ...common } };

  const version = flags.get('--version');
  if (typeof version === 'string' && !/^[\w.:@+-]+$/.test(version)) {
    return invalid(
      `--version must be an image tag or digest (letters, digits, . _ - : @ +), got "${version}"`,
    );
  }
  return {
    kind: 'command',
    command: {
      verb,
      ...common,
      ...(typeof version === 'string' ? { version } : {}),
    },
  };
}

function isRolloutVerb(verb: Verb): verb is RolloutVerb {
  return (ROLLOUT_VERBS as readonly string[]).includes(verb);
}

/** Splits on whitespace; "double" or 'single' quotes group words. A string is a problem to report. */
function tokenize(text: string): string[] | string {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (const ch of text) {
    if (quote !== undefined) {
      const closes = quote === "'" ? ch === "'" : ch === '"' || ch === '\u201c' || ch === '\u201d';
      if (closes) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'" || ch === '\u201c' || ch === '\u201d') {
      // Curly quotes come from phones and rich editors; read them as plain double quotes.
      quote = ch === "'" ? "'" : '"';
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote !== undefined) return `a ${quote} quote is not closed`;
  if (inToken) tokens.push(current);
  return tokens;
}
