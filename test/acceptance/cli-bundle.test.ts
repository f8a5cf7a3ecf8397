import { execFile } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/repo.js';

const run = promisify(execFile);

// The committed bundle must run with no node_modules at all: copy only dist/ and examples/.
describe('dist/cli.js as shipped', () => {
  let dir = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await cp('dist', join(dir, 'dist'), { recursive: true });
    await cp('examples', join(dir, 'examples'), { recursive: true });
  });
  afterAll(() => cleanup());

  it('runs the demo from a folder without node_modules', async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'dist', 'cli.js'), 'demo'], { cwd: dir });
    expect(stdout).toContain('ALLOWED  checkout, cart 1.4.0 -> production');
    expect(stdout).toContain('DENIED   checkout, cart 1.4.0 -> production by weekend-freeze');
  });

  it('exits 2 on a usage error, as documented', async () => {
    const failed = await run(process.execPath, [join(dir, 'dist', 'cli.js'), 'check', 'staging', '--nope'], {
      cwd: dir,
    }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in failed && failed.code).toBe(2);
  });
});
