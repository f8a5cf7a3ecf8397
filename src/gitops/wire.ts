import type { GitObject } from './exec.js';
import type { HashAlgorithm } from './objects.js';
import { readPack, writePack } from './pack.js';
import { DELIM, FLUSH, type PacketReader, pkt } from './pkt-line.js';
import { type Connection, RequestRefused, type Transport, WireUnsupported } from './transport.js';

// git's wire protocol, spoken the way `git fetch` and `git push` speak it to `git upload-pack` and
// `git receive-pack`: protocol v2 `ls-refs` and `fetch` over one upload-pack connection for the
// whole read, and one receive-pack connection for the push, fed a pack written in process. How a
// connection is made (a process on this machine, ssh, smart HTTP) is the transport's business
// (transport.ts, smart-http.ts). A promotion then needs no clone, no index-pack, no cat-file, no
// client-side pack-objects.

const ZERO = /^0+$/;

/** One `git upload-pack` speaking protocol v2, kept for the store's life: every read goes through it. */
export class UploadPack {
  private readonly connection: Promise<Connection>;
  private capabilities: Promise<Map<string, string>> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(transport: Transport) {
    this.connection = transport.connect('git-upload-pack');
    // Whoever asks first gets the failure; an upload-pack never asked must not fail unhandled.
    this.connection.catch(() => undefined);
  }

  /** The server's capabilities (the v2 advertisement it sends first). */
  private advertised(): Promise<Map<string, string>> {
    this.capabilities ??= (async () => {
      const caps = new Map<string, string>();
      const conn = await this.connection;
      const first = await conn.advertisement.line();
      if (first === undefined)
        throw new Error(
          `git upload-pack ended before it said anything: ${conn.diagnostics() || 'no message'}`,
        );
      // A server that did not take GIT_PROTOCOL answers in v0 (its refs) or v1: git can still use it.
      if (first !== 'version 2')
        throw new WireUnsupported(
          `git upload-pack answered in protocol ${first === 'version 1' ? 'v1' : 'v0'}, not v2`,
        );
      for (;;) {
        const line = await conn.advertisement.line();
        if (line === 'flush') {
          // The store reads folders without file contents: a server that serves no partial fetch
          // would send every file. git copes (a full clone): leave it to git.
          if (!caps.has('ls-refs') || !(caps.get('fetch') ?? '').split(' ').includes('filter'))
            throw new WireUnsupported(
              'git upload-pack does not serve partial fetches (uploadpack.allowFilter)',
            );
          return caps;
        }
        if (typeof line !== 'string' || line === 'delim' || line === 'end')
          throw new Error(`git upload-pack ended its advertisement early: ${conn.diagnostics()}`);
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

  /** Sends one command; its answer comes on the reader returned, with what the server said besides. */
  private async command(
    name: string,
    args: readonly string[],
  ): Promise<{ reader: PacketReader; why: () => string }> {
    const algorithm = await this.algorithm();
    const conn = await this.connection;
    const reader = await conn.request(
      Buffer.concat([
        pkt(`command=${name}\n`),
        pkt(`object-format=${algorithm}\n`),
        DELIM,
        ...args.map((a) => pkt(`${a}\n`)),
        FLUSH,
      ]),
    );
    return { reader, why: () => conn.diagnostics() || 'no message' };
  }

  /** The id a ref points at; undefined when there is no such ref. */
  ref(name: string): Promise<string | undefined> {
    return this.serial(async () => {
      const { reader, why } = await this.command('ls-refs', [`ref-prefix ${name}`]);
      let found: string | undefined;
      for (;;) {
        const line = await reader.line();
        if (line === 'flush') return found;
        if (typeof line !== 'string' || line === 'delim' || line === 'end')
          throw new Error(`git upload-pack ended ls-refs early: ${why()}`);
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
      const { reader, why } = await this.command('fetch', [
        'no-progress',
        'ofs-delta',
        ...wants.map((w) => `want ${w}`),
        ...(options.depth !== undefined ? [`deepen ${options.depth}`] : []),
        ...(options.filter !== undefined ? [`filter ${options.filter}`] : []),
        'done',
      ]);
      // Sections before the pack (shallow-info, ...) end with a delimiter; their content is not needed:
      // the store asks for history through a clone of its own.
      for (;;) {
        const section = await reader.line();
        if (section === 'packfile') break;
        if (typeof section !== 'string' || section === 'flush' || section === 'end')
          throw new Error(`git upload-pack answered fetch without a pack: ${why()}`);
        let line = await reader.line();
        while (line !== 'delim') {
          if (typeof line !== 'string' || line === 'flush' || line === 'end')
            throw new Error(`git upload-pack ended the ${section} section early: ${why()}`);
          line = await reader.line();
        }
      }
      const data: Buffer[] = [];
      for (;;) {
        const p = await reader.next();
        if (p === 'flush') break;
        if (p === undefined || typeof p === 'string')
          throw new Error(`git upload-pack ended the pack early: ${why()}`);
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
    const conn = await this.connection.catch(() => undefined);
    await conn?.close();
  }
}

/** How `git receive-pack` answered an update: ok, or refused with its reason and what it printed. */
export type PushReport =
  | { readonly kind: 'ok' }
  | { readonly kind: 'stale'; readonly actual: string | undefined }
  | { readonly kind: 'refused'; readonly reason: string; readonly stderr: string }
  /** receive-pack ended without saying: the ref may or may not have moved. `detail`: how it ended. */
  | { readonly kind: 'unanswered'; readonly detail: string; readonly stderr: string };

/**
 * Moves `ref` from `expected` to `sha` in one `git receive-pack`, sending `objects` as a pack. The
 * lease is checked twice, as `git push --force-with-lease` does: against the advertised ref first
 * (nothing is sent when it moved), then by receive-pack itself, which updates the ref only if it
 * still holds `expected` (compare-and-swap under the ref's lock).
 */
export async function receivePack(
  transport: Transport,
  ref: string,
  expected: string,
  sha: string,
  objects: readonly { readonly type: 'commit' | 'tree' | 'blob'; readonly content: Buffer }[],
  algorithm: HashAlgorithm,
): Promise<PushReport> {
  const conn = await transport.connect('git-receive-pack');
  let caps = '';
  let actual: string | undefined;
  let first = true;
  for (;;) {
    const p = await conn.advertisement.next().catch((err: Error) => {
      throw new Error(`git receive-pack failed before it listed the refs: ${err.message}`);
    });
    if (p === 'flush') break;
    if (p === undefined || typeof p === 'string')
      throw new Error(`git receive-pack ended its ref list early: ${conn.diagnostics() || 'no message'}`);
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
    await conn.close();
    return { kind: 'stale', actual };
  }
  const advertised = caps.split(' ');
  // The side band carries what receive-pack and its hooks print (over HTTP, the only way it comes
  // back): a hook's reason, or the lost race under the ref lock ("is at X but expected Y").
  const wanted = ['report-status', 'side-band-64k', 'quiet', `object-format=${algorithm}`].filter(
    (c) => c === 'report-status' || advertised.includes(c),
  );
  const sideBand = wanted.includes('side-band-64k');
  let reader: PacketReader;
  try {
    reader = await conn.request(
      Buffer.concat([
        pkt(`${expected} ${sha} ${ref}\0${wanted.join(' ')}\n`),
        FLUSH,
        writePack(objects, algorithm),
      ]),
      true,
    );
  } catch (err) {
    const { detail } = await conn.close();
    if (err instanceof RequestRefused) return { kind: 'refused', reason: err.message, stderr: '' };
    return { kind: 'unanswered', detail: `${(err as Error).message}; ${detail}`, stderr: '' };
  }
  const { lines, said } = await pushAnswer(reader, sideBand);
  const { detail } = await conn.close();
  const stderr = [said, conn.diagnostics()].filter(Boolean).join('\n');
  const status = lines.find((l) => l.startsWith(`ok ${ref}`) || l.startsWith(`ng ${ref}`));
  const unpack = lines.find((l) => l.startsWith('unpack '));
  if (status?.startsWith('ok ') && unpack === 'unpack ok') return { kind: 'ok' };
  if (status?.startsWith('ng '))
    return { kind: 'refused', reason: status.slice(`ng ${ref} `.length), stderr };
  if (unpack !== undefined && unpack !== 'unpack ok')
    return { kind: 'refused', reason: `unpacker error: ${unpack.slice('unpack '.length)}`, stderr };
  return { kind: 'unanswered', detail, stderr };
}

/**
 * receive-pack's report (`unpack ok`, `ok <ref>` / `ng <ref> <reason>`), and what it printed on the
 * side band. With the side band the report's pkt-lines come inside band 1 packets. An answer cut
 * off ends the lines where it broke: the caller sees no status and says the push went unanswered.
 */
async function pushAnswer(
  reader: PacketReader,
  sideBand: boolean,
): Promise<{ lines: string[]; said: string }> {
  const lines: string[] = [];
  let said = '';
  if (!sideBand) {
    for (;;) {
      const line = await reader.line().catch(() => undefined);
      if (line === undefined || line === 'flush' || line === 'delim' || line === 'end') break;
      lines.push(line);
    }
    return { lines, said };
  }
  const report: Buffer[] = [];
  for (;;) {
    const p = await reader.next().catch(() => undefined);
    if (p === undefined || typeof p === 'string') break;
    const band = p[0];
    if (band === 1) report.push(p.subarray(1));
    else if (band === 2 || band === 3) said += p.subarray(1).toString('utf8');
  }
  const data = Buffer.concat(report);
  for (let at = 0; at + 4 <= data.length;) {
    const length = Number.parseInt(data.subarray(at, at + 4).toString('latin1'), 16);
    if (!Number.isFinite(length) || length < 4) break;
    lines.push(
      data
        .subarray(at + 4, at + length)
        .toString('utf8')
        .replace(/\n$/, ''),
    );
    at += length;
  }
  return { lines, said: said.replace(/\r/g, '\n').trim() };
}
