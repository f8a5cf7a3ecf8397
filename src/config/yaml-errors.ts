import type { LineCounter, YAMLError } from 'yaml';
import type { ConfigProblem } from '../core/errors.js';

// YAML parser errors as a person can act on them. One slip (an unquoted `{{service}}` inside
// `{ ... }`) makes the parser report every token after it: 130 lines for one missing pair of quotes.
// The first error is the one to fix; the rest are counted, not listed. The commonest slip in a
// rollgate config, a `{{placeholder}}` where YAML reads `{` as a flow map, gets a hint of its own.

export const TEMPLATE_HINT =
  '"{{" opens a YAML flow map, so a {{placeholder}} cannot start a plain value or stand inside { ... }: ' +
  'quote the value, e.g. path: "apps/{{service}}/overlays/dev"';

/** The offset of the first `{{` outside quotes and comments on the line holding `offset`, if any. */
export function unquotedBraces(text: string, offset: number): number | undefined {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const newline = text.indexOf('\n', offset);
  const end = newline === -1 ? text.length : newline;
  let quote: string | undefined;
  for (let i = start; i < end - 1; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === start || /\s/.test(text[i - 1] ?? ''))) return undefined;
    else if (ch === '{' && text[i + 1] === '{') return i;
  }
  return undefined;
}

/** The problems to report for a file's parser errors: the first (with the hint when it applies) and a count of the rest. */
export function yamlProblems(
  file: string,
  text: string,
  errors: readonly YAMLError[],
  lines: LineCounter,
): ConfigProblem[] {
  const sorted = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const first = sorted[0];
  if (first === undefined) return [];
  const problem = (offset: number, message: string): ConfigProblem => {
    const pos = lines.linePos(offset);
    return { file, line: pos.line, col: pos.col, path: '', message };
  };
  const more = sorted.length - 1;
  const rest =
    more > 0
      ? ` (and ${more} more parser error${more === 1 ? '' : 's'} after it, most likely caused by this one: fix it and run again)`
      : '';
  const braces = unquotedBraces(text, first.pos[0]);
  return [
    ...(braces !== undefined ? [problem(braces, `YAML: ${TEMPLATE_HINT}`)] : []),
    problem(first.pos[0], `YAML: ${first.message.split('\n')[0] ?? ''}${rest}`),
  ];
}
