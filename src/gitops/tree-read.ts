import type { ObjectReader } from './cat-file.js';
import { parseTree, type TreeEntry } from './objects.js';

// The folders of a commit, read one tree object at a time and only along the paths asked for: a
// file in a 20,000-file repository costs the few folders above it. Trees never change under their
// id, so each is read once per store, whether a promotion reads, writes or retries.

export const TREE_MODE = '40000';

/** What a path names in a tree: an entry, nothing, or a part of it that is not a folder. */
export type Lookup =
  | { readonly kind: 'entry'; readonly entry: TreeEntry }
  | { readonly kind: 'absent' }
  | { readonly kind: 'not-folder'; readonly path: string; readonly mode: string };

/** What a walk over the trees held reached: what the path names, or the first tree not held yet. */
export type Reach = Lookup | { readonly kind: 'unread'; readonly oid: string };

export class TreeReader {
  private readonly trees = new Map<string, Promise<Map<string, TreeEntry> | undefined>>();

  constructor(private readonly objects: ObjectReader) {}

  /** The root tree id of a commit (or of the commit a ref names). */
  async rootOf(commit: string): Promise<{ commit: string; tree: string }> {
    const object = await this.objects.read(commit);
    if (object?.type !== 'commit') throw new Error(`${commit} is not a commit in the GitOps clone`);
    const tree = /^tree ([0-9a-f]+)$/m.exec(object.content.toString('latin1'))?.[1];
    if (tree === undefined) throw new Error(`commit ${object.oid} names no tree`);
    return { commit: object.oid, tree };
  }

  /** The entries of the tree with this id. */
  async tree(oid: string): Promise<Map<string, TreeEntry>> {
    const entries = await this.held(oid);
    if (entries === undefined) throw new Error(`tree ${oid} is missing from the GitOps clone`);
    return entries;
  }

  /** The entries of the tree with this id; undefined while the reader does not hold it. */
  private held(oid: string): Promise<Map<string, TreeEntry> | undefined> {
    let entries = this.trees.get(oid);
    if (entries === undefined) {
      entries = this.objects.read(oid).then((object) => {
        if (object === undefined) {
          // Not remembered: the next caller asks again, after a fetch may have brought it.
          this.trees.delete(oid);
          return undefined;
        }
        if (object.type !== 'tree')
          throw new Error(`${oid} is a ${object.type}, not a tree, in the GitOps clone`);
        return parseTree(object.content, oid.length / 2);
      });
      // A failed read is not remembered: the next caller asks git again.
      entries.catch(() => this.trees.delete(oid));
      this.trees.set(oid, entries);
    }
    return entries;
  }

  /**
   * The blob ids of the files at `paths` under the tree `root`: paths that name nothing, a folder or
   * a submodule are left out. A symbolic link is read as git stores it (its target path), so the
   * overlay reader names it per overlay ("a symbolic link?") and status lists every other service;
   * writes refuse links.
   */
  async blobsAt(root: string, paths: readonly string[]): Promise<Map<string, string>> {
    const blobs = new Map<string, string>();
    await Promise.all(
      paths.map(async (path) => {
        const found = await this.lookup(root, path);
        if (found.kind === 'entry' && isFile(found.entry)) blobs.set(path, found.entry.oid);
      }),
    );
    return blobs;
  }

  /** What `path` (slash-separated, '' for the root itself) names under the tree `root`. */
  async lookup(root: string, path: string): Promise<Lookup> {
    const found = await this.reach(root, path);
    if (found.kind === 'unread') throw new Error(`tree ${found.oid} is missing from the GitOps clone`);
    return found;
  }

  /**
   * What `path` names under the tree `root`, as far as the trees the reader holds tell: a reader that
   * fetches on demand (wire-store.ts) asks for the tree named by `unread`, then walks again.
   */
  async reach(root: string, path: string): Promise<Reach> {
    if (path === '') return { kind: 'entry', entry: { mode: TREE_MODE, oid: root } };
    const parts = path.split('/');
    let oid = root;
    for (let i = 0; i < parts.length; i++) {
      const entries = await this.held(oid);
      if (entries === undefined) return { kind: 'unread', oid };
      const entry = entries.get(parts[i] ?? '');
      if (entry === undefined) return { kind: 'absent' };
      if (i === parts.length - 1) return { kind: 'entry', entry };
      if (entry.mode !== TREE_MODE)
        return { kind: 'not-folder', path: parts.slice(0, i + 1).join('/'), mode: entry.mode };
      oid = entry.oid;
    }
    return { kind: 'absent' };
  }
}

/** A file's entry (a blob or a symbolic link), not a folder or a submodule. */
export function isFile(entry: TreeEntry): boolean {
  return entry.mode !== TREE_MODE && entry.mode !== '160000';
}
