import { type ChildProcess, spawn } from 'node:child_process';
import type { GitObject } from './exec.js';
import type { HashAlgorithm } from './objects.js';
import { readPack, writePack } from './pack.js';
import { DELIM, FLUSH, type PacketReader as Reader, PacketReader, pkt } from './pkt-line.js';

// git's wire protocol spoken to a repository on this machine (a path or a file:// URL), the way
// `git fetch` and `git push` speak it to the `git upload-pack` and `git receive-pack` they start
// (through a shell, which rollgate does not need): protocol v2 `ls-refs` and `fetch` over one
// upload-pack for the whole read, and one receive-pack for the push, fed a pack written in process.
// A promotion then starts upload-pack and receive-pack (and what they start themselves) and
// nothing else: no clone, no index-pack, no cat-file, no client-side pack-objects.

const ENV = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
const ZERO = /^0+$/;

function started(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): {
  child: ChildProcess;
  reader: Reader;
  stderr: () => string;
  exited: Promise<number>;
} {
  const child = spawn('git', args, {
    env: { ...process.env, ...ENV, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e) => ((err += String(e)), resolve(1)));
    child.on('close', (code) => resolve(code ?? 1));
  });
  if (child.stdout === null) throw new Error('git started without a stdout');
  return {
    child,
    reader: new PacketReader(child.stdout, () => err.trim() || 'no message'),
    stderr: () => err,
    exited,
  };
}

/** One `git upload-pack` speaking protocol v2, kept for the store's life: every read goes through it. */
export class UploadPack {
  private readonly proc: ReturnType<typeof started>;
  private capabilities: Promise<Map<string, string>> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(repository: string) {
    // Serving a partial clone and objects by id is the server's choice; this server is ours.
    this.proc = started(
      [
        '-c',
        'uploadpack.allowFilter=true',
        '-c',
        'uploadpack.allowAnySHA1InWant=true',
        'upload-pack',
        '--',
        repository,
      ],
      { GIT_PROTOCOL: 'version=2' },
    );
  }

  /** The server's capabilities (the v2 advertisement it sends first). */
  private advertised(): Promise<Map<string, string>> {
    this.capabilities ??= (async () => {
      const caps = new Map<string, string>();
      const first = await this.proc.reader.line();
      if (first !== 'version 2')
        throw new Error(
          `git upload-pack did not speak protocol v2 (${String(first)}): ${this.proc.stderr().trim()}`,
        );
      for (;;) {
        const line = await this.proc.reader.line();
        if (line === 'flush') return caps;
        if (typeof line !== 'string' || line === 'delim' || line === 'end')
          throw new Error(`git upload-pack ended its advertisement early: ${this.proc.stderr().trim()}`);
        const eq = line.indexOf('=');
        caps.set(eq === -1 ? line : line.slice(0, eq), eq === -1 ? '' : line.slice(eq + 1));
      }
    })();
    return this.capabilities;
  }

  /** The repository's object format (sha1 or sha256). */
  async algorithm(): Promise<HashAlgorithm> {
    return (await this.advertised()).get('object-format') === 'sha256' ? 'sha256' : 'sha1';
  }

  /** Commands are answered in order: one at a time. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async command(name: string, args: readonly string[]): Promise<void> {
    const algorithm = await this.algorithm();
    this.proc.child.stdin?.write(
      Buffer.concat([
        pkt(`command=${name}\n`),
        pkt(`object-format=${algorithm}\n`),
        DELIM,
        ...args.map((a) => pkt(`${a}\n`)),
        FLUSH,
      ]),
    );
  }

  /** The id a ref points at; undefined when there is no such ref. */
  ref(name: string): Promise<string | undefined> {
    return this.serial(async () => {
      await this.command('ls-refs', [`ref-prefix ${name}`]);
      let found: string | undefined;
      for (;;) {
        const line = await this.proc.reader.line();
        if (line === 'flush') return found;
        if (typeof line !== 'string' || line === 'delim' || line === 'end')
          throw new Error(`git upload-pack ended ls-refs early: ${this.proc.stderr().trim()}`);
        const [oid, ref] = line.split(' ');
        if (ref === name && oid !== undefined) found = oid;
      }
    });
  }

  /**
   * The objects `wants` need, in one pack: with `depth` the commits' history is cut there (what a
   * shallow clone gets), with `filter` (e.g. blob:none) the server leaves those objects out.
   */
  fetch(
    wants: readonly string[],
    options: { readonly depth?: number; readonly filter?: string } = {},
    known?: (oid: string) => GitObject | undefined,
  ): Promise<Map<string, GitObject>> {
    return this.serial(async () => {
      await this.command('fetch', [
        'no-progress',
        'ofs-delta',
        ...wants.map((w) => `want ${w}`),
        ...(options.depth !== undefined ? [`deepen ${options.depth}`] : []),
        ...(options.filter !== undefined ? [`filter ${options.filter}`] : []),
        'done',
      ]);
      const reader = this.proc.reader;
      // Sections before the pack (shallow-info, ...) end with a delimiter; their content is not needed:
      // the store asks for history through a clone of its own.
      for (;;) {
        const section = await reader.line();
        if (section === 'packfile') break;
        if (typeof section !== 'string' || section === 'flush' || section === 'end')
          throw new Error(`git upload-pack answered fetch without a pack: ${this.proc.stderr().trim()}`);
        let line = await reader.line();
        while (line !== 'delim') {
          if (typeof line !== 'string' || line === 'flush' || line === 'end')
            throw new Error(
              `git upload-pack ended the ${section} section early: ${this.proc.stderr().trim()}`,
            );
          line = await reader.line();
        }
      }
      const data: Buffer[] = [];
      for (;;) {
        const p = await reader.next();
        if (p === 'flush') break;
        if (p === undefined || typeof p === 'string')
          throw new Error(`git upload-pack ended the pack early: ${this.proc.stderr().trim()}`);
        const band = p[0];
        if (band === 1) data.push(p.subarray(1));
        else if (band === 3)
          throw new Error(
            `the GitOps repository refused the fetch: ${p.subarray(1).toString('utf8').trim()}`,
          );
      }
      return readPack(Buffer.concat(data), await this.algorithm(), known);
    });
  }

  async close(): Promise<void> {
    this.proc.child.stdin?.end();
    await this.proc.exited;
  }
}

/** How `git receive-pack` answered an update: ok, or refused with its reason and what it printed. */
export type PushReport =
  | { readonly kind: 'ok' }
  | { readonly kind: 'stale'; readonly actual: string | undefined }
  | { readonly kind: 'refused'; readonly reason: string; readonly stderr: string }
  /** receive-pack ended without saying: the ref may or may not have moved. */
  | { readonly kind: 'unanswered'; readonly code: number; readonly stderr: string };

/**
 * Moves `ref` from `expected` to `sha` in one `git receive-pack`, sending `objects` as a pack. The
 * lease is checked twice, as `git push --force-with-lease` does: against the advertised ref first
 * (nothing is sent when it moved), then by receive-pack itself, which updates the ref only if it
 * still holds `expected` (compare-and-swap under the ref's lock).
 */
export async function receivePack(
  repository: string,
  ref: string,
  expected: string,
  sha: string,
  objects: readonly { readonly type: 'commit' | 'tree' | 'blob'; readonly content: Buffer }[],
  algorithm: HashAlgorithm,
): Promise<PushReport> {
  const proc = started(['receive-pack', '--', repository], {});
  const { reader, child } = proc;
  let caps = '';
  let actual: string | undefined;
  let first = true;
  for (;;) {
    const p = await reader.next().catch((err: Error) => {
      throw new Error(`git receive-pack failed before it listed the refs: ${err.message}`);
    });
    if (p === 'flush') break;
    if (p === undefined || typeof p === 'string')
      throw new Error(`git receive-pack ended its ref list early: ${proc.stderr().trim()}`);
    let line = p.toString('utf8').replace(/\n$/, '');
    if (first) {
      const nul = line.indexOf('\0');
      if (nul !== -1) {
        caps = line.slice(nul + 1);
        line = line.slice(0, nul);
      }
      first = false;
    }
    const [oid = '', name] = line.split(' ');
    if (name === ref && !ZERO.test(oid)) actual = oid;
  }
  if (actual !== expected) {
    child.stdin?.end(FLUSH);
    await proc.exited;
    return { kind: 'stale', actual };
  }
  const advertised = caps.split(' ');
  const wanted = ['report-status', 'quiet', `object-format=${algorithm}`].filter(
    (c) => c === 'report-status' || advertised.includes(c),
  );
  child.stdin?.end(
    Buffer.concat([
      pkt(`${expected} ${sha} ${ref}\0${wanted.join(' ')}\n`),
      FLUSH,
      writePack(objects, algorithm),
    ]),
  );
  const lines: string[] = [];
  for (;;) {
    const line = await reader.line().catch(() => undefined);
    if (line === undefined || line === 'flush' || line === 'delim' || line === 'end') break;
    lines.push(line);
  }
  const code = await proc.exited;
  const stderr = proc.stderr();
  const status = lines.find((l) => l.startsWith(`ok ${ref}`) || l.startsWith(`ng ${ref}`));
  const unpack = lines.find((l) => l.startsWith('unpack '));
  if (status?.startsWith('ok ') && unpack === 'unpack ok') return { kind: 'ok' };
  if (status?.startsWith('ng '))
    return { kind: 'refused', reason: status.slice(`ng ${ref} `.length), stderr };
  if (unpack !== undefined && unpack !== 'unpack ok')
    return { kind: 'refused', reason: `unpacker error: ${unpack.slice('unpack '.length)}`, stderr };
  return { kind: 'unanswered', code, stderr };
}
