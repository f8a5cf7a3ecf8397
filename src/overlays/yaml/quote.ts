import { type EditFailure, fail } from './parse.js';

// When a string must be quoted to stay a string, and which values cannot be written on one line.

/** What YAML 1.2's core schema reads as null, a boolean or a number (yaml's own patterns). */
const NOT_A_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/**
 * A value that would not read back as this same string when written plain: a number, boolean or
 * null, or text YAML reads as structure (an indicator first, `: `, ` #`, a document marker). Decided
 * from the text alone, without building a document: this runs for every value written.
 */
export function needsQuotes(value: string): boolean {
  if (value === '' || /^\s|\s$/.test(value)) return true;
  if (NOT_A_STRING.test(value)) return true;
  // eslint-disable-next-line no-control-regex -- control characters cannot be written plain
  if (/[\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029\ufffe\uffff]/.test(value)) return true;
  if (/^[,[\]{}#&*!|>'"%@`]/.test(value)) return true;
  if (/^[-?:](\s|$)/.test(value) || /^(---|\.\.\.)(\s|$)/.test(value)) return true;
  return /:(\s|$)|\s#/.test(value);
}

export function renderString(value: string): string {
  return needsQuotes(value) ? JSON.stringify(value) : value;
}

export function rejectMultiline(what: string, value: string): EditFailure | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (/[\n\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)) {
    return fail(
      'invalid-value',
      `${what} ${JSON.stringify(value)} holds a line break or control character; give a one-line value`,
    );
  }
  return undefined;
}
