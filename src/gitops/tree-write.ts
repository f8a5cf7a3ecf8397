import { UsageError } from '../core/errors.js';
import { normalizeRepoPath } from '../core/repo-paths.js';
import { spawn } from 'node:child_process';
import { type GitResult, readObjects } from './exec.js';

// A new root tree for a commit, written without a work tree and without reading the whole tree:
// the new files become blobs (`git hash-object -w --stdin`), and only the folders on the changed
// paths are read (one `git cat-file --batch` for all of them) and rewritten (`git mktree`, deepest
// first). Everything else is referenced by id, so the cost follows the edit, not the repository:
// a 20,000-file repository costs what a 100-file one does. In a partial clone the unchanged blobs
// are never fetched (`mktree --missing` does not look for them).

export type RunGit = (args: readonly string[], input?: string) => Promise<GitResult>;

interface Entry {
  readonly mode: string;
  readonly oid: string;
}

const TREE_MODE = '40000';

/** The repository-relative file paths to write and their new text. */
export interface TreeEdit {
  readonly path: string;
  readonly text: string;
}

/** Writes the blobs and trees of `edits` on top of `base` (a commit) and returns the new root tree id. */
export async function writeTree(
  cwd: string,
  run: RunGit,
  base: string,
  edits: readonly TreeEdit[],
): Promise<string> {
  const files = new Map<string, string>();
  for (const edit of edits) {
    const path = normalizeRepoPath(edit.path);
    if (path === '' || path.split('/').some((part) => part === '' || part === '.' || part === '..'))
      throw new UsageError(
        `path "${edit.path}" leaves the GitOps repository; write it relative to the repository root, without ..`,
      );
    files.set(path, edit.text);
  }
  const blobs = new Map<string, string>();
  await Promise.all(
    [...files].map(async ([path, text]) => {
      blobs.set(path, await must(run(['hash-object', '-w', '--stdin'], text), 'hash-object'));
    }),
  );
  const dirs = new Set<string>(['']);
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const ordered = [...dirs];
  const objects = await readObjects(
    cwd,
    ordered.map((d) => (d === '' ? `${base}^{tree}` : `${base}:${d}`)),
  );
  const hashBytes = base.length / 2;
  const trees = new Map<string, Map<string, Entry>>();
  ordered.forEach((dir, i) => {
    const object = objects[i];
    if (object !== undefined && object.type !== 'tree')
      throw new UsageError(
        `"${dir}" is a ${object.type === 'blob' ? 'file or symbolic link' : object.type} in the GitOps repository, not a folder; rollgate writes only inside real folders`,
      );
    trees.set(dir, object === undefined ? new Map() : parseTree(object.content, hashBytes));
  });
  for (const [path, oid] of blobs) {
    const slash = path.lastIndexOf('/');
    const dir = slash === -1 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    const entries = trees.get(dir) ?? new Map<string, Entry>();
    const existing = entries.get(name);
    if (existing !== undefined && existing.mode !== '100644' && existing.mode !== '100755')
      throw new UsageError(
        `"${path}" is ${existing.mode === '120000' ? 'a symbolic link' : existing.mode === TREE_MODE ? 'a folder' : 'not a regular file'} in the GitOps repository; rollgate edits only regular files`,
      );
    entries.set(name, { mode: existing?.mode ?? '100644', oid });
  }
  // Deepest folders first, so each parent names its children's new ids; siblings in parallel.
  const byDepth = new Map<number, string[]>();
  for (const dir of dirs) {
    const depth = dir === '' ? 0 : dir.split('/').length;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), dir]);
  }
  // One `git mktree --batch` for every folder: each tree is written, its id read back, then its parent.
  const writer = mktreeBatch(cwd);
  try {
    let root = '';
    for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
      for (const dir of byDepth.get(depth) ?? []) {
        const oid = await writer.write(trees.get(dir) ?? new Map());
        if (dir === '') {
          root = oid;
          continue;
        }
        const slash = dir.lastIndexOf('/');
        const parent = trees.get(slash === -1 ? '' : dir.slice(0, slash)) ?? new Map<string, Entry>();
        const name = dir.slice(slash + 1);
        const existing = parent.get(name);
        if (existing !== undefined && existing.mode !== TREE_MODE)
          throw new UsageError(
            `"${dir}" is ${existing.mode === '120000' ? 'a symbolic link' : 'not a folder'} in the GitOps repository; rollgate writes only inside real folders`,
          );
        parent.set(name, { mode: TREE_MODE, oid });
      }
    }
    return root;
  } finally {
    await writer.close();
  }
}

/** Entries of a raw tree object: `<mode> <name>\0<id bytes>` repeated. */
function parseTree(content: Buffer, hashBytes: number): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let offset = 0;
  while (offset < content.length) {
    const space = content.indexOf(0x20, offset);
    const nul = content.indexOf(0, space);
    const mode = content.subarray(offset, space).toString('latin1');
    const name = content.subarray(space + 1, nul).toString('utf8');
    const oid = content.subarray(nul + 1, nul + 1 + hashBytes).toString('hex');
    entries.set(name, { mode, oid });
    offset = nul + 1 + hashBytes;
  }
  return entries;
}

/**
 * A `git mktree -z --batch --missing` process fed one tree at a time (--missing: the unchanged blobs
 * of a partial clone are not here and need not be). Each tree ends with an empty entry; git answers
 * with its id on a line of its own.
 */
function mktreeBatch(cwd: string): {
  write(entries: ReadonlyMap<string, Entry>): Promise<string>;
  close(): Promise<void>;
} {
  const child = spawn('git', ['mktree', '-z', '--batch', '--missing'], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const waiting: { resolve: (oid: string) => void; reject: (err: Error) => void }[] = [];
  let pending = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      waiting.shift()?.resolve(pending.slice(0, nl).trim());
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  });
  const closed = new Promise<void>((resolve) => {
    child.on('close', () => {
      for (const w of waiting.splice(0)) w.reject(new Error(`git mktree failed: ${stderr.trim()}`));
      resolve();
    });
  });
  child.on('error', (err) => {
    for (const w of waiting.splice(0)) w.reject(err);
  });
  child.stdin.on('error', () => undefined);
  return {
    write(entries) {
      const input = [...entries]
        .map(([name, e]) => {
          const type = e.mode === TREE_MODE ? 'tree' : e.mode === '160000' ? 'commit' : 'blob';
          return `${e.mode.padStart(6, '0')} ${type} ${e.oid}\t${name}\0`;
        })
        .join('');
      return new Promise<string>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${input}\0`);
      });
    },
    close() {
      child.stdin.end();
      return closed;
    },
  };
}

async function must(result: Promise<GitResult>, what: string): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`git ${what} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}
