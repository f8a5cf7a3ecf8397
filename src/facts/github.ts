import type { CheckFact, PullRequestFacts } from '../core/types.js';
import type { GitHubClient } from '../github/octokit.js';

// Facts read from GitHub for the gates and the safety checks. Each function declares the few
// Octokit methods it calls as a narrow structural type, so tests pass small honest objects; the
// assertions at the bottom keep those types assignable from the real client.

// A type alias, not an interface: Octokit's parameters need an implicit index signature.
type Repo = { readonly owner: string; readonly repo: string };

type Data<T> = Promise<{ readonly data: T }>;

// ---- the pull request ----

export interface PullRequestClient {
  readonly rest: {
    readonly pulls: {
      get(p: Repo & { pull_number: number }): Data<RawPull>;
    };
  };
}

interface RawPull {
  readonly head: { readonly sha: string };
}

export interface PullRequest extends PullRequestFacts {
  /** The head branch's name (in the head repository). */
  readonly headRef: string;
  /** The head lives in another repository (a fork, or a deleted one). */
  readonly fromFork: boolean;
  readonly open: boolean;
}

/** Only the head SHA, for the re-check right before the commit. */
export async function readHeadSha(client: PullRequestClient, repo: Repo, number: number): Promise<string> {
  return (await client.rest.pulls.get({ ...repo, pull_number: number })).data.head.sha;
}

// ---- who may ask ----

export const PERMISSION_LEVELS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSION_LEVELS)[number];

export interface PermissionClient {
  readonly rest: {
    readonly repos: {
      getCollaboratorPermissionLevel(
        p: Repo & { username: string },
      ): Data<{ readonly permission: string; readonly role_name?: string }>;
    };
  };
}

/** The user's role on the repository: role_name knows triage and maintain, permission does not. */
export async function readPermission(
  client: PermissionClient,
  repo: Repo,
  username: string,
): Promise<Permission> {
  try {
    const { data } = await client.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    const role = (PERMISSION_LEVELS as readonly string[]).includes(data.role_name ?? '')
      ? data.role_name
      : data.permission;
    return (PERMISSION_LEVELS as readonly string[]).includes(role ?? '') ? (role as Permission) : 'none';
  } catch (err) {
    if (statusOf(err) === 404) return 'none';
    throw err;
  }
}

export function permissionAtLeast(actual: Permission, needed: Permission): boolean {
  return PERMISSION_LEVELS.indexOf(actual) >= PERMISSION_LEVELS.indexOf(needed);
}

// ---- teams (approvals by team, break-glass) ----

export interface TeamClient {
  readonly rest: {
    readonly teams: {
      getMembershipForUserInOrg(p: {
        org: string;
        team_slug: string;
        username: string;
      }): Data<{ readonly state: string }>;
    };
  };
}

/**
 * Which of `teams` (org/slug) each user is an active member of. Asks only about the teams the
 * config names and the users who matter (reviewers, the requester), never lists a whole org.
 */
export async function readTeams(
  client: TeamClient,
  users: readonly string[],
  teams: readonly string[],
): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  const uniqueUsers = [...new Set(users)];
  const uniqueTeams = [...new Set(teams)];
  await Promise.all(
    uniqueUsers.flatMap((username) =>
      uniqueTeams.map(async (team) => {
        const [org, team_slug] = team.split('/');
        if (!org || !team_slug) return;
        try {
          const { data } = await client.rest.teams.getMembershipForUserInOrg({ org, team_slug, username });
          if (data.state === 'active') (result[username] ??= []).push(team);
        } catch (err) {
          if (statusOf(err) !== 404) throw err;
        }
      }),
    ),
  );
  for (const list of Object.values(result)) list.sort();
  return result;
}

// ---- checks on a commit ----

export interface ChecksClient {
  readonly rest: {
    readonly checks: {
      listForRef(p: Repo & { ref: string; per_page?: number }): Data<{
        readonly check_runs: readonly {
          readonly name: string;
          readonly status: string;
          readonly conclusion: string | null;
        }[];
      }>;
    };
    readonly repos: {
      getCombinedStatusForRef(p: Repo & { ref: string; per_page?: number }): Data<{
        readonly statuses: readonly { readonly context: string; readonly state: string }[];
      }>;
    };
  };
}

export async function readChecks(client: ChecksClient, repo: Repo, sha: string): Promise<CheckFact[]> {
  const [runs, status] = await Promise.all([
    client.rest.checks.listForRef({ ...repo, ref: sha, per_page: 100 }),
    client.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha, per_page: 100 }),
  ]);
  return [
    ...runs.data.check_runs.map((r): CheckFact => ({
      name: r.name,
      source: 'check-run',
      status: r.status,
      ...(r.conclusion ? { conclusion: r.conclusion } : {}),
    })),
    ...status.data.statuses.map((s): CheckFact => ({ name: s.context, source: 'status', status: s.state })),
  ];
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

// The real client must fit every narrow type above (checked by the compiler, costs nothing at run time).
export type AllFactsClients = PullRequestClient & PermissionClient & TeamClient & ChecksClient;
export const fitsRealClient = (client: GitHubClient): AllFactsClients => client;
