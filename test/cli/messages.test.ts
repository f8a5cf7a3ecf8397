import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { HELP } from '../../src/cli/help.js';
import { run } from '../../src/cli/main.js';
import { EXAMPLE_CONFIG, exampleGitOps, git, tempDir } from '../helpers/repo.js';

// Issue 11 item 18: every message tells the truth about what was run and what happened.

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: process.cwd() };
  const code = await run(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('CLI messages', () => {
  let root = '';
  let repo = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    repo = await exampleGitOps(root);
  });
  afterAll(() => cleanup());
  const target = () => ['--config', EXAMPLE_CONFIG, '--gitops', repo];

  it('top-level help shows --version as required where it is', () => {
    for (const verb of ['check', 'plan', 'promote']) {
      const line = HELP.split('\n').find((l) => l.trim().startsWith(`rollgate ${verb} `)) ?? '';
      expect(line, verb).toContain(' --version V ');
      expect(line, verb).not.toContain('[--version');
    }
  });

  it('an unknown option gets a did-you-mean among the verb’s own options, and no stray quote', async () => {
    const typo = await cli(['check', 'dev', '--version', '1', '--confg', 'x.yaml']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^rollgate check: unknown option "--confg" \(did you mean "--config"\?\); options of rollgate check: --config, /,
    );
    expect(typo.stderr).not.toContain("'");
    expect(typo.stderr).not.toContain('positional argument');
    const other = await cli(['status', '--dry-run']);
    expect(other.stderr).toContain(
      'unknown option "--dry-run"; options of rollgate status: --config, --gitops, ',
    );
    expect((await cli(['promote', 'dev', '--dryrun'])).stderr).toContain('(did you mean "--dry-run"?)');
    expect((await cli(['check', 'dev', '--at'])).stderr).toContain('--at needs a value: write --at VALUE');
    expect((await cli(['promote', 'dev', '--json=yes'])).stderr).toContain(
      '--json is a switch and takes no value',
    );
  });

  it('config errors name the verb that was run', async () => {
    const broken = join(root, 'broken.yaml');
    await writeFile(
      broken,
      'version: 1\ngitops: { repository: x }\nservices: {}\nenvironments: { dev: { path: x, atfer: y } }\n',
    );
    for (const verb of ['validate', 'check', 'plan', 'promote', 'rollback', 'status']) {
      const args = ['validate', 'status'].includes(verb) ? [] : ['dev', '--version', '1'];
      const result = await cli([
        verb,
        ...args.filter((a) => verb !== 'rollback' || a === 'dev'),
        '--config',
        broken,
      ]);
      expect(result.code, verb).toBe(2);
      expect(result.stderr, verb).toContain(`rollgate ${verb}: config error:`);
      expect(result.stderr, verb).toContain(`run "rollgate ${verb} --help" for usage`);
      for (const other of ['validate', 'check', 'plan', 'promote', 'rollback', 'status'].filter(
        (v) => v !== verb,
      ))
        expect(result.stderr, verb).not.toContain(`rollgate ${other} --help`);
    }
    const edit = await cli(['edit', 'image', join(root, 'nowhere'), 'a:1', '--bogus']);
    expect(edit.stderr).not.toContain('rollgate plan');
  });

  it('with no --requested-by and $USER unset, a promotion is refused instead of recorded as "cli"', async () => {
    const none = await cli(['promote', 'dev', '--service', 'cart', '--version', '1.5.0', ...target()]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('who asks? none of $ROLLGATE_ACTOR, $GITHUB_ACTOR or $USER is set');
    expect(none.stderr).toContain('pass --requested-by USER');
    const blank = await cli(['check', 'dev', '--version', '1.5.0', ...target()], { USER: '  ' });
    expect(blank.code).toBe(2);
    const fromUser = await cli(['promote', 'dev', '--service', 'cart', '--version', '1.5.0', ...target()], {
      USER: 'ana',
    });
    expect(fromUser.code).toBe(0);
    expect(await git(repo, 'log', '-1', '--format=%B', 'main')).toContain('Rollgate-Requested-By: ana');
  });

  it('plan with no possible plan says CANNOT PLAN, never ALLOWED, and exits 2', async () => {
    const config = join(root, 'kart.yaml');
    await writeFile(
      config,
      'version: 1\ngitops: { repository: acme/gitops }\nservices:\n  cart: { image: ghcr.io/acme/kart }\nenvironments:\n  dev: { path: "apps/{{service}}/overlays/dev" }\n',
    );
    const args = ['dev', '--version', '2.0.0', '--config', config, '--gitops', repo, '--requested-by', 'ana'];
    for (const verb of ['plan', 'check', 'promote']) {
      const result = await cli([verb, ...args]);
      expect(result.code, verb).toBe(2);
      expect(result.stdout, verb).not.toContain('ALLOWED');
      expect(result.stdout, verb).toContain(
        'CANNOT PLAN  cart 2.0.0 -> dev: cart: apps/cart/overlays/dev/kustomization.yaml has no image named ghcr.io/acme/kart',
      );
      expect(result.stdout, verb).toContain('(the gates would allow it)');
    }
  });

  it('a self-loop in `after` blames the one environment, once', async () => {
    const config = join(root, 'loop.yaml');
    await writeFile(
      config,
      'version: 1\ngitops: { repository: x }\nservices: { a: { image: a } }\nenvironments:\n  dev: { path: "apps/{{service}}/dev", after: dev }\n  staging: { path: "apps/{{service}}/staging", after: dev }\n  qa: { path: "apps/{{service}}/qa", after: uat }\n  uat: { path: "apps/{{service}}/uat", after: qa }\n',
    );
    const result = await cli(['validate', '--config', config]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toEqual([
      `  ${config}:5:47 (environments.dev.after): "after: dev" names dev itself; an environment cannot come after itself: remove "after", or name the environment before it`,
      `  ${config}:7:45 (environments.qa.after): "after" forms a loop: qa -> uat -> qa; the pipeline must have a first environment`,
    ]);
  });

  it('an unquoted {{service}} in a flow map gets one hint, not 130 lines of parser errors', async () => {
    const config = join(root, 'braces.yaml');
    await writeFile(
      config,
      'version: 1\ngitops: { repository: acme/gitops }\nservices:\n  checkout: { image: ghcr.io/acme/checkout }\nenvironments:\n  dev:     { path: apps/{{service}}/overlays/dev }\n  staging: { path: apps/{{service}}/overlays/staging, after: dev }\n',
    );
    const result = await cli(['validate', '--config', config]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`${config}:6:25: YAML: "{{" opens a YAML flow map`);
    expect(lines[0]).toContain('quote the value, e.g. path: "apps/{{service}}/overlays/dev"');
    expect(lines[1]).toMatch(/\(and \d+ more parser errors after it, most likely caused by this one/);
    // Block style parses, but as a map: the same hint instead of `got {...}` alone.
    await writeFile(
      config,
      'version: 1\ngitops: { repository: acme/gitops }\nservices:\n  checkout: { image: ghcr.io/acme/checkout }\nenvironments:\n  dev:\n    path: {{service}}\n',
    );
    const block = await cli(['validate', '--config', config]);
    expect(block.stderr).toContain('(environments.dev.path): expected string');
    expect(block.stderr).toContain('"{{" opens a YAML flow map');
  });
});
