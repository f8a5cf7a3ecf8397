// The row type of `npm run bench` (see bench/run.ts) and the helpers that make a result.

/** One target and how to measure it: a line of the table. */
export interface BenchRow {
  /** The target as the issue words it, with its bound, e.g. "`rollgate --help` <= 1.5x `node -e 0`". */
  readonly target: string;
  /** Measures once (it may take a few seconds; never minutes). A throw is printed as the row's result. */
  readonly measure: () => Promise<BenchResult> | BenchResult;
}

export interface BenchResult {
  /** What was measured, with units and the reference, e.g. "62 ms (node -e 0: 44 ms), median of 11 pairs". */
  readonly measured: string;
  /** The measured figure over its reference or bound (x), the number the target limits. */
  readonly ratio: number;
  readonly met: boolean;
}

/** A result whose ratio must not exceed `limit` ("at most 1.5x", "under 1 MB"). */
export function atMost(limit: number, ratio: number, measured: string): BenchResult {
  return { measured, ratio, met: ratio <= limit };
}

/** A result whose ratio must reach `limit` ("at least 10x faster", "at least 5,000 edits/s"). */
export function atLeast(limit: number, ratio: number, measured: string): BenchResult {
  return { measured, ratio, met: ratio >= limit };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  const lo = sorted[sorted.length % 2 === 0 ? mid - 1 : mid] ?? hi;
  return (lo + hi) / 2;
}
