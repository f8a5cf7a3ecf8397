import type { CST, Document, LineCounter } from 'yaml';
import { DEFAULT_LIMITS, isYamlProblem, parseBounded, type YamlLimits, type YamlProblem } from './bounded.js';

// Source-preserving YAML edits. Every write changes the text itself, token by token (scalars through
// yaml's CST) or by splicing whole lines (entries that have to be added or removed); the composed
// Document is only used to find where things are. After every write the result is parsed again and
// compared with what was meant (see verifyEdit), so a wrong splice is an error, never a bad commit.

export type EditFailure = {
  readonly ok: false;
  readonly code:
    | 'parse-error'
    | 'too-large'
    | 'binary'
    | 'not-found'
    | 'ambiguous'
    | 'unsupported'
    | 'invalid-spec'
    | 'invalid-value'
    | 'verify-failed';
  readonly message: string;
  /** Where in the file, when the failure has a place (1-based). */
  readonly at?: { readonly line: number; readonly col: number };
};

export type EditOutcome =
  | {
      readonly ok: true;
      readonly text: string;
      readonly changed: boolean;
      readonly descriptions: readonly string[];
    }
  | EditFailure;

export function fail(
  code: EditFailure['code'],
  message: string,
  at?: { readonly line: number; readonly col: number },
): EditFailure {
  return at === undefined ? { ok: false, code, message } : { ok: false, code, message, at };
}

/** `file:line:col: message` (or `file: message` when the failure has no place). */
export function failureText(file: string, failure: EditFailure): string {
  return failure.at === undefined
    ? `${file}: ${failure.message}`
    : `${file}:${failure.at.line}:${failure.at.col}: ${failure.message}`;
}

/** Parsed documents of a text, with source tokens kept so scalars can be edited in place. */
export interface ParsedText {
  readonly text: string;
  readonly tokens: CST.Token[];
  readonly docs: Document.Parsed[];
  readonly lines: LineCounter;
}

/** Parses a file for editing, within the size and alias bounds of bounded.ts. */
export function parseText(text: string, limits: YamlLimits = DEFAULT_LIMITS): ParsedText | EditFailure {
  const parsed = parseBounded(text, limits);
  if (isYamlProblem(parsed)) return problemFailure(text, parsed);
  return { text, ...parsed };
}

/** A YAML problem as an edit failure, with its line and column. */
export function problemFailure(text: string, problem: YamlProblem): EditFailure {
  const at = positionOf(text, problem.offset);
  const prefix = problem.code === 'syntax' ? 'YAML error: ' : '';
  const code = problem.code === 'too-large' || problem.code === 'binary' ? problem.code : 'parse-error';
  return fail(code, `${prefix}${problem.message}`, at);
}

/** 1-based line and column of an offset. */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

export function isFailure(value: unknown): value is EditFailure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
