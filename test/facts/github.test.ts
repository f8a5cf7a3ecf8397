import { describe, expect, it } from 'vitest';
import {
  permissionAtLeast,
  readChecks,
  readPermission,
  readPullRequest,
  readTeams,
  readTrustedConfig,
  type ConfigSourceClient,
  type PermissionClient,
  type TeamClient,
} from '../../src/facts/github.js';

const repo = { owner: 'acme', repo: 'shop' };
const notFound = () => Object.assign(new Error('Not Found'), { status: 404 });
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('readTrustedConfig', () => {
  // Two commits: the default branch (trusted) and a PR head that edits the gates.
  const trees: Record<string, Record<string, string>> = {
    'sha-main': {
      '.github/rollgate.yaml': 'version: 1 # main\n',
      '.github/policies/freeze.yaml': 'gates: {}\n',
      '.github/policies/README.md': 'x',
    },
    'sha-pr': { '.github/rollgate.yaml': 'version: 1 # edited in the PR\n' },
  };
  const client: ConfigSourceClient = {
    rest: {
      repos: {
        get: async () => ({ data: { default_branch: 'trunk' } }),
        getCommit: async ({ ref }) => ({ data: { sha: ref === 'trunk' ? 'sha-main' : 'unknown' } }),
        getContent: async ({ path, ref }) => {
          const tree = trees[ref] ?? {};
          if (tree[path] !== undefined)
            return { data: { type: 'file', encoding: 'base64', content: b64(tree[path]) } };
          const children = Object.keys(tree).filter((p) => p.startsWith(`${path}/`));
          if (children.length > 0) return { data: children.map((p) => ({ type: 'file', path: p })) };
          throw notFound();
        },
      },
    },
  };

  it('reads the config and policies/*.yaml from the default branch at its pinned SHA', async () => {
    const pinned = await readTrustedConfig(client, repo, '.github/rollgate.yaml');
    expect(pinned).toEqual({
      branch: 'trunk',
      sha: 'sha-main',
      files: {
        '.github/rollgate.yaml': 'version: 1 # main\n',
        '.github/policies/freeze.yaml': 'gates: {}\n',
      },
    });
  });

  it('a missing config names the file, the branch and what to do', async () => {
    await expect(readTrustedConfig(client, repo, 'rollgate.yaml')).rejects.toThrow(
      /config rollgate.yaml not found on acme\/shop@trunk \(sha-mai\); commit it to the default branch or set the `config` input/,
    );
  });
});

describe('readPullRequest', () => {
  const pull = (headRepo: string | null) => ({
    number: 5,
    state: 'open',
    user: { login: 'alice' },
    labels: [{ name: 'hotfix' }, {}],
    head: {
      sha: 'abc',
      ref: 'feature',
      repo: headRepo === null ? null : { full_name: headRepo, fork: headRepo !== 'acme/shop' },
    },
    base: { repo: { full_name: 'acme/shop' } },
  });
  const client = (headRepo: string | null) => ({
    rest: {
      pulls: {
        get: async () => ({ data: pull(headRepo) }),
        listReviews: async () => ({
          data: [
            {
              user: { login: 'bob' },
              state: 'APPROVED',
              commit_id: 'abc',
              submitted_at: '2026-01-01T00:00:00Z',
            },
            { user: null, state: 'APPROVED', commit_id: 'abc' },
          ],
        }),
      },
    },
  });
  it('same-repo PR', async () => {
    expect(await readPullRequest(client('acme/shop'), repo, 5)).toEqual({
      number: 5,
      author: 'alice',
      headSha: 'abc',
      headRef: 'feature',
      labels: ['hotfix'],
      reviews: [{ user: 'bob', state: 'APPROVED', commitId: 'abc', submittedAt: '2026-01-01T00:00:00Z' }],
      fromFork: false,
      open: true,
    });
  });
  it('a fork, or a deleted head repository, counts as a fork', async () => {
    expect((await readPullRequest(client('mallory/shop'), repo, 5)).fromFork).toBe(true);
    expect((await readPullRequest(client(null), repo, 5)).fromFork).toBe(true);
  });
});

describe('readPermission', () => {
  const client = (data: { permission: string; role_name?: string } | 'missing'): PermissionClient => ({
    rest: {
      repos: {
        getCollaboratorPermissionLevel: async () => {
          if (data === 'missing') throw notFound();
          return { data };
        },
      },
    },
  });
  it('prefers role_name (knows maintain and triage)', async () => {
    expect(await readPermission(client({ permission: 'write', role_name: 'maintain' }), repo, 'u')).toBe(
      'maintain',
    );
    expect(await readPermission(client({ permission: 'read', role_name: 'triage' }), repo, 'u')).toBe(
      'triage',
    );
    expect(await readPermission(client({ permission: 'write', role_name: 'custom-role' }), repo, 'u')).toBe(
      'write',
    );
    expect(await readPermission(client('missing'), repo, 'u')).toBe('none');
  });
  it('orders levels', () => {
    expect(permissionAtLeast('maintain', 'write')).toBe(true);
    expect(permissionAtLeast('triage', 'write')).toBe(false);
  });
});

describe('readTeams', () => {
  it('active memberships only, 404 means not a member', async () => {
    const members: Record<string, string> = {
      'acme/sre:bob': 'active',
      'acme/sre:carol': 'pending',
      'acme/rm:bob': 'active',
    };
    const client: TeamClient = {
      rest: {
        teams: {
          getMembershipForUserInOrg: async ({ org, team_slug, username }) => {
            const state = members[`${org}/${team_slug}:${username}`];
            if (!state) throw notFound();
            return { data: { state } };
          },
        },
      },
    };
    expect(await readTeams(client, ['bob', 'carol', 'dave', 'bob'], ['acme/sre', 'acme/rm'])).toEqual({
      bob: ['acme/rm', 'acme/sre'],
    });
  });
});

describe('readChecks', () => {
  it('check runs and statuses together', async () => {
    const checks = await readChecks(
      {
        rest: {
          checks: {
            listForRef: async () => ({
              data: {
                check_runs: [
                  { name: 'build', status: 'completed', conclusion: 'success' },
                  { name: 'e2e', status: 'in_progress', conclusion: null },
                ],
              },
            }),
          },
          repos: {
            getCombinedStatusForRef: async () => ({
              data: { statuses: [{ context: 'ci/legacy', state: 'failure' }] },
            }),
          },
        },
      },
      repo,
      'abc',
    );
    expect(checks).toEqual([
      { name: 'build', source: 'check-run', status: 'completed', conclusion: 'success' },
      { name: 'e2e', source: 'check-run', status: 'in_progress' },
      { name: 'ci/legacy', source: 'status', status: 'failure' },
    ]);
  });
});
