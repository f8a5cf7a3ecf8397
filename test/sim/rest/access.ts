// Who may do what: collaborator permission levels and team memberships, from SimState.
import { synth } from '../synth.js';
import type { Permission } from '../state.js';
import { notFound, repoOf, userObject, type Handler } from './common.js';

// GitHub's legacy `permission` field folds the newer roles into admin/write/read/none;
// `role_name` carries the precise role.
const LEGACY: Record<Permission, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

export const getPermission: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const login = ctx.params['username'] ?? '';
  const perms = ctx.state.permissions[repo.fullName] ?? {};
  const key = Object.keys(perms).find((k) => k.toLowerCase() === login.toLowerCase());
  const role: Permission = key ? (perms[key] ?? 'none') : 'none';
  return {
    status: 200,
    body: synth(ctx.api, 'repository-collaborator-permission', {
      permission: LEGACY[role],
      role_name: role,
      user: {
        ...userObject(ctx, key ?? login),
        permissions: {
          admin: role === 'admin',
          maintain: role === 'admin' || role === 'maintain',
          push: ['admin', 'maintain', 'write'].includes(role),
          triage: role !== 'read' && role !== 'none',
          pull: role !== 'none',
        },
        role_name: role,
      },
    }),
  };
};

export const getTeamMembership: Handler = async (ctx) => {
  const { org = '', team_slug: slug = '', username = '' } = ctx.params;
  const team = Object.entries(ctx.state.teams).find(
    ([k]) => k.toLowerCase() === `${org}/${slug}`.toLowerCase(),
  )?.[1];
  const role = team
    ? Object.entries(team).find(([login]) => login.toLowerCase() === username.toLowerCase())?.[1]
    : undefined;
  if (!role) return notFound('https://docs.github.com/rest/teams/members#get-team-membership-for-a-user');
  return {
    status: 200,
    body: {
      url: `${ctx.apiUrl}/organizations/1/team/1/memberships/${encodeURIComponent(username)}`,
      role,
      state: 'active',
    },
  };
};
