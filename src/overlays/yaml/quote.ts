import { isScalar, parseDocument } from 'yaml';
import { type EditFailure, fail } from './parse.js';

// When a string must be quoted to stay a string, and which values cannot be written on one line.

/** A value that would read back as a number, boolean, null or something else must be quoted. */
export function needsQuotes(value: string): boolean {
  if (value === '' || /^[\s]|[\s]$/.test(value)) return true;
  const parsed = parseDocument(value);
  if (parsed.errors.length > 0) return true;
  const contents = parsed.contents;
  return !isScalar(contents) || typeof contents.value !== 'string' || contents.value !== value;
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
