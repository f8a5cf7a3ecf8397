import { Composer, type CST, type Document, Parser } from 'yaml';

// Source-preserving YAML edits. Every write changes the text itself, token by token (scalars through
// yaml's CST) or by splicing whole lines (entries that have to be added or removed); the composed
// Document is only used to find where things are. After every write the result is parsed again and
// compared with what was meant (see verifyEdit), so a wrong splice is an error, never a bad commit.

export type EditFailure = {
  readonly ok: false;
  readonly code:
    | 'parse-error'
    | 'not-found'
    | 'ambiguous'
    | 'unsupported'
    | 'invalid-spec'
    | 'invalid-value'
    | 'verify-failed';
  readonly message: string;
};

export type EditOutcome =
  | {
      readonly ok: true;
      readonly text: string;
      readonly changed: boolean;
      readonly descriptions: readonly string[];
    }
  | EditFailure;

export function fail(code: EditFailure['code'], message: string): EditFailure {
  return { ok: false, code, message };
}

/** Parsed documents of a text, with source tokens kept so scalars can be edited in place. */
export interface ParsedText {
  readonly text: string;
  readonly tokens: CST.Token[];
  readonly docs: Document.Parsed[];
}

export function parseText(text: string): ParsedText | EditFailure {
  const tokens = Array.from(new Parser().parse(text));
  const docs = Array.from(new Composer({ keepSourceTokens: true }).compose(tokens));
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) return fail('parse-error', `YAML error: ${error.message}`);
  }
  return { text, tokens, docs };
}

export function isFailure(value: unknown): value is EditFailure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
