import { parseArgs } from 'node:util';
import { suggestion } from '../config/did-you-mean.js';
import { UsageError } from '../core/errors.js';

export type OptionSpec = Readonly<
  Record<string, { readonly type: 'string' | 'boolean'; readonly multiple?: boolean }>
>;

/**
 * node:util parseArgs with rollgate's messages: an unknown option gets a did-you-mean among the
 * verb's own options and the list of them (Node's text ends in a stray quote and talks about `--`),
 * a missing value or a value given to a switch says which option and what to write.
 */
export function parseOptions(verb: string, args: readonly string[], options: OptionSpec) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(optionProblem(verb, err, options));
  }
}

function optionProblem(verb: string, err: unknown, options: OptionSpec): string {
  const code = (err as { code?: unknown }).code;
  const text = err instanceof Error ? err.message : String(err);
  const name = /^(?:Unknown option|Option) '(-{1,2}[^' ]*)/.exec(text)?.[1] ?? '';
  const known = Object.keys(options).map((o) => `--${o}`);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const list =
      known.length === 0
        ? `rollgate ${verb} takes no options`
        : `options of rollgate ${verb}: ${known.join(', ')}`;
    return `unknown option "${name}"${suggestion(name, known)}; ${list}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = options[name.replace(/^-+/, '')];
    if (option?.type === 'boolean') return `${name} is a switch and takes no value; write ${name} alone`;
    return `${name} needs a value: write ${name} VALUE (or ${name}=VALUE)`;
  }
  return text;
}
