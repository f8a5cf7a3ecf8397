import { describe, expect, it } from 'vitest';
import {
  permissionAtLeast,
  readChecks,
  readPermission,
  readTeams,
  type PermissionClient,
  type TeamClient,
} from '../../src/facts/github.js';

const repo = { owner: 'acme', repo: 'shop' };
const notFound = () => Object.assign(new Error('Not Found'), { status: 404 });

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
