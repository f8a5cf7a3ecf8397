import { describe, expect, it } from 'vitest';
import { catFile } from '../../src/gitops/cat-file.js';
import { runGit } from '../../src/gitops/exec.js';
import { applyDelta, readPack, writePack } from '../../src/gitops/pack.js';
import { git, tempDir } from '../helpers/repo.js';

// Packs both ways against real git: packs git writes (with offset and id deltas) read here give
// exactly the objects `git cat-file` shows, and packs written here are accepted by `git index-pack`.

async function repoWithSimilarFiles(dir: string): Promise<void> {
  await git(dir, 'init', '--quiet', '--bare', '--initial-branch=main');
  const lines: string[] = [];
  const base = Array.from({ length: 200 }, (_, i) => `key${i}: value ${i}`).join('\n');
  for (let c = 1; c <= 5; c++) {
    lines.push(
      'commit refs/heads/main',
      `committer T <t@example.com> ${1_700_000_000 + c} +0000`,
      'data 2',
      `${c}`,
    );
    for (let f = 0; f < 30; f++) {
      const body = `${base}\nchanged: ${c}-${f}\n`;
      lines.push(`M 100644 inline d${f % 3}/f${f}.yaml`, `data ${Buffer.byteLength(body)}`, body);
    }
  }
  const r = await runGit(['fast-import', '--quiet'], { cwd: dir, input: `${lines.join('\n')}\n` });
  if (r.code !== 0) throw new Error(r.stderr);
}

async function packOf(dir: string, offsets: boolean): Promise<Buffer> {
  const list = await git(dir, 'rev-list', '--objects', 'main');
  const ids = list
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0])
    .join('\n');
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['pack-objects', '--stdout', '-q', ...(offsets ? ['--delta-base-offset'] : [])],
      { cwd: dir, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin?.end(`${ids}\n`);
  });
}

describe('readPack', () => {
  it.each([true, false])(
    'reads every object of a pack git wrote with deltas (offset deltas: %s)',
    async (offsets) => {
      const { dir, cleanup } = await tempDir();
      try {
        await repoWithSimilarFiles(dir);
        const pack = await packOf(dir, offsets);
        const objects = readPack(pack, 'sha1');
        const listed = (await git(dir, 'rev-list', '--objects', 'main')).split('\n').filter(Boolean);
        expect(objects.size).toBe(listed.length);
        // Deltas were there to resolve: the pack is far smaller than its objects.
        const total = [...objects.values()].reduce((n, o) => n + o.content.length, 0);
        expect(pack.length).toBeLessThan(total / 4);
        const reader = catFile(dir);
        try {
          for (const line of listed) {
            const oid = line.split(' ')[0] ?? '';
            const shown = await reader.read(oid);
            expect(objects.get(oid)?.type).toBe(shown?.type);
            expect(objects.get(oid)?.content.equals(shown?.content ?? Buffer.alloc(0))).toBe(true);
          }
        } finally {
          await reader.close();
        }
      } finally {
        await cleanup();
      }
    },
  );

  it('refuses a damaged pack and a delta that reaches outside its base', () => {
    const pack = writePack([{ type: 'blob', content: Buffer.from('hello\n') }], 'sha1');
    const damaged = Buffer.from(pack);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0xff;
    expect(() => readPack(damaged, 'sha1')).toThrow(/checksum/);
    expect(() => readPack(Buffer.from('not a pack at all, not at all'), 'sha1')).toThrow(/not a pack/);
    // base size 2, result size 4, copy 4 bytes from offset 0: past the base's end.
    expect(() => applyDelta(Buffer.from('ab'), Buffer.from([2, 4, 0x91, 0, 4]))).toThrow(/outside its base/);
    expect(applyDelta(Buffer.from('ab'), Buffer.from([2, 4, 0x91, 0, 2, 2, 0x63, 0x64])).toString()).toBe(
      'abcd',
    );
  });
});

describe('writePack', () => {
  it('writes a pack git indexes, with the ids git gives the objects', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await git(dir, 'init', '--quiet', '--bare');
      const big = Buffer.from('x'.repeat(100_000));
      const pack = writePack(
        [
          { type: 'blob', content: Buffer.from('a: 1\n') },
          { type: 'blob', content: big },
        ],
        'sha1',
      );
      const indexed = await new Promise<string>((resolve, reject) => {
        void import('node:child_process').then(({ execFile }) => {
          const child = execFile('git', ['index-pack', '--stdin', '--strict'], { cwd: dir }, (err, out) =>
            err ? reject(err) : resolve(out),
          );
          child.stdin?.end(pack);
        });
      });
      expect(indexed).toMatch(/^pack\s+[0-9a-f]{40}/);
      const roundTrip = readPack(pack, 'sha1');
      for (const [oid, object] of roundTrip)
        expect((await git(dir, 'cat-file', '-s', oid)).trim()).toBe(String(object.content.length));
    } finally {
      await cleanup();
    }
  });
});
