import { describe, expect, it } from 'vitest';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { redactCredentials } from '../../src/gitops/redact.js';

describe('redactCredentials', () => {
  it.each([
    ['https://x-access-token:ghs_abc@github.com/acme/gitops', 'https://***@github.com/acme/gitops'],
    [
      'fatal: unable to access https://u:p@h/r.git/: refused',
      'fatal: unable to access https://***@h/r.git/: refused',
    ],
    ['git@github.com:acme/gitops.git', 'git@github.com:acme/gitops.git'],
    ['/srv/gitops.git', '/srv/gitops.git'],
    ['https://github.com/acme/gitops', 'https://github.com/acme/gitops'],
  ])('%s', (text, expected) => {
    expect(redactCredentials(text)).toBe(expected);
  });
});

describe('openGitStore', () => {
  it('never repeats a token from the repository URL when the clone fails', async () => {
    // Port 1 refuses at once: a real git clone fails and its message is what a user would see.
    const failure = await openGitStore({
      repository: 'http://x-access-token:s3cret-token@127.0.0.1:1/acme/gitops.git',
      branch: 'main',
    }).then(
      () => new Error('clone unexpectedly worked'),
      (err: unknown) => err as Error,
    );
    expect(failure.message).toMatch(/cannot open GitOps repository http:\/\/\*\*\*@127\.0\.0\.1:1/);
    expect(failure.message).not.toContain('s3cret-token');
  });
});
