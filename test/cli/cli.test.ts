import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { EXAMPLE_CONFIG, exampleGitOps, git, showFile, tempDir } from '../helpers/repo.js';

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: process.cwd() };
  const code = await run(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('rollgate CLI', () => {
  let root = '';
  let bare = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    bare = await exampleGitOps(root);
  });
  afterAll(() => cleanup());
  const common = () => ['--config', EXAMPLE_CONFIG, '--gitops', bare, '--requested-by', 'ana'];

  it('validate: 0 on the example, 2 with file:line:col on a broken config', async () => {
    expect((await cli(['validate', '--config', EXAMPLE_CONFIG])).code).toBe(0);
    const broken = join(root, 'broken.yaml');
    await writeFile(
      broken,
      'version: 1\ngitops: { repository: x }\nservices: { a: {} }\nenvironments:\n  dev: { path: "a", gates: [nope] }\n',
    );
    const result = await cli(['validate', '--config', broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${broken}:5:29 (environments.dev.gates[0]): no gate named "nope"`);
  });

  it('check --json prints one decision object and exits 1 when denied', async () => {
    const result = await cli([
      'check',
      'production',
      '--version',
      '1.4.0',
      '--at',
      '2026-11-20T16:30:00+01:00',
      '--json',
      ...common(),
    ]);
    expect(result.code).toBe(1);
    const decision = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(decision)).toEqual([
      'allowed',
      'environment',
      'services',
      'version',
      'evaluatedAt',
      'verdicts',
    ]);
    expect(decision).toMatchObject({
      allowed: false,
      environment: 'production',
      services: ['checkout', 'cart'],
      version: '1.4.0',
      evaluatedAt: '2026-11-20T15:30:00.000Z',
    });
    const verdicts = decision.verdicts as { gate: string; outcome: string; reason: string }[];
    expect(verdicts.map((v) => [v.gate, v.outcome])).toEqual([
      ['order', 'fail'],
      ['weekend-freeze', 'fail'],
      ['holidays', 'pass'],
      ['bake-24h', 'fail'],
    ]);
    expect(verdicts[1]?.reason).toMatch(
      /^frozen by weekend until Mon 2026-11-23 08:00 Europe\/Berlin \(07:00 UTC\); to override: /,
    );
  });

  it('plan shows the diff and writes nothing; promote commits it; exit codes follow the outcome', async () => {
    const head = (await git(bare, 'rev-parse', 'main')).trim();
    const plan = await cli(['plan', 'dev', '--service', 'cart', '--version', '1.5.0', ...common()]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('-  newTag: 1.3.0\n+  newTag: 1.5.0');
    expect((await git(bare, 'rev-parse', 'main')).trim()).toBe(head);
    const promoted = await cli(['promote', 'dev', '--service', 'cart', '--version', '1.5.0', ...common()]);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/committed [0-9a-f]{12} to main/);
    expect(await showFile(bare, 'apps/cart/overlays/dev/kustomization.yaml')).toContain('newTag: 1.5.0');
    const again = await cli(['promote', 'dev', '--service', 'cart', '--version', '1.5.0', ...common()]);
    expect(again.stdout).toContain('nothing to commit: dev already runs 1.5.0');
    const dry = await cli([
      'promote',
      'dev',
      '--service',
      'cart',
      '--version',
      '1.6.0',
      '--dry-run',
      ...common(),
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing committed');
    expect(await showFile(bare, 'apps/cart/overlays/dev/kustomization.yaml')).toContain('newTag: 1.5.0');
  });

  it('usage errors exit 2 with a did-you-mean; an unreachable GitOps repository exits 3', async () => {
    const env = await cli(['check', 'prod', '--version', '1', ...common()]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('unknown environment "prod" (did you mean "production"?)');
    const service = await cli(['check', 'dev', '--service', 'chekout', '--version', '1', ...common()]);
    expect(service.stderr).toContain('unknown service "chekout" (did you mean "checkout"?)');
    expect((await cli(['check', 'dev', '--version', '1', '--bogus', ...common()])).code).toBe(2);
    expect((await cli(['check', 'dev', ...common()])).stderr).toContain('--version is required');
    expect((await cli(['check', 'dev', '--version', 'bad tag!', ...common()])).stderr).toContain(
      'is not a valid image tag',
    );
    expect((await cli(['check', 'dev', '--version', '1', '--at', 'yesterday', ...common()])).code).toBe(2);
    const missing = await cli([
      'check',
      'dev',
      '--version',
      '1',
      '--config',
      EXAMPLE_CONFIG,
      '--gitops',
      join(root, 'nothing-here'),
      '--requested-by',
      'ana',
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('cannot open GitOps repository');
  });

  it('rollback of several services: one read, one commit for all going back to the same version', async () => {
    const { dir, cleanup: done } = await tempDir();
    try {
      const repo = await exampleGitOps(dir);
      const args = ['--config', EXAMPLE_CONFIG, '--gitops', repo, '--requested-by', 'ana'];
      for (const [version, at] of [
        ['2.0.0', '2026-11-16T09:00:00Z'],
        ['2.1.0', '2026-11-16T10:00:00Z'],
      ] as const)
        expect(
          (await cli(['promote', 'dev', '--version', version, '--at', at, '--simulate-clock', ...args])).code,
        ).toBe(0);
      const before = Number(await git(repo, 'rev-list', '--count', 'main'));
      const back = await cli([
        'rollback',
        'dev',
        '--at',
        '2026-11-16T11:00:00Z',
        '--simulate-clock',
        ...args,
      ]);
      expect(back.code).toBe(0);
      expect(Number(await git(repo, 'rev-list', '--count', 'main'))).toBe(before + 1);
      const message = await git(repo, 'log', '-1', '--format=%B', 'main');
      expect(message).toMatch(/^roll back checkout, cart to 2\.0\.0 in dev/);
      expect(message).toContain('Rollgate-Service: checkout\nRollgate-Service: cart\n');
    } finally {
      await done();
    }
  });

  it('rollback of services going back to different versions: one commit, each version in the trailers, read back by the next rollback', async () => {
    const { dir, cleanup: done } = await tempDir();
    try {
      const repo = await exampleGitOps(dir);
      const args = [
        '--config',
        EXAMPLE_CONFIG,
        '--gitops',
        repo,
        '--requested-by',
        'ana',
        '--simulate-clock',
      ];
      for (const [service, version, at] of [
        ['checkout', '1.9.0', '2026-11-16T08:00:00Z'],
        ['checkout', '2.0.0', '2026-11-16T09:00:00Z'],
        ['cart', '2.1.0', '2026-11-16T09:30:00Z'],
      ] as const)
        expect(
          (await cli(['promote', 'dev', '--service', service, '--version', version, '--at', at, ...args]))
            .code,
        ).toBe(0);
      expect(
        (await cli(['promote', 'dev', '--version', '2.2.0', '--at', '2026-11-16T10:00:00Z', ...args])).code,
      ).toBe(0);
      const before = Number(await git(repo, 'rev-list', '--count', 'main'));
      const back = await cli(['rollback', 'dev', '--at', '2026-11-16T11:00:00Z', ...args]);
      expect(back.code).toBe(0);
      expect(Number(await git(repo, 'rev-list', '--count', 'main'))).toBe(before + 1);
      const message = await git(repo, 'log', '-1', '--format=%B', 'main');
      expect(message).toMatch(/^roll back checkout to 2\.0\.0, cart to 2\.1\.0 in dev\n/);
      expect(message).toContain(
        'Rollgate-Service: checkout\nRollgate-Service: cart\nRollgate-Version: 2.0.0\nRollgate-Version: 2.1.0\n',
      );
      expect(await showFile(repo, 'apps/checkout/overlays/dev/kustomization.yaml')).toMatch(
        /newTag: "?2\.0\.0"?/,
      );
      expect(await showFile(repo, 'apps/cart/overlays/dev/kustomization.yaml')).toMatch(
        /newTag: "?2\.1\.0"?/,
      );
      // The next rollback reads that commit per service: checkout goes on back to 1.9.0; cart has
      // no earlier rollgate version (exit 2) and is left as it is.
      const again = await cli(['rollback', 'dev', '--at', '2026-11-16T12:00:00Z', ...args]);
      expect(again.code).toBe(2);
      expect(again.stdout).toContain('checkout: 2.0.0 -> 1.9.0');
      expect(again.stderr).toContain('cart: no earlier version in dev');
      expect(await showFile(repo, 'apps/checkout/overlays/dev/kustomization.yaml')).toMatch(
        /newTag: "?1\.9\.0"?/,
      );
      expect(await showFile(repo, 'apps/cart/overlays/dev/kustomization.yaml')).toMatch(
        /newTag: "?2\.1\.0"?/,
      );
    } finally {
      await done();
    }
  });

  it('promote to an older version needs --reason and says it is a downgrade', async () => {
    const { dir, cleanup: done } = await tempDir();
    try {
      const repo = await exampleGitOps(dir);
      const args = ['--config', EXAMPLE_CONFIG, '--gitops', repo, '--requested-by', 'ana'];
      const refused = await cli(['promote', 'dev', '--service', 'checkout', '--version', '1.2.0', ...args]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('1.2.0 is a downgrade of checkout in dev, which runs 1.3.0');
      const done2 = await cli([
        'promote',
        'dev',
        '--service',
        'checkout',
        '--version',
        '1.2.0',
        '--reason',
        'bad memory leak',
        ...args,
      ]);
      expect(done2.code).toBe(0);
      expect(done2.stdout).toContain('downgrade of checkout in dev from 1.3.0 to 1.2.0');
    } finally {
      await done();
    }
  });

  it('rollback restores the previous version from the history, skipping gates visibly; status shows it', async () => {
    const { dir, cleanup: done } = await tempDir();
    try {
      const repo = await exampleGitOps(dir);
      const args = ['--config', EXAMPLE_CONFIG, '--gitops', repo, '--requested-by', 'ana'];
      const none = await cli(['rollback', 'dev', '--service', 'checkout', ...args]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain(
        'checkout: no earlier version in dev in the GitOps history (it runs 1.3.0)',
      );
      await cli([
        'promote',
        'dev',
        '--service',
        'checkout',
        '--version',
        '2.0.0',
        '--at',
        '2026-11-16T09:00:00Z',
        '--simulate-clock',
        ...args,
      ]);
      await cli([
        'promote',
        'dev',
        '--service',
        'checkout',
        '--version',
        '2.1.0',
        '--at',
        '2026-11-16T10:00:00Z',
        '--simulate-clock',
        ...args,
      ]);
      const back = await cli([
        'rollback',
        'dev',
        '--service',
        'checkout',
        '--reason',
        '2.1.0 drops carts',
        '--at',
        '2026-11-16T11:00:00Z',
        '--simulate-clock',
        ...args,
      ]);
      expect(back.code).toBe(0);
      expect(back.stdout).toContain('checkout: 2.1.0 -> 2.0.0');
      expect(await showFile(repo, 'apps/checkout/overlays/dev/kustomization.yaml')).toContain(
        'newTag: "2.0.0" # promoted by rollgate',
      );
      const message = await git(repo, 'log', '-1', '--format=%B', 'main');
      expect(message).toMatch(/^roll back checkout to 2\.0\.0 in dev/);
      expect(message).toContain('Rollgate-Decision: rollback (gates skipped)');
      // The version it leaves is held, in the state file and in the audit trail (DESIGN.md trailers).
      expect(message).toContain('Rollgate-Hold: 2.1.0');
      expect(message).toContain('Rollgate-Reason: 2.1.0 drops carts');
      expect(await showFile(repo, '.rollgate/state/dev/checkout.yaml')).toMatch(
        /holds:\n\s+- version: "?2\.1\.0"?/,
      );
      // A rollback in staging skips its gates but shows them.
      await cli([
        'promote',
        'staging',
        '--service',
        'checkout',
        '--version',
        '2.0.0',
        '--at',
        '2026-11-17T10:00:00Z',
        '--simulate-clock',
        ...args,
      ]);
      const status = await cli(['status', '--json', ...args]);
      const rows = (
        JSON.parse(status.stdout) as {
          environments: { environment: string; service: string; version: string; since: string | null }[];
        }
      ).environments;
      expect(rows.map((r) => `${r.environment}/${r.service}=${r.version}@${r.since ?? '-'}`)).toEqual([
        'dev/checkout=2.0.0@2026-11-16T11:00:00.000Z',
        'dev/cart=1.3.0@-',
        'staging/checkout=2.0.0@2026-11-17T10:00:00.000Z',
        'staging/cart=1.3.0@-',
        'production/checkout=1.3.0@-',
        'production/cart=1.3.0@-',
      ]);
      await cli([
        'promote',
        'dev',
        '--service',
        'checkout',
        '--version',
        '2.1.0',
        '--at',
        '2026-11-17T12:00:00Z',
        '--simulate-clock',
        // The rollback above held 2.1.0 in dev: shipping it again needs a reason.
        '--reason',
        'the config bug of 2.1.0 is fixed',
        ...args,
      ]);
      const up = await cli([
        'promote',
        'staging',
        '--service',
        'checkout',
        '--version',
        '2.1.0',
        '--at',
        '2026-11-17T14:00:00Z',
        '--simulate-clock',
        ...args,
      ]);
      expect(up.code).toBe(0);
      const stagingBack = await cli([
        'rollback',
        'staging',
        '--service',
        'checkout',
        '--json',
        '--at',
        '2026-11-17T14:05:00Z',
        '--simulate-clock',
        ...args,
      ]);
      expect(stagingBack.stdout).toContain('checkout: 2.1.0 -> 2.0.0');
      const decision = JSON.parse(stagingBack.stdout.slice(stagingBack.stdout.indexOf('{'))) as {
        verdicts: { gate: string; outcome: string }[];
        result: string;
      };
      expect(decision.result).toBe('committed');
      expect(decision.verdicts.map((v) => `${v.gate}:${v.outcome}`)).toEqual(['order:skip', 'bake-1h:skip']);
    } finally {
      await done();
    }
  }, 180_000);

  it('--help works for every verb', async () => {
    for (const verb of ['validate', 'check', 'plan', 'promote', 'rollback', 'status', 'edit', 'demo']) {
      const result = await cli([verb, '--help']);
      expect(result.code, verb).toBe(0);
      expect(result.stdout).toContain(`rollgate ${verb}`);
    }
    expect((await cli([])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });

  it('the demo walks dev -> staging -> production with allowed and denied steps', async () => {
    const result = await cli(['demo']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ALLOWED  checkout, cart 1.4.0 -> dev');
    expect(result.stdout).toContain('staging must run 1.4.0 first');
    expect(result.stdout).toContain('50m left');
    expect(result.stdout).toContain('by bake-1h (earliest retry 2026-11-16T10:00:00.000Z)');
    expect(result.stdout).toContain('frozen by weekend until Mon 2026-11-23 08:00 Europe/Berlin (07:00 UTC)');
    expect(result.stdout).toContain('nothing to commit: production already runs 1.4.0');
    expect(result.stdout.match(/^Rollgate-Environment: /gm)).toHaveLength(4);
    expect(result.stdout).toContain(
      'Rollgate-Override: weekend-freeze by break-glass oncall-lead (asserted on the CLI, not verified): card payments fail without 1.4.0',
    );
    expect(result.stdout).toMatch(/promote cart 1\.4\.0 to production\n/);
    // Two overlays and, beside them, the two services' state files (new here: a whole file each).
    expect(result.stdout).toContain('4 files changed, 18 insertions(+), 2 deletions(-)');
  });
});
