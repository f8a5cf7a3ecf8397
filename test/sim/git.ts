// Git plumbing over a real repository on disk. Every call is execFile with an argument array, so
// nothing a client sends is ever parsed by a shell. Revision expressions from clients are refused
// when they could be read as an option.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'rollgate-sim',
  GIT_AUTHOR_EMAIL: 'sim@example.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

export function git(
  dir: string,
  args: string[],
  opts: { input?: Buffer | string; env?: Record<string, string> } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-C', dir, ...args],
      {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...IDENTITY, GIT_TERMINAL_PROMPT: '0', ...opts.env },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (err && code === -1) reject(err);
        else resolve({ code, stdout, stderr: stderr.toString('utf8') });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function gitOk(
  dir: string,
  args: string[],
  opts: { input?: Buffer | string; env?: Record<string, string> } = {},
): Promise<string> {
  const r = await git(dir, args, opts);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}: ${r.stderr.trim()}`);
  return r.stdout.toString('utf8').trim();
}

export function safeRev(rev: string): boolean {
  return rev.length > 0 && !rev.startsWith('-') && !rev.includes('\0');
}

/** The object id an expression names, or undefined when it names nothing. */
export async function revParse(dir: string, rev: string): Promise<string | undefined> {
  if (!safeRev(rev)) return undefined;
  const r = await git(dir, ['rev-parse', '--verify', '--quiet', rev]);
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

export async function branchHead(dir: string, branch: string): Promise<string | undefined> {
  return revParse(dir, `refs/heads/${branch}^{commit}`);
}

/** A ref given to the REST API: a branch, a tag or a (possibly short) commit SHA. */
export async function resolveCommitish(dir: string, ref: string): Promise<string | undefined> {
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`, ref]) {
    const oid = await revParse(dir, `${candidate}^{commit}`);
    if (oid) return oid;
  }
  return undefined;
}

export async function objectType(dir: string, oid: string): Promise<string> {
  return gitOk(dir, ['cat-file', '-t', oid]);
}

export async function readBlob(dir: string, oid: string): Promise<Buffer> {
  const r = await git(dir, ['cat-file', 'blob', oid]);
  if (r.code !== 0) throw new Error(`git cat-file blob ${oid} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface CommitInfo {
  oid: string;
  tree: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  message: string;
}

const SEP = '\x1f';
const FORMAT = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join(SEP);

/** git prints local offsets (+02:00); GitHub's APIs speak UTC with a Z. */
function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseCommit(record: string): CommitInfo {
  const [oid = '', tree = '', parents = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...rest] =
    record.split(SEP);
  return {
    oid,
    tree,
    parents: parents ? parents.split(' ') : [],
    authorName: an,
    authorEmail: ae,
    authorDate: utc(ad),
    committerName: cn,
    committerEmail: ce,
    committerDate: utc(cd),
    message: rest.join(SEP).replace(/\n$/, ''),
  };
}

/** First-parent-agnostic history like GitHub's Commit.history: newest first, at most `max`. */
export async function log(dir: string, oid: string, max: number, path?: string): Promise<CommitInfo[]> {
  const args = ['log', `--max-count=${max}`, `--format=${FORMAT}%x1e`, oid];
  if (path) args.push('--', path);
  const out = await gitOk(dir, args);
  return out
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.length > 0)
    .map(parseCommit);
}

export async function commitInfo(dir: string, oid: string): Promise<CommitInfo | undefined> {
  const [c] = await log(dir, oid, 1).catch(() => []);
  return c;
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
  size: number;
  path: string;
}

/** Entries of the tree at `<commit>:<dir>` (dir '' for the root). */
export async function lsTree(dir: string, commit: string, treePath: string): Promise<TreeEntry[]> {
  const spec = treePath ? `${commit}:${treePath}` : `${commit}^{tree}`;
  const out = await gitOk(dir, ['ls-tree', '-l', '-z', spec]);
  return out
    .split('\0')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [meta = '', name = ''] = line.split('\t');
      const [mode = '', type = '', oid = '', size = '-'] = meta.split(/\s+/);
      return {
        mode,
        type: type as TreeEntry['type'],
        oid,
        size: size === '-' ? 0 : Number(size),
        path: treePath ? `${treePath}/${name}` : name,
      };
    });
}

export interface FileChanges {
  additions: { path: string; contents: Buffer }[];
  deletions: string[];
}

export type CasResult = { kind: 'committed'; oid: string } | { kind: 'moved'; actual: string | undefined };

/**
 * Commits `changes` on top of `parent` and moves refs/heads/<branch> from `parent` to the new
 * commit with update-ref's compare-and-swap, so two writers racing on the same parent cannot
 * both win. Builds the tree in a temporary index; the work tree (if any) is never touched.
 */
export async function commitOnBranch(
  dir: string,
  branch: string,
  parent: string,
  changes: FileChanges,
  message: string,
  author: { name: string; email: string },
): Promise<CasResult> {
  const tmp = await mkdtemp(join(tmpdir(), 'sim-index-'));
  const env = { GIT_INDEX_FILE: join(tmp, 'index') };
  try {
    await gitOk(dir, ['read-tree', parent], { env });
    for (const add of changes.additions) {
      const blob = await gitOk(dir, ['hash-object', '-w', '--stdin'], { input: add.contents });
      await gitOk(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${add.path}`], { env });
    }
    for (const path of changes.deletions) {
      await gitOk(dir, ['update-index', '--force-remove', '--', path], { env });
    }
    const tree = await gitOk(dir, ['write-tree'], { env });
    const oid = await gitOk(dir, ['commit-tree', tree, '-p', parent, '-F', '-'], {
      input: message,
      env: { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email },
    });
    const cas = await git(dir, ['update-ref', `refs/heads/${branch}`, oid, parent]);
    if (cas.code !== 0) return { kind: 'moved', actual: await branchHead(dir, branch) };
    return { kind: 'committed', oid };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Creates a ref that must not exist yet (update-ref with the all-zero old value). */
export async function createRef(dir: string, ref: string, oid: string): Promise<boolean> {
  const r = await git(dir, ['update-ref', ref, oid, '0'.repeat(oid.length)]);
  return r.code === 0;
}
