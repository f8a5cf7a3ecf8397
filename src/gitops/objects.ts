import { createHash } from 'node:crypto';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

// Git objects written by rollgate itself, as loose objects: `<type> <size>\0<content>`, hashed
// (SHA-1, or SHA-256 in a repository of that format) and zlib-compressed under
// objects/<2 hex>/<rest>. What `git hash-object -w`, `git mktree` and `git commit-tree` write, without
// a process for each: a commit costs file writes, and the push that sends it is the only git
// process. git reads loose objects written this way like its own (the format is git's documented
// on-disk format, unchanged since its first release).

const deflateAsync = promisify(deflate);

export type HashAlgorithm = 'sha1' | 'sha256';

/** The hash of a repository whose object ids look like `oid` (40 or 64 hex digits). */
export function hashOf(oid: string): HashAlgorithm {
  return oid.length === 64 ? 'sha256' : 'sha1';
}

/** The id git gives an object of this type and content. */
export function objectId(algorithm: HashAlgorithm, type: string, content: Buffer): string {
  return createHash(algorithm).update(`${type} ${content.length}\0`).update(content).digest('hex');
}

/** Writes one object into `gitDir` (a no-op when it is already there) and returns its id. */
export async function writeObject(
  gitDir: string,
  algorithm: HashAlgorithm,
  type: 'blob' | 'tree' | 'commit',
  content: Buffer,
): Promise<string> {
  const oid = objectId(algorithm, type, content);
  const folder = join(gitDir, 'objects', oid.slice(0, 2));
  const file = join(folder, oid.slice(2));
  const compressed = await deflateAsync(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]));
  await mkdir(folder, { recursive: true });
  // Written aside, then linked into place: a reader never sees half an object, and an object that
  // is already there (the same id is the same content) is left as it is.
  const temp = join(folder, `tmp_obj_${process.pid}_${Math.random().toString(36).slice(2)}`);
  await writeFile(temp, compressed, { mode: 0o444 });
  try {
    await link(temp, file);
  } catch (err) {
    // Where hard links are not allowed, a rename puts it in place (over an identical object, if any).
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
  return oid;
}

export interface TreeEntry {
  readonly mode: string;
  readonly oid: string;
}

/** A tree object's content: entries in git's order (by name, a folder compared as `name/`). */
export function treeContent(entries: ReadonlyMap<string, TreeEntry>): Buffer {
  const key = (name: string, mode: string) => (mode === '40000' ? `${name}/` : name);
  const sorted = [...entries].sort(([a, ea], [b, eb]) =>
    Buffer.compare(Buffer.from(key(a, ea.mode)), Buffer.from(key(b, eb.mode))),
  );
  return Buffer.concat(
    sorted.flatMap(([name, e]) => [Buffer.from(`${e.mode} ${name}\0`), Buffer.from(e.oid, 'hex')]),
  );
}

/** Entries of a raw tree object: `<mode> <name>\0<id bytes>` repeated. */
export function parseTree(content: Buffer, hashBytes: number): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
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

export interface Identity {
  readonly name: string;
  readonly email: string;
}

/** A commit object's content, as `git commit-tree` writes it (the message verbatim). */
export function commitContent(
  tree: string,
  parents: readonly string[],
  author: Identity,
  committer: Identity,
  at: Date,
  message: string,
): Buffer {
  // git drops the characters that would break an ident line; so does this.
  const clean = (s: string) => s.replace(/[<>\r\n\0]/g, '').trim();
  const when = `${Math.floor(at.getTime() / 1000)} +0000`;
  const ident = (who: Identity) => `${clean(who.name)} <${clean(who.email)}> ${when}`;
  return Buffer.from(
    [
      `tree ${tree}`,
      ...parents.map((p) => `parent ${p}`),
      `author ${ident(author)}`,
      `committer ${ident(committer)}`,
      '',
      message,
    ].join('\n'),
  );
}
