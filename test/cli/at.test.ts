import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeFlag } from '../../src/cli/at.js';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { EXAMPLE_CONFIG, exampleGitOps, tempDir } from '../helpers/repo.js';

// Issue 11 item 15: `--at` names a time a clock can show, within 1970..2099, and never one before
// the history the gates read.

describe('parseTimeFlag', () => {
  it.each([
    ['2026-11-20T16:30:00+01:00', '2026-11-20T15:30:00.000Z'],
    ['2026-11-20T15:30:00Z', '2026-11-20T15:30:00.000Z'],
    ['2026-11-20T15:30', '2026-11-20T15:30:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20 16:30:00.250-05:00', '2026-11-20T21:30:00.250Z'],
    ['2026-11-20T16:30:00+14:00', '2026-11-20T02:30:00.000Z'],
    ['2026-11-20T16:30:00-12:00', '2026-11-21T04:30:00.000Z'],
    ['2026-11-20T16:30:00+0530', '2026-11-20T11:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseTimeFlag(text).toISOString()).toBe(iso);
  });

  it.each([
    ['2026-11-20T16:30:00+25:00', /the offset \+25:00 is outside -12:00\.\.\+14:00/],
    ['2026-11-20T16:30:00-13:00', /the offset -13:00 is outside/],
    ['2026-11-20T16:30:00+05:99', /has 99 minutes/],
    ['9999-01-01T00:00:00Z', /the year 9999 is outside 1970\.\.2099/],
    ['+275760-09-13T00:00:00Z', /not an ISO date and time/],
    ['1969-12-31T23:59:59Z', /the year 1969 is outside/],
    ['2026-02-30T00:00:00Z', /invalid/],
    ['2026-11-20T24:30:00Z', /--at "2026-11-20T24:30:00Z"/],
    ['yesterday', /not an ISO date and time/],
    ['2026-W47-5', /not an ISO date and time/],
    ['', /not an ISO date and time/],
  ])('%s is refused, saying why', (text, why) => {
    expect(() => parseTimeFlag(text)).toThrow(why);
    expect(() => parseTimeFlag(text)).toThrow(/write an ISO time such as/);
  });

  it('names the flag it parses, for --simulate-clock later', () => {
    expect(() => parseTimeFlag('soon', '--simulate-clock')).toThrow(/^--simulate-clock "soon"/);
  });
});

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: process.cwd() };
  const code = await run(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('--at on the CLI', () => {
  let repo = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir());
    repo = await exampleGitOps(dir);
  });
  afterAll(() => cleanup());
  const args = () => ['--config', EXAMPLE_CONFIG, '--gitops', repo, '--requested-by', 'ana'];

  it('refuses an offset no clock has and a far-future year: exit 2, naming the part', async () => {
    const offset = await cli([
      'check',
      'dev',
      '--version',
      '1.4.0',
      '--at',
      '2026-11-20T16:30+25:00',
      ...args(),
    ]);
    expect(offset.code).toBe(2);
    expect(offset.stderr).toContain('the offset +25:00 is outside -12:00..+14:00');
    const year = await cli(['plan', 'dev', '--version', '1.4.0', '--at', '9999-01-01T00:00:00Z', ...args()]);
    expect(year.code).toBe(2);
    expect(year.stderr).toContain('the year 9999 is outside 1970..2099');
    expect(year.stdout).toBe('');
  });

  it('refuses an --at before the version landed instead of printing negative bake figures', async () => {
    const at = (t: string) => ['--at', t, ...args()];
    // A writing verb takes --at only with --simulate-clock.
    const sim = (t: string) => [...at(t), '--simulate-clock'];
    expect((await cli(['promote', 'dev', '--version', '1.4.0', ...sim('2026-11-16T09:00:00Z')])).code).toBe(
      0,
    );
    expect(
      (await cli(['promote', 'staging', '--version', '1.4.0', ...sim('2026-11-16T10:00:00Z')])).code,
    ).toBe(0);
    const before = await cli(['check', 'production', '--version', '1.4.0', ...at('2026-11-16T08:00:00Z')]);
    expect(before.code).toBe(2);
    expect(before.stdout).not.toContain('left');
    expect(before.stderr).toMatch(
      /--at 2026-11-16T08:00:00\.000Z is before the GitOps head commit [0-9a-f]{12} \(2026-11-16T10:00:00\.000Z: checkout, cart 1\.4\.0 to staging\)/,
    );
    expect(before.stderr).toContain('give --at 2026-11-16T10:00:00.000Z or later');
    // A promotion with such a clock commits nothing.
    const promote = await cli(['promote', 'dev', '--version', '1.5.0', ...sim('2026-11-16T09:30:00Z')]);
    expect(promote.code).toBe(2);
    const after = await cli(['check', 'production', '--version', '1.4.0', ...at('2026-11-16T10:00:18Z')]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('for 18s of 24h');
  });
});
