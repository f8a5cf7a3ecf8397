import type { Readable } from 'node:stream';

// git's pkt-line framing (gitprotocol-common(5)): four hex digits giving the length of the line
// including themselves, then the payload; "0000" is a flush, "0001" a delimiter (protocol v2),
// "0002" a response end. The framing of every request and response rollgate exchanges with
// `git upload-pack` and `git receive-pack` (wire.ts).

export type Packet = Buffer | 'flush' | 'delim' | 'end';

/** One pkt-line holding `payload` (a string is sent as UTF-8). */
export function pkt(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (body.length > 65516) throw new Error(`pkt-line payload of ${body.length} bytes is over git's limit`);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export const FLUSH = Buffer.from('0000');
export const DELIM = Buffer.from('0001');

/**
 * Reads pkt-lines from a stream, one at a time, as the process writes them. A stream that ends in
 * the middle of a line (the process died) rejects with what the process said on stderr.
 */
export class PacketReader {
  private buffered: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    stream: Readable,
    private readonly why: () => string,
  ) {
    stream.on('data', (d: Buffer) => {
      this.buffered = this.buffered.length === 0 ? d : Buffer.concat([this.buffered, d]);
      this.notify();
    });
    stream.on('end', () => {
      this.ended = true;
      this.notify();
    });
    stream.on('error', (err) => {
      this.failure = err;
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async need(bytes: number): Promise<boolean> {
    while (this.buffered.length < bytes) {
      if (this.failure) throw this.failure;
      if (this.ended) return false;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return true;
  }

  /** The next packet; undefined when the stream ended cleanly between packets. */
  async next(): Promise<Packet | undefined> {
    if (!(await this.need(4))) {
      if (this.buffered.length === 0) return undefined;
      throw new Error(`git ended in the middle of a reply: ${this.why()}`);
    }
    const head = this.buffered.subarray(0, 4).toString('latin1');
    if (!/^[0-9a-f]{4}$/.test(head))
      throw new Error(`git sent a malformed pkt-line (${JSON.stringify(head)}): ${this.why()}`);
    const length = Number.parseInt(head, 16);
    if (length < 4) {
      this.buffered = this.buffered.subarray(4);
      return length === 0 ? 'flush' : length === 1 ? 'delim' : 'end';
    }
    if (!(await this.need(length))) throw new Error(`git ended in the middle of a reply: ${this.why()}`);
    const body = Buffer.from(this.buffered.subarray(4, length));
    this.buffered = this.buffered.subarray(length);
    return body;
  }

  /** The next packet as a text line without its trailing newline; a flush or delimiter as such. */
  async line(): Promise<string | 'flush' | 'delim' | 'end' | undefined> {
    const p = await this.next();
    if (p === undefined || typeof p === 'string') return p;
    const text = p.toString('utf8').replace(/\n$/, '');
    if (text.startsWith('ERR ')) throw new Error(`the GitOps repository answered: ${text.slice(4)}`);
    return text;
  }
}
