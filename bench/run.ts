import { type BenchResult, type BenchRow } from './row.js';
import { rows as api } from './api.js';
import { rows as edits } from './edits.js';
import { rows as gates } from './gates.js';
import { rows as git } from './git.js';
import { rows as startup } from './startup.js';

// `npm run bench`: every target measured in one run, printed as one table: target, measured,
// ratio, met. `npm run bench -- start-up gates` runs only those areas.
//
// How to add a target:
// - An area is one file, bench/<area>.ts, exporting `rows: readonly BenchRow[]` (bench/row.ts):
//   `{ target, measure }`, where `target` words the goal with its bound ("`rollgate --help` <= 1.5x
//   `node -e 0`") and `measure()` returns `{ measured, ratio, met }`, made with `atMost` or
//   `atLeast` (bench/row.ts). A measure cleans up after itself and takes seconds, not minutes.
// - Register the area below: one import, one entry in AREAS. Rows run in this order.
// - Compare like with like in the same run: whole processes paired with a reference
//   (bench/paired.ts: A B A B ..., the median of the pair-by-pair ratios), or in-process rates.
// Benchmarks report; `npm test` never asserts a time.
const AREAS: Readonly<Record<string, readonly BenchRow[]>> = {
  'start-up': startup,
  gates,
  edits,
  git,
  api,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((a) => !Object.hasOwn(AREAS, a));
if (unknown.length > 0) {
  console.error(`bench: unknown area ${unknown.join(', ')}; the areas are ${Object.keys(AREAS).join(', ')}`);
  process.exit(2);
}

const table: string[][] = [['area', 'target', 'measured', 'ratio', 'met']];
let missed = 0;
for (const [area, rows] of Object.entries(AREAS)) {
  if (wanted.length > 0 && !wanted.includes(area)) continue;
  for (const row of rows) {
    process.stderr.write(`bench: ${area}: ${row.target} ...\n`);
    const result: BenchResult = await Promise.resolve()
      .then(row.measure)
      .catch((err: unknown) => ({
        measured: `error: ${(err as Error).message}`,
        ratio: Number.NaN,
        met: false,
      }));
    if (!result.met) missed++;
    table.push([area, row.target, result.measured, `${result.ratio.toFixed(2)}x`, result.met ? 'yes' : 'NO']);
  }
}

const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length))) ?? [];
const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
const [head, ...body] = table;
if (head !== undefined)
  console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n'));
console.log(`\n${table.length - 1 - missed} of ${table.length - 1} targets met (node ${process.version}).`);
if (missed > 0) process.exitCode = 1;
