import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import type { GitObject } from './exec.js';
import { type HashAlgorithm, objectId } from './objects.js';

// Git's pack format (gitformat-pack(5)), both ways, in process: the packs `git upload-pack` sends are
// read here (whole objects and the deltas against them), and the pack a push sends is written here
// (whole objects, no deltas: a promotion sends a dozen small objects). No index file is involved:
// the objects of a pack are kept in memory, by id, for the store's life.

const TYPES = ['', 'commit', 'tree', 'blob', 'tag'] as const;
const OFS_DELTA = 6;
const REF_DELTA = 7;

interface Entry {
  readonly offset: number;
  readonly type: number;
  readonly data: Buffer;
  readonly baseOffset?: number;
  readonly baseOid?: string;
}

/**
 * Every object of a pack, by id. Deltas are resolved against objects of the same pack or, for a
 * base sent by id that the pack does not hold, against `known`. The trailing checksum is verified.
 */
export function readPack(
  pack: Buffer,
  algorithm: HashAlgorithm,
  known: (oid: string) => GitObject | undefined = () => undefined,
): Map<string, GitObject> {
  const hashBytes = algorithm === 'sha256' ? 32 : 20;
  if (pack.length < 12 + hashBytes || pack.toString('latin1', 0, 4) !== 'PACK')
    throw new Error('the GitOps repository sent something that is not a pack');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new Error(`pack version ${version} is not supported`);
  const sum = createHash(algorithm)
    .update(pack.subarray(0, pack.length - hashBytes))
    .digest();
  if (!sum.equals(pack.subarray(pack.length - hashBytes)))
    throw new Error('the pack from the GitOps repository is damaged (checksum mismatch)');
  const count = pack.readUInt32BE(8);
  const entries: Entry[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    const offset = at;
    let c = pack[at++] ?? 0;
    const type = (c >> 4) & 7;
    let size = c & 0x0f;
    for (let scale = 16; c & 0x80; scale *= 128) {
      c = pack[at++] ?? 0;
      size += (c & 0x7f) * scale;
    }
    let baseOffset: number | undefined;
    let baseOid: string | undefined;
    if (type === OFS_DELTA) {
      c = pack[at++] ?? 0;
      let distance = c & 0x7f;
      while (c & 0x80) {
        c = pack[at++] ?? 0;
        distance = (distance + 1) * 128 + (c & 0x7f);
      }
      baseOffset = offset - distance;
    } else if (type === REF_DELTA) {
      baseOid = pack.toString('hex', at, at + hashBytes);
      at += hashBytes;
    } else if (TYPES[type] === undefined || type === 0) throw new Error(`pack entry of unknown type ${type}`);
    const inflated: unknown = inflateSync(pack.subarray(at, pack.length - hashBytes), {
      info: true,
      // One output chunk of the size the entry announces: zlib's default would allocate 16 KiB per entry.
      chunkSize: Math.max(64, size + 1),
    });
    // With `info`, zlib also hands back its engine, whose input count says where the entry ends.
    if (!isInflated(inflated)) throw new Error('zlib gave no input count for a pack entry');
    const { buffer, engine } = inflated;
    at += engine.bytesWritten;
    entries.push({
      offset,
      type,
      data: buffer,
      ...(baseOffset !== undefined ? { baseOffset } : {}),
      ...(baseOid !== undefined ? { baseOid } : {}),
    });
  }
  const byOffset = new Map(entries.map((e) => [e.offset, e]));
  const resolvedAt = new Map<number, GitObject>();
  const objects = new Map<string, GitObject>();
  /** The object of an entry; undefined while it is a delta against an id not read yet. */
  const resolve = (entry: Entry): GitObject | undefined => {
    const done = resolvedAt.get(entry.offset);
    if (done) return done;
    let base: GitObject | undefined;
    if (entry.baseOffset !== undefined) {
      const baseEntry = byOffset.get(entry.baseOffset);
      if (baseEntry === undefined || baseEntry.offset >= entry.offset)
        throw new Error(`pack delta at ${entry.offset} names no earlier entry as its base`);
      base = resolve(baseEntry);
      if (base === undefined) return undefined;
    } else if (entry.baseOid !== undefined) {
      base = objects.get(entry.baseOid) ?? known(entry.baseOid);
      if (base === undefined) return undefined;
    }
    const type = base?.type ?? TYPES[entry.type] ?? '';
    const content = base === undefined ? entry.data : applyDelta(base.content, entry.data);
    const object = { oid: objectId(algorithm, type, content), type, content };
    resolvedAt.set(entry.offset, object);
    objects.set(object.oid, object);
    return object;
  };
  // A delta against an id may come before its base: passes until nothing is left or nothing moves.
  let waiting = entries;
  while (waiting.length > 0) {
    const still = waiting.filter((entry) => resolve(entry) === undefined);
    if (still.length === waiting.length)
      throw new Error(
        `pack delta against ${still[0]?.baseOid ?? 'an unknown base'}, which neither the pack nor the clone holds`,
      );
    waiting = still;
  }
  return objects;
}

/** The object a delta (gitformat-pack(5), "Deltified representation") makes of `base`. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let at = 0;
  const size = () => {
    let value = 0;
    let scale = 1;
    let c: number;
    do {
      c = delta[at++] ?? 0;
      value += (c & 0x7f) * scale;
      scale *= 128;
    } while (c & 0x80);
    return value;
  };
  if (size() !== base.length) throw new Error('pack delta does not fit its base (size mismatch)');
  const out = Buffer.alloc(size());
  let written = 0;
  while (at < delta.length) {
    const op = delta[at++] ?? 0;
    if (op & 0x80) {
      let offset = 0;
      let length = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += (delta[at++] ?? 0) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) length += (delta[at++] ?? 0) * 2 ** (8 * bit);
      if (length === 0) length = 0x10000;
      if (offset + length > base.length || written + length > out.length)
        throw new Error('pack delta copies outside its base');
      written += base.copy(out, written, offset, offset + length);
    } else if (op > 0) {
      if (written + op > out.length || at + op > delta.length)
        throw new Error('pack delta inserts past its end');
      written += delta.copy(out, written, at, at + op);
      at += op;
    } else throw new Error('pack delta holds the reserved instruction 0');
  }
  if (written !== out.length) throw new Error('pack delta is shorter than it says');
  return out;
}

/** A pack of whole objects (no deltas), as `git receive-pack` reads it. */
export function writePack(
  objects: readonly { readonly type: 'commit' | 'tree' | 'blob'; readonly content: Buffer }[],
  algorithm: HashAlgorithm,
): Buffer {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [header];
  for (const { type, content } of objects) {
    const bytes: number[] = [];
    let size = content.length;
    let c = (TYPES.indexOf(type) << 4) | (size & 0x0f);
    size = Math.floor(size / 16);
    while (size > 0) {
      bytes.push(c | 0x80);
      c = size & 0x7f;
      size = Math.floor(size / 128);
    }
    bytes.push(c);
    parts.push(Buffer.from(bytes), deflateSync(content));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash(algorithm).update(body).digest()]);
}

function isInflated(value: unknown): value is { buffer: Buffer; engine: { bytesWritten: number } } {
  if (typeof value !== 'object' || value === null || !('buffer' in value) || !('engine' in value))
    return false;
  const { buffer, engine } = value;
  return (
    Buffer.isBuffer(buffer) &&
    typeof engine === 'object' &&
    engine !== null &&
    'bytesWritten' in engine &&
    typeof engine.bytesWritten === 'number'
  );
}
