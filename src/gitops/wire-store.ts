import { IoError } from '../core/errors.js';
import { normalizeRepoPath } from '../core/repo-paths.js';
import type { FileEdit } from '../core/types.js';
import type { CommitOutcome, GitOpsSnapshot, GitOpsStore } from '../core/store.js';
import type { ObjectReader } from './cat-file.js';
import { parseCommit } from './commit-object.js';
import type { GitObject } from './exec.js';
import { fetchAlong, type FetchAlongOptions } from './fetch-along.js';
import { commitContent, objectId } from './objects.js';
import { safeJoin } from './paths.js';
import { pushRefused } from './push-refused.js';
import { redactCredentials } from './redact.js';
import { TreeReader } from './tree-read.js';
import { writeTree } from './tree-write.js';
import { type Transport, WireUnsupported } from './transport.js';
import { receivePack, UploadPack } from './wire.js';

/** What upload-pack says when its configuration refuses tree filters, or tree filters that deep. */
const TREE_FILTER_REFUSED = /filter 'tree' not supported/;
const TREE_DEPTH_REFUSED = /tree filter allows max depth/;

/** What the git store needs besides the wire: the clone history walks go through. */
export interface WireStoreOptions {
  readonly repository: string;
  readonly branch: string;
  readonly committer: { readonly name: string; readonly email: string };
  /** Opens a clone for history walks, the only reads the wire does not serve. */
  readonly clone: () => Promise<Pick<GitOpsStore, 'history'> & { close(): Promise<void> }>;
  /**
   * How the head's folders come. `along` (the default): the head commit, then only the folders along
   * the paths a plan reads or writes, one fetch per folder level (fetch-along.ts): the read costs the
   * same whatever the repository's size, in a round trip per level. `whole`: the commit with every
   * folder in one fetch, then the files: two round trips, and folders in proportion to the
   * repository, for a server across a network, where a round trip costs more than the folders of a
   * GitOps repository of tens of thousands of files.
   */
  readonly folders?: 'along' | 'whole';
  /**
   * The server is likely to serve `filter tree:1` (the upload-pack rollgate starts itself; hosting
   * services tend to allow only `tree:0`, which their bitmaps answer quickly): with `along`, the
   * head commit is asked for with its root tree, one fetch fewer. A refusal is not an error: the
   * store asks again with `tree:0`, on a new upload-pack.
   */
  readonly rootWithCommit?: boolean;
  /**
   * For a repository on this machine: its objects read in place (one `git cat-file --batch`), which
   * a prefetch uses, so the read that follows finds the folders and files held, without a fetch
   * round per folder level. Objects are the same by id whichever way they come.
   */
  readonly localObjects?: () => ObjectReader;
  /**
   * With `localObjects`: the branch head is read in place too, by the reader a prefetch then takes
   * over, and the upload-pack starts only when a read must fetch or a commit pushes. A store that
   * only reads what it prefetched (check, plan) then runs one git process, not two. Where the head
   * cannot be read that way (a branch name that is not a plain ref name, no such branch, no
   * repository), the store opens through the upload-pack as without, with the same answers.
   */
  readonly headInPlace?: boolean;
}

/**
 * A branch name cat-file reads as exactly `refs/heads/<name>`: path components of letters, digits,
 * `.`, `_` and `-`, none starting with `.` or ending with `.` or `.lock`, no `..`. Anything else
 * (`^`, `~`, `:`, `@{`...) would be revision syntax to cat-file, so the upload-pack reads it.
 */
function plainBranch(name: string): boolean {
  return name
    .split('/')
    .every(
      (part) =>
        /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(part) &&
        !part.includes('..') &&
        !part.endsWith('.') &&
        !part.endsWith('.lock'),
    );
}

/**
 * The git store spoken to over git's wire protocol (wire.ts), whatever carries it (a process on this
 * machine, ssh, smart HTTP: transport.ts), with no clone: one `git upload-pack` for the store's life
 * serves the branch head (ls-refs), its commit (one deep, with its root tree or alone), then the
 * folders along the paths a plan reads, one fetch per folder level for all paths together, each file
 * in the round after its folder (fetch-along.ts): the cost follows the paths' depth, not the
 * repository's size (or, across a network, every folder with the commit: `folders`). The commit's blobs, trees and commit object are made in process and sent as one
 * pack to one `git receive-pack`, with the head the plan was made on as the expected old value
 * (compare-and-swap). The objects read stay in memory by id. History walks, needed only where an
 * overlay drifted from its state, go through a clone opened on first use.
 */
export async function openWireStore(
  transport: Transport,
  options: WireStoreOptions,
): Promise<GitOpsStore & { close(): Promise<void>; prefetch(paths: readonly string[]): void }> {
  const shown = redactCredentials(options.repository);
  const branchRef = `refs/heads/${options.branch}`;
  /** The upload-pack, started on first use (a store that opened in place may never need one). */
  let server: UploadPack | undefined;
  const upload = (): UploadPack => (server ??= new UploadPack(transport));
  const objects = new Map<string, GitObject>();
  const reader: ObjectReader = {
    read: (name) => Promise.resolve(objects.get(name)),
    close: () => Promise.resolve(),
  };
  const trees = new TreeReader(reader);
  /** Objects the repository is known to hold: fetched from it, or pushed to it. */
  const onServer = new Set<string>();
  const remember = (got: ReadonlyMap<string, GitObject>) => {
    for (const [oid, object] of got) {
      objects.set(oid, object);
      onServer.add(oid);
    }
  };
  let first: string | undefined;
  /** The reader the head was read with in place, until a prefetch takes it over (or close ends it). */
  let inPlace = options.headInPlace && plainBranch(options.branch) ? options.localObjects?.() : undefined;
  if (inPlace !== undefined) {
    const head = await inPlace.read(branchRef).catch(() => undefined);
    if (head?.type === 'commit') {
      first = head.oid;
      remember(new Map([[head.oid, head]]));
    } else {
      await inPlace.close();
      inPlace = undefined;
    }
  }
  if (first === undefined) {
    try {
      first = await upload().ref(branchRef);
    } catch (err) {
      await upload().close();
      if (err instanceof WireUnsupported) throw err;
      throw new IoError(
        `cannot open GitOps repository ${shown} (branch ${options.branch}): ${redactCredentials((err as Error).message)}. Check gitops.repository and gitops.branch, or pass --gitops PATH_OR_URL.`,
      );
    }
    if (first === undefined) {
      await upload().close();
      throw new IoError(
        `cannot open GitOps repository ${shown} (branch ${options.branch}): it has no branch ${options.branch}. Check gitops.repository and gitops.branch, or pass --gitops PATH_OR_URL.`,
      );
    }
  }
  let clone: ReturnType<WireStoreOptions['clone']> | undefined;

  const io = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof IoError) throw err;
      throw new IoError(
        `cannot ${what} from GitOps repository ${shown}: ${redactCredentials((err as Error).message)}`,
      );
    }
  };

  /**
   * What a fetch leaves out. `tree:0`: everything below the objects wanted, so a wanted tree comes
   * without the folders under it (fetch-along.ts asks for the folders along the paths, level by
   * level); the head commit comes alone, or with its root tree where the server allows `tree:1`.
   * `blob:none`: the files, so the head commit comes with every folder and only the files are asked
   * for by id (`folders: 'whole'`, or a server whose administrator refused tree filters with
   * uploadpackfilter.tree.allow).
   */
  const whole = options.folders === 'whole';
  let filter: 'tree:0' | 'blob:none' = whole ? 'blob:none' : 'tree:0';
  let commitFilter: 'tree:1' | 'tree:0' | 'blob:none' = whole
    ? 'blob:none'
    : options.rootWithCommit
      ? 'tree:1'
      : 'tree:0';

  /** The root tree of a commit, fetched first if need be (one deep). */
  async function rootOf(commit: string): Promise<string> {
    if (!objects.has(commit)) remember(await io(`fetch ${options.branch}`, () => fetchCommit(commit)));
    return (await trees.rootOf(commit)).tree;
  }

  async function fetchCommit(commit: string): Promise<Map<string, GitObject>> {
    for (;;) {
      try {
        return await upload().fetch([commit], { depth: 1, filter: commitFilter });
      } catch (err) {
        const message = (err as Error).message;
        if (commitFilter === 'tree:1' && TREE_DEPTH_REFUSED.test(message)) commitFilter = 'tree:0';
        else if (commitFilter !== 'blob:none' && TREE_FILTER_REFUSED.test(message))
          commitFilter = filter = 'blob:none';
        else throw err;
        // The refusal ended that upload-pack: a new one, asked that way for the store's life.
        await upload().close();
        server = undefined;
      }
    }
  }

  /** Objects by id: a filter never leaves out the objects wanted, only what they reach. */
  const along = (files: boolean): FetchAlongOptions => ({
    files,
    held: (oid) => objects.has(oid),
    fetch: async (oids) => remember(await upload().fetch(oids, { filter })),
  });

  /** Objects along the paths a first read is expected to ask for, being fetched ahead of it. */
  let prefetching: Promise<void> | undefined;

  /**
   * Starts fetching the folders and files along `paths` at the head the store opened on, before the
   * first read asks for them: the read then finds them held. Only a head start, never an answer:
   * paths that do not normalise are left out, and a failure is the read's to meet and report.
   */
  function prefetch(paths: readonly string[]): void {
    const head = first;
    if (head === undefined || prefetching !== undefined) return;
    const valid = new Set<string>();
    for (const path of paths) {
      try {
        valid.add(normalizeRepoPath(path));
      } catch {
        // A guess that is no repository path: the read refuses it, if it is ever asked.
      }
    }
    // The reader the head was read with, else a new one; the prefetch closes it.
    const local = inPlace ?? options.localObjects?.();
    inPlace = undefined;
    prefetching = (async () => {
      if (local !== undefined) return prefetchInPlace(local, head, [...valid]);
      const tree = await rootOf(head);
      if (valid.size > 0) await fetchAlong(trees, tree, [...valid], along(true));
    })().catch(() => undefined);
  }

  /** The prefetch from a repository on this machine: its objects read in place, remembered as fetched. */
  async function prefetchInPlace(
    reader: ObjectReader,
    head: string,
    paths: readonly string[],
  ): Promise<void> {
    const remembering: ObjectReader = {
      read: async (oid) => {
        const held = objects.get(oid);
        if (held !== undefined) return held;
        const object = await reader.read(oid);
        if (object?.oid === oid) remember(new Map([[oid, object]]));
        return object;
      },
      close: () => Promise.resolve(),
    };
    try {
      const local = new TreeReader(remembering);
      const { tree } = await local.rootOf(head);
      const blobs = await local.blobsAt(tree, paths);
      await Promise.all([...blobs.values()].map((oid) => remembering.read(oid)));
    } finally {
      await reader.close();
    }
  }

  async function read(paths: readonly string[]): Promise<GitOpsSnapshot> {
    // Wait for a prefetch rather than ask for the same objects beside it.
    if (prefetching !== undefined) await prefetching;
    const unique = [...new Set(paths.map((p) => normalizeRepoPath(p)))];
    for (const path of unique) safeJoin(path === '' ? '/' : '/r', path);
    // The first read uses the head seen when the store opened. Later ones ask a new upload-pack, as a
    // new `git fetch` would: one upload-pack keeps the refs it read when it started.
    if (first === undefined) {
      const done = server?.close();
      server = undefined;
      await done;
    }
    const head = first ?? (await io(`read branch ${options.branch}`, () => upload().ref(branchRef)));
    first = undefined;
    if (head === undefined)
      throw new IoError(`the GitOps repository ${shown} has no branch ${options.branch} any more`);
    const tree = await rootOf(head);
    if (unique.length === 0) return { head, files: {} };
    const blobs = await io('fetch the folders and files along the paths', () =>
      fetchAlong(trees, tree, unique, along(true)),
    );
    const files: Record<string, string | undefined> = {};
    for (const path of paths) {
      const object = objects.get(blobs.get(normalizeRepoPath(path)) ?? '');
      files[path] = object?.type === 'blob' ? object.content.toString('utf8') : undefined;
    }
    return { head, files };
  }

  async function commit(
    snapshot: GitOpsSnapshot,
    edits: readonly FileEdit[],
    message: string,
    at: Date,
  ): Promise<CommitOutcome> {
    for (const edit of edits) safeJoin('/r', edit.path);
    const algorithm = await io(`push to ${options.branch}`, () => upload().algorithm());
    const sent: { oid: string; type: 'commit' | 'tree' | 'blob'; content: Buffer }[] = [];
    const write = (type: 'commit' | 'tree' | 'blob', content: Buffer) => {
      const oid = objectId(algorithm, type, content);
      // Objects of an attempt that was never pushed are sent again.
      if (!onServer.has(oid) && !sent.some((o) => o.oid === oid)) sent.push({ oid, type, content });
      objects.set(oid, { oid, type, content });
      return Promise.resolve(oid);
    };
    const base = await rootOf(snapshot.head);
    // The folders along the changed paths (a read of the same paths brought them already).
    await io('fetch the folders along the changed paths', () =>
      fetchAlong(
        trees,
        base,
        edits.map((e) => normalizeRepoPath(e.path)),
        along(false),
      ),
    );
    const tree = await writeTree(
      write,
      trees,
      base,
      edits.map((e) => ({ path: e.path, text: e.after })),
    );
    const who = options.committer;
    const sha = await write('commit', commitContent(tree, [snapshot.head], who, who, at, message));
    const report = await io(`push to ${options.branch}`, () =>
      receivePack(transport, branchRef, snapshot.head, sha, sent, algorithm),
    );
    if (report.kind === 'ok') {
      for (const object of sent) onServer.add(object.oid);
      return { kind: 'committed', sha };
    }
    if (report.kind === 'stale')
      return {
        kind: 'moved',
        detail: `stale info: ${options.branch} is at ${report.actual ?? 'nothing'} but expected ${snapshot.head}`,
      };
    if (report.kind === 'unanswered')
      // Not a refusal: the update may have landed before the answer was lost. A caller that named
      // its run finds its own commit (core/own-commit.ts); anyone else is told how to find out.
      throw new IoError(
        `the push to ${options.branch} of ${shown} got no answer (${redactCredentials(report.detail)} without a report): the commit ${sha.slice(0, 12)} may or may not have landed; run \`rollgate status\` to see before trying again`,
      );
    const raced = /is at [0-9a-f]+ but expected [0-9a-f]+/.exec(report.stderr);
    if (raced) return { kind: 'moved', detail: raced[0] };
    // Worded as `git push --porcelain` words it, so a refusal reads the same whichever way was taken.
    return pushRefused(
      [
        `!\t${sha}:${branchRef}\t[remote rejected] (${report.reason})`,
        ...report.stderr.split('\n').map((l) => `remote: ${l}`),
      ].join('\n'),
      options.branch,
      shown,
    );
  }

  return {
    read,
    prefetch,
    history: async (from, visit, historyOptions = {}) => {
      // An unfiltered walk starts with `from`, which a read brought over: a walk that stops there
      // (the head's time, for --at) or has nothing behind it needs no clone.
      const known = objects.get(from);
      const first = historyOptions.paths?.length || known === undefined ? undefined : parseCommit(known);
      if (first !== undefined && (visit(first.commit) === 'stop' || !first.parents)) return;
      clone ??= options.clone();
      return (await clone).history(
        from,
        (commit) => (commit.sha === first?.commit.sha ? 'more' : visit(commit)),
        historyOptions,
      );
    },
    commit,
    async close() {
      await Promise.all([server?.close(), inPlace?.close()]);
      if (clone !== undefined) await (await clone).close();
    },
  };
}
