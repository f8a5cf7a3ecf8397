import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isPair,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  type YAMLError,
} from 'yaml';

// The one way into YAML for every file rollgate reads (config, policies, overlays, traffic files):
// a size limit checked before parsing, and a bound on alias expansion checked before anything
// expands aliases (toJS, comparisons). A 565-byte "billion laughs" overlay expands to billions of
// nodes; here it is refused in milliseconds with the line and column of the alias that crosses
// the bound. Problems are data with a position, never exceptions.

/** The default for `limits.maxFileSize`: a YAML file larger than this is refused before parsing. */
export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024;

/**
 * How many nodes aliases may add when expanded, beyond the nodes written in the file. Real files use
 * a handful of aliases; a bomb needs millions.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

export interface YamlLimits {
  /** Largest file accepted, in bytes (UTF-8). */
  readonly maxFileSize: number;
}

export const DEFAULT_LIMITS: YamlLimits = { maxFileSize: DEFAULT_MAX_FILE_SIZE };

export interface YamlProblem {
  readonly code: 'too-large' | 'binary' | 'syntax' | 'alias';
  /** 0-based offset into the text. */
  readonly offset: number;
  readonly message: string;
  /** For `syntax`: every parser error, for callers that report them their own way. */
  readonly errors?: readonly YAMLError[];
}

export interface BoundedYaml {
  readonly tokens: CST.Token[];
  readonly docs: Document.Parsed[];
  /** Turns offsets into line and column for messages. */
  readonly lines: LineCounter;
}

/** A size in the config: a number of bytes, or a number with a unit (KB, MB, GB; 1 KB = 1024 bytes). */
export const SIZE_PATTERN = /^[0-9]+(\.[0-9]+)? ?(B|KB|MB|GB|KiB|MiB|GiB)$/i;

export function parseSize(size: number | string): number {
  if (typeof size === 'number') return size;
  const match = /^([0-9.]+) ?([KMG]?)i?B$/i.exec(size);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(match?.[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(match?.[1] ?? size) * unit);
}

/** `16 MB`, `512 KB`, `12 bytes`: sizes in messages. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

/** The size check alone, for callers that can refuse a file before reading or parsing it. */
export function sizeProblem(bytes: number, limits: YamlLimits = DEFAULT_LIMITS): YamlProblem | undefined {
  if (bytes <= limits.maxFileSize) return undefined;
  return {
    code: 'too-large',
    offset: 0,
    message: `the file is ${formatSize(bytes)}, over the limit of ${formatSize(limits.maxFileSize)} (limits.maxFileSize in the config); split the file or raise the limit`,
  };
}

/**
 * What makes a text unreadable before any parsing: its size over the limit, or NUL bytes (a binary
 * file, e.g. an image or an archive committed where the overlay should be).
 */
export function contentProblem(text: string, limits: YamlLimits = DEFAULT_LIMITS): YamlProblem | undefined {
  const tooLarge = sizeProblem(Buffer.byteLength(text), limits);
  if (tooLarge !== undefined) return tooLarge;
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    return {
      code: 'binary',
      offset: nul,
      message:
        'the file is binary (it holds NUL bytes), not YAML; point the path at the kustomization.yaml itself',
    };
  }
  return undefined;
}

/**
 * Parses every document of `text` with source tokens kept (for byte-exact edits), after the size
 * check, and checks aliases: each refers to an anchor defined before it, none refers to a node
 * that contains it, and all of them together expand to at most MAX_ALIAS_EXPANSION nodes.
 */
export function parseBounded(text: string, limits: YamlLimits = DEFAULT_LIMITS): BoundedYaml | YamlProblem {
  const unreadable = contentProblem(text, limits);
  if (unreadable !== undefined) return unreadable;
  const lines = new LineCounter();
  let tokens: CST.Token[];
  let docs: Document.Parsed[];
  try {
    tokens = Array.from(new Parser(lines.addNewLine).parse(text));
    // logLevel: a collection as a key (an unquoted `{{service}}`) is an error here, not a process warning.
    docs = Array.from(new Composer({ keepSourceTokens: true, logLevel: 'error' }).compose(tokens));
  } catch (err) {
    // yaml reports its own failures as errors; anything thrown is a limit of the runtime (the stack).
    return { code: 'syntax', offset: 0, message: `cannot parse: ${(err as Error).message}` };
  }
  const errors = docs.flatMap((doc) => doc.errors);
  const error = errors[0];
  if (error !== undefined) {
    return {
      code: 'syntax',
      offset: error.pos[0],
      message: error.message.split('\n')[0] ?? error.message,
      errors,
    };
  }
  const alias = aliasProblem(docs);
  if (alias !== undefined) return alias;
  return { tokens, docs, lines };
}

export function isYamlProblem(value: unknown): value is YamlProblem {
  return (
    typeof value === 'object' && value !== null && 'code' in value && 'offset' in value && 'message' in value
  );
}

/**
 * Walks each document once in source order, counting the nodes every anchored node stands for;
 * an alias adds its anchor's count. Stops at the first alias that is unresolved, recursive or
 * pushes the expansion past the bound.
 */
function aliasProblem(docs: readonly Document.Parsed[]): YamlProblem | undefined {
  for (const doc of docs) {
    const anchors = new Map<string, { node: Node; size: number | undefined }>();
    let expansion = 0;
    let problem: YamlProblem | undefined;
    const size = (node: unknown): number => {
      if (problem !== undefined || node === null || node === undefined) return 0;
      if (isPair(node)) return size(node.key) + size(node.value);
      if (isAlias(node)) {
        const offset = node.range?.[0] ?? 0;
        const target = anchors.get(node.source);
        if (target === undefined) {
          problem = {
            code: 'alias',
            offset,
            message: `alias *${node.source} refers to no anchor defined before it; write &${node.source} on a value above this line, or replace the alias with the value`,
          };
          return 0;
        }
        if (target.size === undefined) {
          problem = {
            code: 'alias',
            offset,
            message: `alias *${node.source} refers to a value that contains it (a loop); replace the alias with the value`,
          };
          return 0;
        }
        expansion += target.size;
        if (expansion > MAX_ALIAS_EXPANSION) {
          problem = {
            code: 'alias',
            offset,
            message: `aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} nodes (an alias bomb?); write the values out or use fewer nested aliases`,
          };
          return 0;
        }
        return target.size;
      }
      const n = node as Node;
      const anchor = n.anchor;
      const entry = anchor === undefined ? undefined : { node: n, size: undefined as number | undefined };
      if (anchor !== undefined && entry !== undefined) anchors.set(anchor, entry);
      let total = 1;
      if (isMap(n) || isSeq(n)) for (const item of n.items) total += size(item);
      if (entry !== undefined) entry.size = total;
      return total;
    };
    size(doc.contents);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
