import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { seedGitOps } from '../src/cli/demo.js';
import { paired, type Command } from './paired.js';
import { atMost, type BenchRow } from './row.js';

// Start-up (issue 10): the committed bundles in dist/ as a user runs them, whole processes against
// `node -e 0` in the same run, and their size with every chunk they can load.

const root = resolve(import.meta.dirname, '..');
const NODE: Command = { argv: [process.execPath, '-e', '0'] };
const MB = 1_000_000;

/** Relative imports of a bundle file: static (`from"./x.js"`, `import"./x.js"`) and dynamic (`import("./x.js")`). */
const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g;

/** An entry of dist/ and every chunk it can reach, statically or through a dynamic import(). */
export async function bundleFiles(entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) if (m[1] !== undefined) queue.push(resolve(dirname(file), m[1]));
  }
  return [...seen];
}

function bundleRow(entry: string): BenchRow {
  return {
    target: `${entry} with its chunks < 1 MB`,
    measure: async () => {
      const files = await bundleFiles(join(root, entry));
      const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
      const bytes = sizes.reduce((a, b) => a + b, 0);
      const entryKb = ((sizes[0] ?? 0) / 1000).toFixed(0);
      return atMost(
        1,
        bytes / MB,
        `${(bytes / MB).toFixed(2)} MB (entry ${entryKb} KB + ${files.length - 1} chunks)`,
      );
    },
  };
}

/** `command` against `node -e 0`, paired; `command` may fill a scratch folder that is removed afterwards. */
function versusNode(
  target: string,
  limit: number,
  command: (scratch: string) => Promise<Command> | Command,
): BenchRow {
  return {
    target,
    measure: async () => {
      const scratch = await mkdtemp(join(tmpdir(), 'rollgate-bench-startup-'));
      try {
        const p = await paired(await command(scratch), NODE);
        return atMost(
          limit,
          p.ratio,
          `${p.aMs.toFixed(0)} ms (node -e 0: ${p.bMs.toFixed(0)} ms), median of ${p.pairs} pairs`,
        );
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
}

const cli = join(root, 'dist', 'cli.js');

/** `rollgate check` of production on the example: config and policies from examples/app, a bare GitOps repo seeded from examples/gitops. */
async function checkOnExample(scratch: string): Promise<Command> {
  const examples = join(root, 'examples');
  const gitops = await seedGitOps(scratch, examples);
  const config = relative(root, join(examples, 'app', '.github', 'rollgate.yaml'));
  // Friday evening in Berlin: the order, freeze (cron windows in a time zone), holiday and bake gates all judge.
  const at = '2026-11-20T16:30:00+01:00';
  return {
    argv: [
      process.execPath,
      cli,
      'check',
      'production',
      '--version',
      '1.4.0',
      '--config',
      config,
      '--gitops',
      gitops,
      '--at',
      at,
      '--requested-by',
      'bench',
    ],
    cwd: root,
    exitCode: 1,
  };
}

export const rows: readonly BenchRow[] = [
  bundleRow('dist/cli.js'),
  bundleRow('dist/action.js'),
  versusNode('`rollgate --help` <= 1.5x `node -e 0`', 1.5, () => ({
    argv: [process.execPath, cli, '--help'],
  })),
  versusNode('`rollgate check` on the example <= 3x `node -e 0`', 3, checkOnExample),
];
