import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoError } from '../core/errors.js';
import { normalizeRepoPath } from '../core/repo-paths.js';
import type { FileEdit } from '../core/types.js';
import type { CommitOutcome, GitOpsSnapshot, GitOpsStore } from '../core/store.js';
import { catFile } from './cat-file.js';
import { COMMIT_ID, type ParsedCommit, parseCommit } from './commit-object.js';
import { runGit, streamLog } from './exec.js';
import { commitContent, hashOf, writeObject } from './objects.js';
import { safeJoin } from './paths.js';
import { pushRefused } from './push-refused.js';
import { redactCredentials } from './redact.js';
import { TreeReader } from './tree-read.js';
import { writeTree } from './tree-write.js';
import { parseRemoteUrl } from './remote-url.js';
import { proxied, smartHttpTransport } from './smart-http.js';
import { localTransport, sshTransport, type Transport, WireUnsupported } from './transport.js';
import { openWireStore, type WireStoreOptions } from './wire-store.js';

export interface GitCliOptions {
  /** A local path (bare repository recommended) or any git URL. */
  readonly repository: string;
  readonly branch: string;
  /** Identity of the commits rollgate makes. */
  readonly committer?: { readonly name: string; readonly email: string };
  /**
   * How the repository is reached: `wire` (the default) speaks git's protocol to its upload-pack and
   * receive-pack (wire-store.ts) for a path, file://, ssh (ssh:// or `[user@]host:path`) and http(s)://
   * URL, falling back to a clone when the server cannot serve it (protocol v0, no partial fetch,
   * dumb HTTP, a redirect); `clone` always goes through a private clone. Other URLs always use a clone.
   */
  readonly transport?: 'wire' | 'clone';
  /**
   * A repository on this machine, over the wire: its branch head read in place (`git cat-file
   * --batch`, the reader the prefetch goes on with), the upload-pack started only when a read must
   * fetch or a commit pushes. For a store that prefetches and only reads (check, plan): one git
   * process, not two. Answers and errors are the same either way (wire-store.ts headInPlace).
   */
  readonly headInPlace?: boolean;
}

export interface GitCliStore extends GitOpsStore {
  /** Ends the store's git processes and removes its private clone, if it made one. */
  close(): Promise<void>;
  /**
   * Starts bringing the files at these paths before a read asks for them (the wire store; a clone
   * has them already). A head start only: what the read returns is the same with or without it.
   */
  prefetch?(paths: readonly string[]): void;
}

const DEFAULT_COMMITTER = { name: 'rollgate', email: 'rollgate@users.noreply.github.com' };

/**
 * The GitOps repository through git: over the wire (a path, ssh, smart HTTP), and through a private
 * partial clone made by git itself for anything else, or when the server does not speak what the wire
 * client needs (git then brings its own transports, credential helpers and fallbacks).
 */
export async function openGitStore(options: GitCliOptions): Promise<GitCliStore> {
  const transport = options.transport === 'clone' ? undefined : wireTransport(options.repository);
  if (transport === undefined) return openCloneStore(options);
  try {
    return await openWireStore(transport, {
      repository: options.repository,
      branch: options.branch,
      committer: options.committer ?? DEFAULT_COMMITTER,
      clone: () => openCloneStore(options),
      ...wireReads(options.repository),
      ...(options.headInPlace ? { headInPlace: true } : {}),
    });
  } catch (err) {
    if (err instanceof WireUnsupported) return openCloneStore(options);
    throw err;
  }
}

/**
 * What the wire store fetches, by where the server is. On this machine a round trip costs a process
 * (upload-pack's pack-objects), and the upload-pack is rollgate's own, with filters allowed: the
 * folders along the paths, the root with the commit, so the read does not grow with the repository.
 * The price is a fetch per folder level: measured on a busy 2-core machine, a promotion's read took
 * about 60 ms more than every folder in one fetch, which grew by about 13 ms per 20,000 files. Across
 * a network (ssh, https) a round trip costs more than the folders of a repository of tens of
 * thousands of files: every folder with the commit, then the files (bench/git.ts measures file://
 * and http://). On this machine the repository's objects can also be read in place (`git cat-file
 * --batch`): the early read of check and plan (prefetch) does so, with no round per folder level.
 */
function wireReads(
  repository: string,
): Pick<WireStoreOptions, 'folders' | 'rootWithCommit' | 'localObjects'> {
  const remote = parseRemoteUrl(repository);
  return remote.kind === 'local'
    ? {
        folders: 'along',
        rootWithCommit: true,
        localObjects: () => catFile(remote.path, { noLazyFetch: true }),
      }
    : { folders: 'whole' };
}

/** How the wire client reaches the repository; undefined: only git itself can (git://, a remote helper). */
export function wireTransport(repository: string): Transport | undefined {
  const remote = parseRemoteUrl(repository);
  switch (remote.kind) {
    case 'local':
      return localTransport(remote.path);
    case 'ssh':
      return sshTransport(remote);
    case 'http':
      // Behind a proxy, git knows the way (node's fetch would go around it).
      return proxied(remote.url) ? undefined : smartHttpTransport(remote.url);
    case 'other':
      return undefined;
  }
}

/**
 * Serving a partial clone is a server's choice (GitHub and GitLab allow it). A repository on this
 * machine is served by a git process rollgate starts itself, so it is started with that allowed.
 */
const LOCAL_UPLOAD_PACK =
  'git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true upload-pack';

/**
 * The GitOps repository through the git CLI, at a cost that follows the edit, not the repository:
 * a bare, shallow, blobless clone (the branch head's commit and folders, no file contents, no work
 * tree) made by one `git clone`; the folders along the paths a plan needs and then its files read
 * through one `git cat-file --batch` kept open for the store's life (the files fetched by id first,
 * in one fetch); the commit's blobs, trees and commit object written in process (tree-write.ts,
 * objects.ts); pushed with a lease on the head it was planned on (compare-and-swap). A promotion
 * costs four git processes (clone, fetch of the files, cat-file, push) whatever the repository's
 * size. A re-read after the branch moved fetches only the new commits. The history is deepened on
 * demand, only as far as a walk asks.
 */
export async function openCloneStore(
  options: GitCliOptions,
): Promise<GitCliStore & { readonly gitDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-gitops-'));
  const shown = redactCredentials(options.repository);
  const branchRef = `refs/heads/${options.branch}`;
  const run = (args: readonly string[], input?: string) =>
    runGit(args, { cwd: dir, ...(input !== undefined ? { input } : {}) });
  const fetchBranch = (depth: readonly string[]) =>
    run([
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--filter=blob:none',
      ...depth,
      'origin',
      `+${branchRef}:${branchRef}`,
    ]);
  const local = parseRemoteUrl(options.repository).kind === 'local';
  // One process makes the clone: bare, one commit deep, no file contents. A throw-away clone: no
  // background maintenance or commit graph after each fetch. --no-local: a path on this machine is
  // fetched like a remote (a local clone would copy every object and ignore the depth and filter).
  const cloned = await runGit([
    'clone',
    '--bare',
    '--quiet',
    '--no-local',
    '--no-tags',
    '--single-branch',
    '--branch',
    options.branch,
    '--depth=1',
    '--filter=blob:none',
    '-c',
    'maintenance.auto=false',
    '-c',
    'gc.auto=0',
    '-c',
    'fetch.writeCommitGraph=false',
    ...(local
      ? ['--upload-pack', LOCAL_UPLOAD_PACK, '-c', `remote.origin.uploadpack=${LOCAL_UPLOAD_PACK}`]
      : []),
    '--',
    options.repository,
    dir,
  ]);
  if (cloned.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new IoError(
      `cannot open GitOps repository ${shown} (branch ${options.branch}): ${redactCredentials(cloned.stderr.trim())}. Check gitops.repository and gitops.branch, or pass --gitops PATH_OR_URL.`,
    );
  }
  const who = options.committer ?? DEFAULT_COMMITTER;
  const objects = catFile(dir);
  const trees = new TreeReader(objects);
  /** Blobs this clone holds: fetched by id, or written by a commit. */
  const present = new Set<string>();
  /** The root tree of each commit read, for the commit that builds on it. */
  const roots = new Map<string, string>();
  let fresh = true;

  async function read(paths: readonly string[]): Promise<GitOpsSnapshot> {
    // The first read uses the clone just made; later ones fetch only the commits since.
    if (!fresh) {
      const fetched = await fetchBranch([]);
      if (fetched.code !== 0)
        throw new IoError(
          `cannot fetch ${options.branch} from GitOps repository ${shown}: ${redactCredentials(fetched.stderr.trim())}`,
        );
    }
    fresh = false;
    const { commit: head, tree } = await trees.rootOf(branchRef);
    roots.set(head, tree);
    const unique = [...new Set(paths.map((p) => normalizeRepoPath(p)))];
    for (const path of unique) safeJoin(dir, path);
    if (unique.length === 0) return { head, files: {} };
    const blobs = await trees.blobsAt(tree, unique);
    const missing = [...new Set(blobs.values())].filter((oid) => !present.has(oid));
    if (missing.length > 0) {
      // One fetch for every file the plan needs, by id (what git's lazy fetch would do one by one).
      const got = await run(
        [
          '-c',
          'fetch.negotiationAlgorithm=noop',
          'fetch',
          '--quiet',
          '--no-tags',
          '--no-write-fetch-head',
          '--recurse-submodules=no',
          '--filter=blob:none',
          '--stdin',
          'origin',
        ],
        `${missing.join('\n')}\n`,
      );
      if (got.code !== 0)
        throw new IoError(
          `cannot fetch the overlay files from GitOps repository ${shown}: ${redactCredentials(got.stderr.trim())}`,
        );
      for (const oid of missing) present.add(oid);
    }
    const contents = new Map(
      await Promise.all(
        [...new Set(blobs.values())].map(async (oid) => [oid, await objects.read(oid)] as const),
      ),
    );
    const files: Record<string, string | undefined> = {};
    for (const path of paths) {
      const object = contents.get(blobs.get(normalizeRepoPath(path)) ?? '');
      files[path] = object?.type === 'blob' ? object.content.toString('utf8') : undefined;
    }
    return { head, files };
  }
  /** Fetches the commits (no file contents) a history walk needs. */
  async function historyFetch(args: readonly string[]): Promise<void> {
    const got = await run([
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--filter=blob:none',
      ...args,
    ]);
    if (got.code !== 0)
      throw new IoError(
        `cannot read the history of ${options.branch} from GitOps repository ${shown}: ${redactCredentials(got.stderr.trim())}`,
      );
  }
  const history: GitOpsStore['history'] = async (from, visit, historyOptions = {}) => {
    for (const path of historyOptions.paths ?? []) safeJoin(dir, path);
    if ((await objects.read(from)) === undefined) {
      // A commit this clone was not made from (the wire store's head, read before the clone): by id.
      await historyFetch(['--depth=1', 'origin', from]);
    }
    // The clone starts one commit deep: walk what is here, and deepen only while the walk wants more.
    const seen = new Set<string>();
    // An unfiltered walk starts with `from` itself: it comes through the cat-file already open, so a
    // walk that stops there (the head's time, for --at) starts no git log. When nothing behind it is
    // here yet (the fresh clone's one commit, or the first commit of all), a log would show only it
    // again: the walk goes straight to deepening, or ends.
    const first = historyOptions.paths?.length ? undefined : await commitOf(from);
    let logFirst = true;
    if (first !== undefined) {
      seen.add(first.commit.sha);
      if (visit(first.commit) === 'stop') return;
      logFirst = first.parents && !(await shallowCommits()).has(first.commit.sha);
    }
    let stopped = false;
    let deepen = 64;
    for (let round = 0; ; round++) {
      // A shallow boundary looks like a root commit that adds every file: with a path filter it
      // would match falsely, so it is visited only once the history behind it is here.
      const boundary = historyOptions.paths?.length ? await shallowCommits() : new Set<string>();
      if (round > 0 || logFirst)
        await streamLog(
          dir,
          from,
          (commit) => {
            if (seen.has(commit.sha) || boundary.has(commit.sha)) return 'more';
            seen.add(commit.sha);
            if (visit(commit) === 'stop') {
              stopped = true;
              return 'stop';
            }
            return 'more';
          },
          historyOptions,
        );
      if (stopped || (await shallowCommits()).size === 0) return;
      await historyFetch([`--deepen=${deepen}`, 'origin', `+${branchRef}:${branchRef}`]);
      deepen *= 8;
    }
  };

  /** The first commit of a walk read from its object (commit-object.ts); undefined: the log reads it. */
  async function commitOf(name: string): Promise<ParsedCommit | undefined> {
    if (!COMMIT_ID.test(name)) return undefined;
    const object = await objects.read(name);
    return object === undefined ? undefined : parseCommit(object);
  }

  /**
   * The commits where the clone's history is cut off and older commits exist. A shallow commit
   * whose object names no parent is the repository's first commit: nothing lies behind it, so it
   * needs no deepening (a one-commit repository is read whole by the first clone).
   */
  async function shallowCommits(): Promise<Set<string>> {
    const text = await readFile(join(dir, 'shallow'), 'utf8').catch(() => '');
    const listed = text.split('\n').filter(Boolean);
    const cut = await Promise.all(
      listed.map(async (oid) => {
        const object = await objects.read(oid);
        return object === undefined || /^parent /m.test(object.content.toString('latin1'));
      }),
    );
    return new Set(listed.filter((_, i) => cut[i]));
  }

  async function commit(
    snapshot: GitOpsSnapshot,
    edits: readonly FileEdit[],
    message: string,
    at: Date,
  ): Promise<CommitOutcome> {
    for (const edit of edits) safeJoin(dir, edit.path);
    const base = roots.get(snapshot.head) ?? (await trees.rootOf(snapshot.head)).tree;
    const tree = await writeTree(
      (type, content) => writeObject(dir, hashOf(snapshot.head), type, content),
      trees,
      base,
      edits.map((e) => ({ path: e.path, text: e.after })),
    );
    const sha = await writeObject(
      dir,
      hashOf(snapshot.head),
      'commit',
      commitContent(tree, [snapshot.head], who, who, at, message),
    );
    // --force-with-lease pins the remote branch to the head we planned on: compare-and-swap.
    const pushed = await run([
      'push',
      '--porcelain',
      '--no-verify',
      `--force-with-lease=refs/heads/${options.branch}:${snapshot.head}`,
      'origin',
      `${sha}:refs/heads/${options.branch}`,
    ]);
    if (pushed.code === 0) return { kind: 'committed', sha };
    return pushRefused(`${pushed.stdout}\n${pushed.stderr}`, options.branch, shown);
  }

  return {
    gitDir: dir,
    read,
    history,
    commit,
    async close() {
      await objects.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
