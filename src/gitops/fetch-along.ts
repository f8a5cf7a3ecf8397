import { isFile, type TreeReader } from './tree-read.js';

// The folders a plan reads or writes, fetched level by level from a store that starts with a
// commit and no trees (wire-store.ts): each round asks, in one fetch, for every tree the walks down
// the paths stopped at, so the folders at one depth of all paths come together and the cost follows
// the paths' depth, not the repository's size. Blobs ride along: a file whose folder is held is
// asked for in the same round as the deeper folders of other paths, so only the deepest files
// need a round of their own.

export interface FetchAlongOptions {
  /** Also bring the blobs of the files at the paths (a read), or only the folders (a write). */
  readonly files: boolean;
  /** Whether the reader already holds this object. */
  readonly held: (oid: string) => boolean;
  /** Brings these objects into the reader, in one request. */
  readonly fetch: (oids: readonly string[]) => Promise<void>;
}

/**
 * Fetches what the walks from the tree `root` down `paths` need and returns the blob ids of the
 * files at `paths` (as `TreeReader.blobsAt`: nothing for a path that names nothing, a folder or a
 * submodule). Paths are slash-separated and repository-relative.
 */
export async function fetchAlong(
  trees: TreeReader,
  root: string,
  paths: readonly string[],
  options: FetchAlongOptions,
): Promise<Map<string, string>> {
  for (;;) {
    const wanted = new Set<string>();
    const blobs = new Map<string, string>();
    await Promise.all(
      paths.map(async (path) => {
        const found = await trees.reach(root, path);
        if (found.kind === 'unread') wanted.add(found.oid);
        else if (found.kind === 'entry' && isFile(found.entry)) {
          blobs.set(path, found.entry.oid);
          if (options.files && !options.held(found.entry.oid)) wanted.add(found.entry.oid);
        }
      }),
    );
    if (wanted.size === 0) return blobs;
    await options.fetch([...wanted]);
    // Each round brings the trees the walks stopped at, so every walk goes one folder deeper.
    const missing = [...wanted].filter((oid) => !options.held(oid));
    if (missing.length > 0)
      throw new Error(`the answer to a fetch of ${wanted.size} objects left out ${missing.join(', ')}`);
  }
}
