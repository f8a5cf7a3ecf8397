import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type GitCliStore, openGitStore } from '../../src/gitops/git-cli.js';
import { parseRemoteUrl } from '../../src/gitops/remote-url.js';
import { proxied } from '../../src/gitops/smart-http.js';
import { shellQuote, sshProgram } from '../../src/gitops/transport.js';
import { startGitHttp } from '../helpers/git-http.js';
import { cli } from '../helpers/cli.js';
import {
  EXAMPLE_CONFIG,
  exampleGitOps,
  git,
  loseNextPushAnswer,
  showFile,
  tempDir,
} from '../helpers/repo.js';
import { startSshd } from '../helpers/sshd.js';

// The wire store over ssh and smart HTTP, against git's own servers: `git http-backend` behind a
// loopback HTTP server, a real sshd on a loopback port, and a fake ssh that runs the remote command
// here (as git's own test suite does). A server that cannot serve the wire client (protocol v0) is
// used through the clone instead.

const overlay = 'apps/checkout/overlays/dev/kustomization.yaml';
const at = new Date('2026-11-16T09:00:00Z');

/** A clone store has a git folder of its own; the wire store has none. */
const throughClone = (store: GitCliStore) => 'gitDir' in store;

/** Reads the overlay, bumps it and commits: the commit lands on the repository's main. */
async function promoteOnce(store: GitCliStore, bare: string, tag: string) {
  const snap = await store.read([overlay]);
  expect(snap.head).toBe((await git(bare, 'rev-parse', 'main')).trim());
  expect(snap.files[overlay]).toBe(await showFile(bare, overlay));
  const after = (snap.files[overlay] ?? '').replace(/newTag: .*/, `newTag: "${tag}"`);
  const outcome = await store.commit(
    snap,
    [{ path: overlay, before: snap.files[overlay] ?? '', after, descriptions: [] }],
    `promote checkout to ${tag}\n`,
    at,
  );
  expect(outcome.kind).toBe('committed');
  if (outcome.kind !== 'committed') return;
  expect((await git(bare, 'rev-parse', 'main')).trim()).toBe(outcome.sha);
  expect(await showFile(bare, overlay)).toBe(after);
  await git(bare, 'fsck', '--strict', '--no-progress');
}

describe('parseRemoteUrl', () => {
  it.each([
    [
      'ssh://git@github.com/acme/gitops.git',
      { kind: 'ssh', host: 'git@github.com', port: undefined, path: '/acme/gitops.git' },
    ],
    ['ssh://git@host:2222/srv/g.git', { kind: 'ssh', host: 'git@host', port: '2222', path: '/srv/g.git' }],
    ['git+ssh://[::1]:22/g.git', { kind: 'ssh', host: '::1', port: '22', path: '/g.git' }],
    ['ssh://host/~alice/g.git', { kind: 'ssh', host: 'host', port: undefined, path: '~alice/g.git' }],
    [
      'git@github.com:acme/gitops.git',
      { kind: 'ssh', host: 'git@github.com', port: undefined, path: 'acme/gitops.git' },
    ],
    [
      'example.com:acme/gitops.git',
      { kind: 'ssh', host: 'example.com', port: undefined, path: 'acme/gitops.git' },
    ],
    ['[::1]:g.git', { kind: 'ssh', host: '::1', port: undefined, path: 'g.git' }],
    // An ssh "host" read as an option would run a command of the URL's choosing.
    ['ssh://-oProxyCommand=touch%20x/g.git', { kind: 'other' }],
    ['-oProxyCommand=x:g.git', { kind: 'other' }],
    ['git://example.com/g.git', { kind: 'other' }],
    ['ext::ssh -o x host', { kind: 'other' }],
    ['/srv/gitops.git', { kind: 'local', path: '/srv/gitops.git' }],
    ['file:///srv/a%20b.git', { kind: 'local', path: '/srv/a b.git' }],
  ])('%s', (url, expected) => {
    expect(parseRemoteUrl(url)).toEqual(expected);
  });

  it('reads http(s) URLs as URLs, credentials and all', () => {
    const remote = parseRemoteUrl('https://x-access-token:s3cr3t@github.com/acme/gitops.git');
    expect(remote.kind).toBe('http');
    if (remote.kind === 'http') expect(remote.url.password).toBe('s3cr3t');
  });
});

describe('proxied', () => {
  it.each([
    ['https://github.com/a/b', {}, false],
    ['https://github.com/a/b', { HTTPS_PROXY: 'http://proxy:3128' }, true],
    ['http://git.internal/a', { HTTPS_PROXY: 'http://proxy:3128' }, false],
    ['http://git.internal/a', { http_proxy: 'http://proxy:3128' }, true],
    ['https://git.internal/a', { all_proxy: 'socks5://p:1080', no_proxy: '.internal' }, false],
    ['https://github.com/a/b', { https_proxy: 'http://p:1', NO_PROXY: 'example.com,github.com' }, false],
    ['https://api.github.com/a/b', { https_proxy: 'http://p:1', no_proxy: 'github.com' }, false],
    ['https://github.com/a/b', { https_proxy: 'http://p:1', no_proxy: '*' }, false],
  ])('%s with %j: %s', (url, env, expected) => {
    expect(proxied(new URL(url), env)).toBe(expected);
  });
});

describe('ssh program', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads core.sshCommand and ssh.variant from git config when the environment names nothing', async () => {
    vi.stubEnv('GIT_CONFIG_COUNT', '2');
    vi.stubEnv('GIT_CONFIG_KEY_0', 'core.sshCommand');
    vi.stubEnv('GIT_CONFIG_VALUE_0', 'my-ssh -F /etc/rollgate/ssh_config');
    vi.stubEnv('GIT_CONFIG_KEY_1', 'ssh.variant');
    vi.stubEnv('GIT_CONFIG_VALUE_1', 'ssh');
    expect(await sshProgram({})).toEqual({
      command: 'sh',
      args: ['-c', 'my-ssh -F /etc/rollgate/ssh_config "$@"', 'my-ssh -F /etc/rollgate/ssh_config'],
      variant: 'ssh',
    });
    // GIT_SSH_COMMAND wins over the config, as in git.
    expect(await sshProgram({ GIT_SSH_COMMAND: 'ssh' })).toMatchObject({ args: ['-c', 'ssh "$@"', 'ssh'] });
  });

  it('quotes the path as git does', () => {
    expect(shellQuote(`/srv/it's here!.git`)).toBe(`'/srv/it'\\''s here'\\!'.git'`);
  });

  it.each([
    [{}, { command: 'ssh', args: [], variant: 'ssh' }],
    [
      { GIT_SSH_COMMAND: 'ssh -i /k/id' },
      { command: 'sh', args: ['-c', 'ssh -i /k/id "$@"', 'ssh -i /k/id'], variant: 'ssh' },
    ],
    [{ GIT_SSH: '/opt/bin/plink.exe' }, { command: '/opt/bin/plink.exe', args: [], variant: 'plink' }],
    [
      { GIT_SSH_COMMAND: '/t/fake-ssh', GIT_SSH: '/usr/bin/ssh' },
      { command: 'sh', args: ['-c', '/t/fake-ssh "$@"', '/t/fake-ssh'], variant: 'simple' },
    ],
    [
      { GIT_SSH: '/t/wrapper', GIT_SSH_VARIANT: 'ssh' },
      { command: '/t/wrapper', args: [], variant: 'ssh' },
    ],
  ])('%j', async (env, expected) => {
    expect(await sshProgram(env)).toEqual(expected);
  });
});

describe('git store over smart HTTP (git http-backend)', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup();
  });

  /** The example repository, configured as a hosted server is: push over HTTP, partial fetches. */
  async function served(): Promise<string> {
    const bare = await exampleGitOps(root);
    await git(bare, 'config', 'http.receivepack', 'true');
    await git(bare, 'config', 'uploadpack.allowFilter', 'true');
    await git(bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    return bare;
  }

  it.each([
    ['', false],
    [' (content types with a charset)', true],
  ])('reads and commits over protocol v2, with no clone%s', async (_, charset) => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare), { charset });
    const store = await openGitStore({ repository: `${server.url}/${basename(bare)}`, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(false);
      await promoteOnce(store, bare, '1.4.0');
      await promoteOnce(store, bare, '1.5.0');
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
    const reads = server.requests.filter((r) => r.url.includes('upload-pack'));
    expect(reads[0]).toMatchObject({ method: 'GET', gitProtocol: 'version=2' });
    // The capabilities are asked once; every push asks for the refs it leases against.
    expect(reads.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(server.requests.filter((r) => r.url.endsWith('?service=git-receive-pack'))).toHaveLength(2);
    expect(reads.every((r) => r.gitProtocol === 'version=2')).toBe(true);
    expect(server.requests.map((r) => `${r.method} ${r.url.replace(/^\/[^/]+/, '')}`)).toContain(
      'POST /git-receive-pack',
    );
  });

  it('serves `rollgate promote --gitops http://...` end to end', async () => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare));
    try {
      const promoted = await cli([
        'promote',
        'dev',
        '--service',
        'cart',
        '--version',
        '1.5.0',
        '--config',
        EXAMPLE_CONFIG,
        '--gitops',
        `${server.url}/${basename(bare)}`,
        '--requested-by',
        'ana',
      ]);
      expect(promoted.stderr).toBe('');
      expect(promoted.code).toBe(0);
      expect(promoted.stdout).toMatch(/committed [0-9a-f]{12} to main/);
      expect(await showFile(bare, 'apps/cart/overlays/dev/kustomization.yaml')).toContain('1.5.0');
    } finally {
      await server.close();
    }
  });

  it('refuses a commit on a head that moved, before and under the ref lock', async () => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare));
    const url = `${server.url}/${basename(bare)}`;
    const [store, rival] = await Promise.all([
      openGitStore({ repository: url, branch: 'main' }),
      openGitStore({ repository: url, branch: 'main' }),
    ]);
    try {
      const [mine, theirs] = await Promise.all([store.read([overlay]), rival.read([overlay])]);
      const edit = (path: string) => [{ path, before: '', after: 'a\n', descriptions: [] }];
      const results = await Promise.all([
        store.commit(mine, edit('a.yaml'), 'a\n', at),
        rival.commit(theirs, edit('b.yaml'), 'b\n', at),
      ]);
      expect(results.map((r) => r.kind).sort()).toEqual(['committed', 'moved']);
      // The advertised head no longer matches: nothing is sent.
      const late = await store.commit(mine, edit('c.yaml'), 'c\n', at);
      expect(late).toMatchObject({ kind: 'moved', detail: expect.stringMatching(/stale info/) });
      expect(await git(bare, 'rev-list', '--count', 'main')).toBe('2\n');
    } finally {
      await Promise.all([store.close(), rival.close(), server.close()]);
    }
  });

  it('reports a rejecting hook as such, in its own words', async () => {
    const bare = await served();
    const hook = join(bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "main is protected: open a pull request" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const server = await startGitHttp(dirname(bare));
    const store = await openGitStore({ repository: `${server.url}/${basename(bare)}`, branch: 'main' });
    try {
      const snap = await store.read([overlay]);
      await expect(
        store.commit(snap, [{ path: 'a.yaml', before: '', after: 'a\n', descriptions: [] }], 'a\n', at),
      ).rejects.toThrow(
        /refused the push to main \(pre-receive hook declined\): main is protected: open a pull request; nothing was written/,
      );
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
  });

  it('sends the URL’s credentials as an Authorization header and never shows them', async () => {
    const bare = await served();
    const hook = join(bare, 'hooks', 'pre-receive');
    const server = await startGitHttp(dirname(bare), {
      credentials: { user: 'x-access-token', password: 's3cr3t' },
    });
    const url = `${server.url.replace('://', '://x-access-token:s3cr3t@')}/${basename(bare)}`;
    const store = await openGitStore({ repository: url, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(false);
      await promoteOnce(store, bare, '1.4.0');
      expect(server.requests.every((r) => r.authorization === `Basic ${btoa('x-access-token:s3cr3t')}`)).toBe(
        true,
      );
      await writeFile(hook, '#!/bin/sh\necho "no" >&2; exit 1\n');
      await chmod(hook, 0o755);
      const failures = await Promise.all([
        store
          .commit(await store.read([]), [{ path: 'a', before: '', after: 'a', descriptions: [] }], 'a\n', at)
          .catch((err: Error) => err.message),
        openGitStore({ repository: url, branch: 'nope' }).catch((err: Error) => err.message),
      ]);
      expect(failures[0]).toMatch(/refused the push/);
      expect(failures[1]).toMatch(/has no branch nope/);
      for (const message of failures) {
        expect(message).toContain(`http://***@127.0.0.1`);
        expect(message).not.toContain('s3cr3t');
        expect(message).not.toContain(btoa('x-access-token:s3cr3t'));
      }
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
  });

  it('asks git’s credential helpers after a 401 when the URL has no credentials', async () => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare), {
      credentials: { user: 'x-access-token', password: 's3cr3t' },
    });
    const url = `${server.url}/${basename(bare)}`;
    // No helper: the wire gives way to git, which has no credentials either and says so.
    vi.stubEnv('GIT_CONFIG_GLOBAL', '/dev/null');
    vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
    await expect(openGitStore({ repository: url, branch: 'main' })).rejects.toThrow(
      /cannot open GitOps repository http:\/\/127\.0\.0\.1:\d+\/gitops\.git \(branch main\): .*(Username|Authentication)/,
    );
    vi.stubEnv('GIT_CONFIG_COUNT', '1');
    vi.stubEnv('GIT_CONFIG_KEY_0', 'credential.helper');
    vi.stubEnv('GIT_CONFIG_VALUE_0', '!f() { echo username=x-access-token; echo password=s3cr3t; }; f');
    const store = await openGitStore({ repository: url, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(false);
      await promoteOnce(store, bare, '1.4.0');
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
  });

  it('reads a public repository anonymously and asks the credential helpers when the push needs them', async () => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare), {
      credentials: { user: 'x-access-token', password: 's3cr3t' },
      anonymousReads: true,
    });
    vi.stubEnv('GIT_CONFIG_GLOBAL', '/dev/null');
    vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
    const reader = await openGitStore({ repository: `${server.url}/${basename(bare)}`, branch: 'main' });
    try {
      const snap = await reader.read([overlay]);
      await expect(
        reader.commit(snap, [{ path: 'a.yaml', before: '', after: 'a\n', descriptions: [] }], 'a\n', at),
      ).rejects.toThrow(
        /cannot push to main .*answered HTTP 401; check that the credentials \(none in the URL, none from git credential helpers\) can push to it/,
      );
    } finally {
      await reader.close();
    }
    vi.stubEnv('GIT_CONFIG_COUNT', '1');
    vi.stubEnv('GIT_CONFIG_KEY_0', 'credential.helper');
    vi.stubEnv('GIT_CONFIG_VALUE_0', '!f() { echo username=x-access-token; echo password=s3cr3t; }; f');
    const store = await openGitStore({ repository: `${server.url}/${basename(bare)}`, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(false);
      await promoteOnce(store, bare, '1.4.0');
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
    const pushes = server.requests.filter((r) => r.url.includes('receive-pack'));
    expect(pushes.map((r) => r.authorization !== undefined)).toEqual([false, false, true, true]);
    expect(server.requests.filter((r) => r.url.includes('upload-pack')).every((r) => !r.authorization)).toBe(
      true,
    );
  });

  it('says a push whose answer was lost may have landed', async () => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare));
    const store = await openGitStore({ repository: `${server.url}/${basename(bare)}`, branch: 'main' });
    try {
      const snap = await store.read([overlay]);
      const hook = await loseNextPushAnswer(bare);
      await expect(
        store.commit(snap, [{ path: 'a.yaml', before: '', after: 'a\n', descriptions: [] }], 'a\n', at),
      ).rejects.toThrow(/got no answer .*may or may not have landed; run `rollgate status`/);
      await expect(access(hook)).rejects.toThrow();
      expect(await showFile(bare, 'a.yaml')).toBe('a\n');
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
  });

  it('reports a push the server forbids as refused, with what to check', async () => {
    const bare = await served();
    const before = (await git(bare, 'rev-parse', 'main')).trim();
    const server = await startGitHttp(dirname(bare), { forbidPush: true });
    const store = await openGitStore({ repository: `${server.url}/${basename(bare)}`, branch: 'main' });
    try {
      const snap = await store.read([overlay]);
      await expect(
        store.commit(snap, [{ path: 'a.yaml', before: '', after: 'a\n', descriptions: [] }], 'a\n', at),
      ).rejects.toThrow(
        /refused the push to main \(POST git-receive-pack answered HTTP 403: Write access to repository not granted\.; check that the credentials can push to http:\/\/127\.0\.0\.1:\d+\/gitops\.git\); nothing was written/,
      );
      expect((await git(bare, 'rev-parse', 'main')).trim()).toBe(before);
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
  });

  it('goes through a clone when the repository redirects: git follows it', async () => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare), { moved: ['/old.git/', `/${basename(bare)}/`] });
    const store = await openGitStore({ repository: `${server.url}/old.git`, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(true);
      expect(server.requests[0]).toMatchObject({
        method: 'GET',
        url: expect.stringMatching(/^\/old\.git\//),
      });
      expect((await store.read([overlay])).files[overlay]).toBe(await showFile(bare, overlay));
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
  });

  it('leaves a server it cannot reach to git, and says what git said', async () => {
    const server = await startGitHttp(root);
    const url = `${server.url}/gitops.git`;
    await server.close();
    await expect(openGitStore({ repository: url, branch: 'main' })).rejects.toThrow(
      /cannot open GitOps repository http:\/\/127\.0\.0\.1:\d+\/gitops\.git \(branch main\): .*Failed to connect/,
    );
  });

  it('goes through a clone when the server answers in protocol v0', async () => {
    const bare = await served();
    const server = await startGitHttp(dirname(bare), { v0Only: true });
    const store = await openGitStore({ repository: `${server.url}/${basename(bare)}`, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(true);
      await promoteOnce(store, bare, '1.4.0');
    } finally {
      await Promise.all([store.close(), server.close()]);
    }
  });
});

describe('git store over ssh', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup();
  });

  /**
   * An ssh that runs the remote command here, as git's test suite's fake ssh does, and writes the
   * arguments it got (NUL-separated) to `log`. `dropProtocol`: the "server" ignores GIT_PROTOCOL.
   */
  async function fakeSsh(log: string, dropProtocol: boolean): Promise<string> {
    const script = join(root, 'fake-ssh');
    await writeFile(
      script,
      [
        '#!/bin/sh',
        `printf '%s\\0' "$@" > '${log}'`,
        'while :; do case "$1" in -o|-p|-P) shift 2;; -*) shift;; *) break;; esac; done',
        'shift',
        ...(dropProtocol ? ['unset GIT_PROTOCOL'] : []),
        'exec sh -c "$1"',
        '',
      ].join('\n'),
    );
    await chmod(script, 0o755);
    return script;
  }

  /** The example repository, serving partial fetches and objects by id as GitHub does. */
  async function sshServed(folder: string): Promise<string> {
    const bare = await exampleGitOps(folder);
    await git(bare, 'config', 'uploadpack.allowFilter', 'true');
    await git(bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    return bare;
  }

  it('runs git-upload-pack and git-receive-pack through GIT_SSH_COMMAND, the path quoted', async () => {
    const folder = join(root, "it's here");
    await mkdir(folder);
    const bare = await sshServed(folder);
    const log = join(root, 'ssh-args');
    vi.stubEnv('GIT_SSH_COMMAND', await fakeSsh(log, false));
    const store = await openGitStore({ repository: `git@example.test:${bare}`, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(false);
      const args = async () => (await readFile(log, 'utf8')).split('\0').slice(0, -1);
      expect(await args()).toEqual(['git@example.test', `git-upload-pack ${shellQuote(bare)}`]);
      await promoteOnce(store, bare, '1.4.0');
      expect(await args()).toEqual(['git@example.test', `git-receive-pack ${shellQuote(bare)}`]);
    } finally {
      await store.close();
    }
  });

  it('gives OpenSSH the port and asks it to send GIT_PROTOCOL, as git does', async () => {
    const bare = await sshServed(root);
    const log = join(root, 'ssh-args');
    vi.stubEnv('GIT_SSH_COMMAND', await fakeSsh(log, false));
    vi.stubEnv('GIT_SSH_VARIANT', 'ssh');
    const store = await openGitStore({ repository: `ssh://git@example.test:2222${bare}`, branch: 'main' });
    try {
      const args = async () => (await readFile(log, 'utf8')).split('\0').slice(0, -1);
      expect(await args()).toEqual([
        '-o',
        'SendEnv=GIT_PROTOCOL',
        '-p',
        '2222',
        'git@example.test',
        `git-upload-pack ${shellQuote(bare)}`,
      ]);
      await promoteOnce(store, bare, '1.4.0');
      expect(await args()).toEqual([
        '-p',
        '2222',
        'git@example.test',
        `git-receive-pack ${shellQuote(bare)}`,
      ]);
    } finally {
      await store.close();
    }
  });

  it('goes through a clone when the server ignores GIT_PROTOCOL (protocol v0)', async () => {
    const bare = await sshServed(root);
    vi.stubEnv('GIT_SSH_COMMAND', await fakeSsh(join(root, 'ssh-args'), true));
    const store = await openGitStore({ repository: `example.test:${bare}`, branch: 'main' });
    try {
      expect(throughClone(store)).toBe(true);
      await promoteOnce(store, bare, '1.4.0');
    } finally {
      await store.close();
    }
  });

  it.each([
    [true, 'the wire, protocol v2'],
    [false, 'a clone, protocol v0'],
  ])('reads and commits through a real sshd (AcceptEnv GIT_PROTOCOL: %s) over %s', async (accept) => {
    const bare = await sshServed(root);
    const sshd = await startSshd(root, { acceptGitProtocol: accept });
    try {
      vi.stubEnv('GIT_SSH_COMMAND', sshd.sshCommand);
      const store = await openGitStore({
        repository: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${bare}`,
        branch: 'main',
      });
      try {
        expect(throughClone(store)).toBe(!accept);
        await promoteOnce(store, bare, '1.4.0');
        // Over the wire a second promotion reads again on a new connection (the clone's own
        // re-read is git fetch, tested elsewhere): each ssh login costs a shell start.
        if (accept) await promoteOnce(store, bare, '1.5.0');
      } finally {
        await store.close();
      }
    } finally {
      await sshd.close();
    }
  });
});
