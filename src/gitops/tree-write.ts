import { UsageError } from '../core/errors.js';
import { normalizeRepoPath } from '../core/repo-paths.js';
import { type TreeEntry, treeContent } from './objects.js';
import { TREE_MODE, type TreeReader } from './tree-read.js';

// A new root tree for a commit, written without a work tree and without reading the whole tree:
// the new files become blobs, and only the folders on the changed paths are read (through the
// store's object reader) and rewritten, deepest first. Everything else is referenced by id, so the
// cost follows the edit, not the repository: a 20,000-file repository costs what a 100-file one
// does, and the unchanged blobs of a partial clone are never needed. The objects are made in
// process and handed to `write` (loose objects in a clone, or kept for the pack a push sends): no
// git process at all.

/** The repository-relative file paths to write and their new text. */
export interface TreeEdit {
  readonly path: string;
  readonly text: string;
}

/** Stores one object and gives its id. */
export type ObjectWriter = (type: 'blob' | 'tree' | 'commit', content: Buffer) => Promise<string>;

/** Writes the blobs and trees of `edits` on top of the tree `baseTree` and returns the new root tree id. */
export async function writeTree(
  write: ObjectWriter,
  trees: TreeReader,
  baseTree: string,
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
  const dirs = new Set<string>(['']);
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const [blobs, folders] = await Promise.all([
    Promise.all(
      [...files].map(async ([path, text]) => [path, await write('blob', Buffer.from(text))] as const),
    ),
    Promise.all(
      [...dirs].map(async (dir) => {
        const found = await trees.lookup(baseTree, dir);
        if (found.kind === 'not-folder' || (found.kind === 'entry' && found.entry.mode !== TREE_MODE)) {
          const [at, mode] =
            found.kind === 'not-folder'
              ? [found.path, found.mode]
              : [dir, found.kind === 'entry' ? found.entry.mode : ''];
          throw new UsageError(
            `"${at}" is ${mode === '120000' ? 'a symbolic link' : 'a file'} in the GitOps repository, not a folder; rollgate writes only inside real folders`,
          );
        }
        const entries =
          found.kind === 'entry' ? new Map(await trees.tree(found.entry.oid)) : new Map<string, TreeEntry>();
        return [dir, entries] as const;
      }),
    ),
  ]);
  const folder = new Map<string, Map<string, TreeEntry>>(folders);
  for (const [path, oid] of blobs) {
    const slash = path.lastIndexOf('/');
    const entries = folder.get(slash === -1 ? '' : path.slice(0, slash)) ?? new Map<string, TreeEntry>();
    const name = path.slice(slash + 1);
    const existing = entries.get(name);
    if (existing !== undefined && existing.mode !== '100644' && existing.mode !== '100755')
      throw new UsageError(
        `"${path}" is ${existing.mode === '120000' ? 'a symbolic link' : existing.mode === TREE_MODE ? 'a folder' : 'not a regular file'} in the GitOps repository; rollgate edits only regular files`,
      );
    entries.set(name, { mode: existing?.mode ?? '100644', oid });
  }
  // Deepest folders first, so each parent names its children's new ids.
  const ordered = [...dirs].sort((a, b) => depth(b) - depth(a));
  let root = '';
  for (const dir of ordered) {
    const oid = await write('tree', treeContent(folder.get(dir) ?? new Map()));
    if (dir === '') {
      root = oid;
      continue;
    }
    const slash = dir.lastIndexOf('/');
    folder.get(slash === -1 ? '' : dir.slice(0, slash))?.set(dir.slice(slash + 1), { mode: TREE_MODE, oid });
  }
  return root;
}

function depth(dir: string): number {
  return dir === '' ? 0 : dir.split('/').length;
}
