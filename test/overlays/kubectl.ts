import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

// The oracle: real `kubectl kustomize` (files outside the folder allowed, as Argo CD setups often do). A missing kubectl fails the tests loudly (never a skip).

const run = promisify(execFile);

export async function kustomizeBuild(dir: string): Promise<unknown[]> {
  try {
    const { stdout } = await run('kubectl', ['kustomize', '--load-restrictor=LoadRestrictionsNone', dir], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return parseAllDocuments(stdout).map((d) => d.toJS() as unknown);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        `kubectl is not installed (CI=${process.env.CI ?? 'unset'}); the overlay corpus tests need kubectl with kustomize v5`,
      );
    }
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
}

/** Runs `fn` over `items` with at most `limit` at once (kubectl builds on a 2-core machine). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Flattens rendered objects to `path -> JSON value` so two renders can be compared leaf by leaf. */
export function flatten(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, `${path}.${k}`, out);
  } else out.set(path, JSON.stringify(value));
  return out;
}

/** Paths whose values differ between two renders (added, removed or changed). */
export function changedPaths(
  before: unknown,
  after: unknown,
): { path: string; before?: string | undefined; after?: string | undefined }[] {
  const a = flatten(before);
  const b = flatten(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys]
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => ({
      path: k,
      ...(a.has(k) ? { before: a.get(k) } : {}),
      ...(b.has(k) ? { after: b.get(k) } : {}),
    }));
}
