import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { runEditImage, runEditWeight } from '../../src/overlays/cli-edit.js';
import { EXAMPLE_CONFIG, exampleGitOps, git, tempDir } from '../helpers/repo.js';

// Issue 11 items 12 and 14 through the commands: `edit` and `status`/`plan` on a real GitOps
// repository whose overlays are a symbolic link and a binary file.

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: process.cwd() };
  const code = await run(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
spec:
  rules:
  - backendRefs:
    - name: web
      weight: 90
    - name: web-canary
      weight: 10
`;

describe('rollgate edit on odd files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-hostile-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('edit weight: an alias before its anchor exits 2 with file:line:col', async () => {
    const file = join(dir, 'route.yaml');
    await writeFile(file, ROUTE.replace('weight: 90', 'weight: *w').replace('weight: 10', 'weight: &w 10'));
    const result = await runEditWeight([file, '20']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `${file}:9:15: alias *w refers to no anchor defined before it; write &w on a value above this line, or replace the alias with the value`,
    );
  });

  it('edit weight --document picks one of several objects of one name', async () => {
    const file = join(dir, 'two.yaml');
    await writeFile(file, `${ROUTE}---\n${ROUTE}`);
    const ambiguous = await runEditWeight([file, '20', '--route', 'web']);
    expect(ambiguous.exitCode).toBe(2);
    expect(ambiguous.stderr).toContain('pick one by its position with --document N');
    const picked = await runEditWeight([file, '20', '--route', 'web', '--document', '2']);
    expect(picked).toMatchObject({ exitCode: 0 });
    expect(picked.stdout).toContain('web-canary weight 10 -> 20');
    expect((await runEditWeight([file, '20', '--document', 'two'])).exitCode).toBe(2);
  });

  it('edit image: a binary file is named as binary, with its position', async () => {
    const file = join(dir, 'kustomization.yaml');
    await writeFile(file, 'images:\n- name: web\n  newTag: v1\n\u0000PNG');
    const result = await runEditImage([file, 'web:v2']);
    expect(result).toMatchObject({ exitCode: 2 });
    expect(result.stderr).toBe(
      `${file}:4:1: the file is binary (it holds NUL bytes), not YAML; point the path at the kustomization.yaml itself`,
    );
  });
});

describe('status and plan on a GitOps repository with a symlinked and a binary overlay', () => {
  let root = '';
  let bare = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    bare = await exampleGitOps(root);
    const work = join(root, 'seed');
    const staging = join(work, 'apps/cart/overlays/staging/kustomization.yaml');
    await unlink(staging);
    await symlink('../dev/kustomization.yaml', staging);
    await writeFile(
      join(work, 'apps/cart/overlays/production/kustomization.yaml'),
      '\u0000\u0001\u0002binary',
    );
    await git(work, 'add', '-A');
    await git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'odd overlays');
    await git(work, 'push', '-q', bare, 'HEAD:main');
  });
  afterAll(() => cleanup());
  const common = () => ['--config', EXAMPLE_CONFIG, '--gitops', bare];

  it('status exits 2 and says which overlays cannot be read, and why', async () => {
    const result = await cli(['status', ...common()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'staging/cart: apps/cart/overlays/staging/kustomization.yaml: the file holds only the path "../dev/kustomization.yaml": a symbolic link?',
    );
    expect(result.stderr).toContain(
      'production/cart: apps/cart/overlays/production/kustomization.yaml:1:1: the file is binary',
    );
    expect(result.stdout).toMatch(/staging\s+cart\s+\?/);
    const json = await cli(['status', '--json', ...common()]);
    expect(json.code).toBe(2);
    expect(json.stdout).toContain('"problem"');
  });

  it('plan names the real cause instead of a missing image', async () => {
    for (const [env, cause] of [
      ['staging', 'a symbolic link?'],
      ['production', 'the file is binary'],
    ] as const) {
      const result = await cli([
        'plan',
        env,
        '--service',
        'cart',
        '--version',
        '1.4.0',
        '--requested-by',
        'ana',
        ...common(),
      ]);
      expect(result.code).toBe(2);
      expect(`${result.stdout}\n${result.stderr}`).toContain(cause);
      expect(`${result.stdout}\n${result.stderr}`).not.toContain('has no image named');
    }
  });
});
