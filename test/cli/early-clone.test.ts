import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { gitopsLocation, likelyPaths, startEarlyClone } from '../../src/cli/early-clone.js';
import { VERB_OPTIONS } from '../../src/cli/verb-options.js';
import { EXAMPLE_CONFIG, exampleGitOps, tempDir } from '../helpers/repo.js';

// check and plan start the GitOps clone before the config is validated; the verb takes it only when
// the validated config names the same repository and branch, and anything else removes it unused.

const io = (cwd = process.cwd()): CliIo => ({ stdout: () => {}, stderr: () => {}, env: {}, cwd });
describe('the early GitOps clone of check and plan', () => {
  let root = '';
  let bare = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    bare = await exampleGitOps(root);
  });
  afterAll(() => cleanup());

  it('is taken once, for the same repository and branch, and reads the head', async () => {
    const early = await startEarlyClone(
      'check',
      ['production', '--config', EXAMPLE_CONFIG, '--gitops', bare],
      VERB_OPTIONS.check,
      io(),
    );
    expect(early).toBeDefined();
    expect(early?.take(bare, 'other')).toBeUndefined();
    const store = await early?.take(bare, 'main');
    expect(early?.take(bare, 'main')).toBeUndefined();
    try {
      await early?.discard(); // taken: the taker closes it, so the store still reads
      expect((await store?.read(['apps/checkout/overlays/dev/kustomization.yaml']))?.head).toMatch(
        /^[0-9a-f]{40}$/,
      );
    } finally {
      await store?.close();
    }
  });

  it('left untaken, is closed by discard and leaves nothing behind', async () => {
    // A repository on this machine is read over the wire (no clone folder at all); a private temp
    // folder shows that nothing is left behind either way.
    const tmp = join(root, 'tmp');
    await mkdir(tmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const early = await startEarlyClone(
        'plan',
        ['dev', '--config', EXAMPLE_CONFIG, '--gitops', bare],
        VERB_OPTIONS.plan,
        io(),
      );
      expect(early).toBeDefined();
      await early?.discard();
      expect(early?.take(bare, 'main')).toBeUndefined();
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('starts nothing when the options, the config or a ${VAR} leave the repository unclear', async () => {
    const withVar = join(root, 'var.yaml');
    await writeFile(withVar, 'version: 1\ngitops: { repository: "${GITOPS}" }\n');
    for (const args of [
      ['production', '--config', EXAMPLE_CONFIG, '--gitops'], // --gitops without its value
      ['production', '--config', EXAMPLE_CONFIG, '--nope', 'x', '--gitops', bare],
      ['production', '--config', join(root, 'missing.yaml'), '--gitops', bare],
      ['production', '--config', withVar],
    ])
      expect(await startEarlyClone('check', args, VERB_OPTIONS.check, io())).toBeUndefined();
  });

  it('a clone that fails is reported by the verb, in the words of a clone made then', async () => {
    const missing = join(root, 'no-such-repo.git');
    const early = await startEarlyClone(
      'check',
      ['production', '--config', EXAMPLE_CONFIG, '--gitops', missing],
      VERB_OPTIONS.check,
      io(),
    );
    await expect(early?.take(missing, 'main')).rejects.toThrow(
      `cannot open GitOps repository ${missing} (branch main)`,
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      [
        'check',
        'production',
        '--version',
        '1.4.0',
        '--config',
        EXAMPLE_CONFIG,
        '--gitops',
        missing,
        '--requested-by',
        'ana',
      ],
      { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: process.cwd() },
    );
    expect(code).toBe(3);
    expect(err.join('\n')).toContain(`cannot open GitOps repository ${missing} (branch main)`);
  });

  it('a config error still wins over the clone: exit 2 with file:line:col', async () => {
    const broken = join(root, 'broken.yaml');
    await writeFile(
      broken,
      `version: 1\ngitops: { repository: ${JSON.stringify(bare)} }\nservices: { a: {} }\nenvironments:\n  dev: { path: "a", gates: [nope] }\n`,
    );
    const err: string[] = [];
    const code = await run(
      ['check', 'dev', '--version', '1.4.0', '--config', broken, '--requested-by', 'ana'],
      {
        stdout: () => {},
        stderr: (t) => err.push(t),
        env: {},
        cwd: process.cwd(),
      },
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(`${broken}:5:29 (environments.dev.gates[0]): no gate named "nope"`);
  });
});

describe('the paths the early clone fetches ahead', () => {
  it("are every environment's kustomization candidates and state files of the services there", () => {
    const raw = {
      services: { checkout: {}, cart: {} },
      environments: {
        dev: { path: 'apps/{{service}}/overlays/dev/' },
        production: { path: 'apps/{{service}}/overlays/production', services: ['checkout'] },
        broken: { path: 7 },
      },
    };
    expect(likelyPaths(raw)).toEqual([
      'apps/checkout/overlays/dev/kustomization.yaml',
      'apps/checkout/overlays/dev/kustomization.yml',
      'apps/checkout/overlays/dev/Kustomization',
      '.rollgate/state/dev/checkout.yaml',
      'apps/cart/overlays/dev/kustomization.yaml',
      'apps/cart/overlays/dev/kustomization.yml',
      'apps/cart/overlays/dev/Kustomization',
      '.rollgate/state/dev/cart.yaml',
      'apps/checkout/overlays/production/kustomization.yaml',
      'apps/checkout/overlays/production/kustomization.yml',
      'apps/checkout/overlays/production/Kustomization',
      '.rollgate/state/production/checkout.yaml',
    ]);
  });

  it('are none for a config that says nothing usable', () => {
    for (const raw of [undefined, null, 'text', [], { environments: [] }, { environments: { dev: 'x' } }])
      expect(likelyPaths(raw)).toEqual([]);
  });
});

describe('gitopsLocation', () => {
  it.each([
    ['gitops', '/work/gitops'],
    ['../shared/gitops.git', '/shared/gitops.git'],
    ['/srv/gitops.git', '/srv/gitops.git'],
    ['file:///srv/gitops.git', 'file:///srv/gitops.git'],
    // Read as git reads them: ssh and http(s) URLs, and scp-like `[user@]host:path`, are not folders.
    ['git@github.com:acme/gitops.git', 'git@github.com:acme/gitops.git'],
    ['example.com:acme/gitops.git', 'example.com:acme/gitops.git'],
    ['ssh://git@example.com:2222/gitops.git', 'ssh://git@example.com:2222/gitops.git'],
    ['https://github.com/acme/gitops.git', 'https://github.com/acme/gitops.git'],
  ])('%s', (repository, expected) => {
    expect(gitopsLocation(repository, '/work')).toBe(expected);
  });
});
