import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { EXAMPLES, exampleGitOps, git, tempDir } from '../helpers/repo.js';

// Issue 11 item 16: --label and --requested-by are the operator's word. An override resting on them
// is marked "asserted on the CLI, not verified" in the verdict and the Rollgate-Override trailer, and
// a freeze with `unless.verifiedOnly: true` refuses it.

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: process.cwd() };
  const code = await run(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('operator identity on the CLI', () => {
  let root = '';
  let repo = '';
  let config = '';
  let strict = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    repo = await exampleGitOps(root);
    config = join(EXAMPLES, 'app', '.github', 'rollgate.yaml');
    // The same config, with the weekend freeze taking only overrides GitHub verifies.
    await cp(join(EXAMPLES, 'app', '.github'), join(root, 'strict'), { recursive: true });
    strict = join(root, 'strict', 'rollgate.yaml');
    const freezes = join(root, 'strict', 'policies', 'freezes.yaml');
    const text = await readFile(freezes, 'utf8');
    await writeFile(
      freezes,
      text.replace(
        'breakGlass: { users: [oncall-lead] } }',
        'breakGlass: { users: [oncall-lead] }, verifiedOnly: true }',
      ),
    );
    const at = (t: string) => [
      '--at',
      t,
      '--simulate-clock',
      '--config',
      config,
      '--gitops',
      repo,
      '--requested-by',
      'ana',
    ];
    for (const [env, t] of [
      ['dev', '2026-11-16T09:00:00Z'],
      ['staging', '2026-11-16T10:30:00Z'],
    ] as const) {
      expect((await cli(['promote', env, '--version', '1.4.0', ...at(t), '--simulate-clock'])).code).toBe(0);
    }
  });
  afterAll(() => cleanup());

  const friday = (file: string, who: string[]) => [
    'production',
    '--service',
    'checkout',
    '--version',
    '1.4.0',
    '--at',
    '2026-11-20T17:00:00+01:00',
    '--config',
    file,
    '--gitops',
    repo,
    ...who,
  ];
  const breakGlass = ['--requested-by', 'oncall-lead', '--reason', 'card payments fail without 1.4.0'];

  it('validate accepts unless.verifiedOnly', async () => {
    expect((await cli(['validate', '--config', strict])).code).toBe(0);
  });

  it('a freeze with verifiedOnly refuses break-glass and labels given on the CLI', async () => {
    const glass = await cli(['check', ...friday(strict, breakGlass), '--json']);
    expect(glass.code).toBe(1);
    const verdict = (
      JSON.parse(glass.stdout) as { verdicts: { gate: string; reasonCode: string; reason: string }[] }
    ).verdicts.find((v) => v.gate === 'weekend-freeze');
    expect(verdict?.reasonCode).toBe('freeze.override-not-verified');
    expect(verdict?.reason).toContain('break-glass by oncall-lead is asserted on the CLI, not verified');
    const label = await cli([
      'promote',
      ...friday(strict, ['--requested-by', 'ana', '--label', 'hotfix']),
      '--simulate-clock',
    ]);
    expect(label.code).toBe(1);
    expect(label.stdout).toContain('label "hotfix" is asserted on the CLI, not verified');
    expect(label.stdout).toContain('nothing committed: denied');
  });

  it('without verifiedOnly the override counts, marked asserted in the verdicts and the trailer', async () => {
    const checked = await cli(['check', ...friday(config, breakGlass), '--json']);
    expect(checked.code).toBe(0);
    const verdicts = (
      JSON.parse(checked.stdout) as { verdicts: { kind: string; reason: string; override?: unknown }[] }
    ).verdicts;
    expect(verdicts.find((v) => v.override !== undefined)?.override).toEqual({
      by: 'break-glass',
      who: 'oncall-lead',
      reason: 'card payments fail without 1.4.0',
      asserted: true,
    });
    expect(verdicts.find((v) => v.kind === 'override')?.reason).toBe(
      'weekend-freeze overridden by break-glass: oncall-lead (card payments fail without 1.4.0), asserted on the CLI, not verified',
    );
    expect((await cli(['promote', ...friday(config, breakGlass), '--simulate-clock'])).code).toBe(0);
    expect(await git(repo, 'log', '-1', '--format=%B', 'main')).toContain(
      'Rollgate-Override: weekend-freeze by break-glass oncall-lead (asserted on the CLI, not verified): card payments fail without 1.4.0',
    );
  });

  // --approved-by is the operator's word too: the pass is marked asserted in the verdict and the
  // Rollgate-Decision trailer, and an approvals gate with verifiedOnly refuses it.
  it('--approved-by counts, marked asserted in the verdict and the trailer; verifiedOnly refuses it', async () => {
    const text = (await readFile(config, 'utf8'))
      .replace('gates: [weekend-freeze, holidays, bake-24h]', 'gates: [bake-24h, sign-off]')
      .replace('gates:\n  bake-1h', 'gates:\n  sign-off: { approvals: { count: 1 } }\n  bake-1h');
    const approvals = join(root, 'strict', 'approvals.yaml');
    const verified = join(root, 'strict', 'approvals-verified.yaml');
    await writeFile(approvals, text);
    await writeFile(verified, text.replace('{ count: 1 }', '{ count: 1, verifiedOnly: true }'));
    const monday = (file: string) => [
      'production',
      '--service',
      'cart',
      '--version',
      '1.4.0',
      '--at',
      '2026-11-23T10:00:00Z',
      '--simulate-clock',
      '--config',
      file,
      '--gitops',
      repo,
      '--requested-by',
      'ana',
      '--approved-by',
      'bo',
    ];
    const refused = await cli([
      'check',
      ...monday(verified).filter((a) => a !== '--simulate-clock'),
      '--json',
    ]);
    expect(refused.code).toBe(1);
    const refusal = (
      JSON.parse(refused.stdout) as { verdicts: { gate: string; reasonCode: string; reason: string }[] }
    ).verdicts.find((v) => v.gate === 'sign-off');
    expect(refusal?.reasonCode).toBe('approvals.not-verified');
    expect(refusal?.reason).toContain('--approved-by bo is asserted on the CLI, not verified');

    const checked = await cli([
      'check',
      ...monday(approvals).filter((a) => a !== '--simulate-clock'),
      '--json',
    ]);
    expect(checked.code).toBe(0);
    const verdict = (
      JSON.parse(checked.stdout) as {
        verdicts: { gate: string; reasonCode: string; reason: string; details: Record<string, unknown> }[];
      }
    ).verdicts.find((v) => v.gate === 'sign-off');
    expect(verdict).toMatchObject({ reasonCode: 'approvals.cli-approved-by', details: { asserted: true } });
    expect(verdict?.reason).toContain('approved by bo per --approved-by, asserted on the CLI, not verified');
    expect((await cli(['promote', ...monday(approvals)])).code).toBe(0);
    expect(await git(repo, 'log', '-1', '--format=%B', 'main')).toMatch(
      /Rollgate-Decision: allowed \(.*sign-off=pass \(asserted on the CLI, not verified\)/,
    );
  });
});
