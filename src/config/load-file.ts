import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, IoError, UsageError } from '../core/errors.js';
import { DEFAULT_CONFIG_PATH } from './paths.js';
import { type Checked, type ConfigText, parseConfigWithTurns, type StructureCheck } from './parse.js';
import type { Config } from './schema.js';
import { checkShape, type ShapeOf } from './shape.js';
import { GATE_SHAPES, SHAPES } from './shapes.generated.js';

// The CLI's way in: the config and its policies read from disk and checked against the shapes
// generated from the zod schemas (src/config/shape.ts), so a valid config loads no zod. A config
// they refuse, or one with any problem, is read again by load.ts's parseConfig, whose zod words
// every problem: the messages are the same as if zod had checked it first.

export { DEFAULT_CONFIG_PATH };

function byShape(shape: ShapeOf<unknown> | undefined, raw: unknown): Checked {
  const checked = shape === undefined ? { ok: false as const } : checkShape(shape, raw);
  // Never shown: a refusal sends the whole config to zod.
  return checked.ok ? checked : { ok: false, problems: () => [REFUSED] };
}

const REFUSED = { file: '', line: 0, col: 0, path: '', message: 'refused by the shape check' };

const SHAPE_CHECK: StructureCheck = {
  config: (raw) => byShape(SHAPES.config, raw),
  policy: (raw) => byShape(SHAPES.policy, raw),
  gate: (kind, raw) => byShape(Object.hasOwn(GATE_SHAPES, kind) ? GATE_SHAPES[kind] : undefined, raw),
};

/**
 * The config when it has no problem at all, checked without zod; otherwise undefined. It hands the
 * event loop turns as it goes (parseConfigWithTurns), for the early GitOps read.
 */
export async function parseConfigFast(
  main: ConfigText,
  policies: readonly ConfigText[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<Config | undefined> {
  try {
    return await parseConfigWithTurns(SHAPE_CHECK, main, policies, env);
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

/** Reads the config file and every policies/*.yaml beside it from disk (the CLI's way in). */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No file there (or a folder) is a usage mistake (exit 2); a file that cannot be read is I/O (exit 3).
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new UsageError(
        `config ${file} ${code === 'EISDIR' ? 'is a folder, not a file' : 'does not exist'}. Pass --config FILE or create ${DEFAULT_CONFIG_PATH}.`,
      );
    }
    throw new IoError(
      `cannot read config ${file}: ${(err as Error).message}. Pass --config FILE or create ${DEFAULT_CONFIG_PATH}.`,
    );
  }
  const policiesDir = join(dirname(file), 'policies');
  const names = await readdir(policiesDir).catch(() => [] as string[]);
  const policies = await Promise.all(
    names
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .map(async (n) => ({ file: join(policiesDir, n), text: await readFile(join(policiesDir, n), 'utf8') })),
  );
  const main = { file, text };
  return (
    (await parseConfigFast(main, policies, env)) ??
    (await import('./load.js')).parseConfig(main, policies, env)
  );
}
