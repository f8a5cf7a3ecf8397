// Three kinds of failure, kept apart as Kargo does: a config or usage fault is terminal and never
// retried (exit 2); an I/O fault is technical and may be retried (exit 3). A gate denial is not an
// error at all: it is a Decision with allowed=false (exit 1).

export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted key path inside the file, e.g. `environments.staging.gates[1]`. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.path ? ` (${p.path})` : '';
  return `${p.file}:${p.line}:${p.col}${where}: ${p.message}`;
}

export class ConfigError extends Error {
  readonly exitCode = 2;
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class IoError extends Error {
  readonly exitCode = 3;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IoError';
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof ConfigError || err instanceof UsageError) return 2;
  return 3;
}
