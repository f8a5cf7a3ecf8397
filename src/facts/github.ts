import type { CheckFact, PullRequestFacts, ReviewFact } from '../core/types.js';
import type { GitHubClient } from '../github/octokit.js';

// Facts read from GitHub for the gates and the safety checks. Each function declares the few
// Octokit methods it calls as a narrow structural type, so tests pass small honest objects; the
// assertions at the bottom keep those types assignable from the real client.

// A type alias, not an interface: Octokit's parameters need an implicit index signature.
type Repo = { readonly owner: string; readonly repo: string };

type Data<T> = Promise<{ readonly data: T }>;

// ---- the trusted config: the default branch at a pinned SHA, never the PR head ----

export interface ConfigSourceClient {
  readonly rest: {
    readonly repos: {
      get(p: Repo): Data<{ readonly default_branch: string }>;
      getCommit(p: Repo & { ref: string }): Data<{ readonly sha: string }>;
      getContent(p: Repo & { path: string; ref: string }): Data<unknown>;
    };
  };
}

export interface PinnedConfig {
  readonly branch: string;
  readonly sha: string;
  /** The config file and every policies/*.yaml beside it, by repository path. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * The config file and the policies folder beside it, read from the default branch at the SHA it
 * has now. A pull request's own edits to the gates never judge that pull request.
 */
export async function readTrustedConfig(
  client: ConfigSourceClient,
  repo: Repo,
  configPath: string,
): Promise<PinnedConfig> {
  const { data: meta } = await client.rest.repos.get(repo);
  const { data: head } = await client.rest.repos.getCommit({ ...repo, ref: meta.default_branch });
  const files: Record<string, string> = {};
  const text = await readFile(client, repo, configPath, head.sha);
  if (text === undefined) {
    throw new Error(
      `config ${configPath} not found on ${repo.owner}/${repo.repo}@${meta.default_branch} (${head.sha.slice(0, 7)}); ` +
        'commit it to the default branch or set the `config` input',
    );
  }
  files[configPath] = text;
  const dir = configPath.includes('/') ? configPath.slice(0, configPath.lastIndexOf('/') + 1) : '';
  const policies = await listDir(client, repo, `${dir}policies`, head.sha);
  for (const path of policies.filter((p) => /\.ya?ml$/.test(p)).sort()) {
    const policy = await readFile(client, repo, path, head.sha);
    if (policy !== undefined) files[path] = policy;
  }
  return { branch: meta.default_branch, sha: head.sha, files };
}

async function readFile(client: ConfigSourceClient, repo: Repo, path: string, ref: string) {
  const data = await getContentOrUndefined(client, repo, path, ref);
  if (data === undefined) return undefined;
  const file = data as { type?: string; content?: string; encoding?: string };
  if (Array.isArray(data) || file.type !== 'file' || typeof file.content !== 'string') {
    throw new Error(
      `${path} at ${ref.slice(0, 7)} is not a file; the config and its policy files must be regular files on the default branch`,
    );
  }
  return file.encoding === 'base64' ? Buffer.from(file.content, 'base64').toString('utf8') : file.content;
}

async function listDir(client: ConfigSourceClient, repo: Repo, path: string, ref: string): Promise<string[]> {
  const data = await getContentOrUndefined(client, repo, path, ref);
  if (!Array.isArray(data)) return [];
  return data.flatMap((e: { type?: unknown; path?: unknown }) =>
    e.type === 'file' && typeof e.path === 'string' ? [e.path] : [],
  );
}

async function getContentOrUndefined(client: ConfigSourceClient, repo: Repo, path: string, ref: string) {
  try {
    return (await client.rest.repos.getContent({ ...repo, path, ref })).data;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

// ---- the pull request ----

export interface PullRequestClient {
  readonly rest: {
    readonly pulls: {
      get(p: Repo & { pull_number: number }): Data<RawPull>;
      listReviews(p: Repo & { pull_number: number; per_page?: number }): Data<readonly RawReview[]>;
    };
  };
}

interface RawPull {
  readonly number: number;
  readonly state: string;
  readonly user: { readonly login: string } | null;
  readonly labels: readonly { readonly name?: string }[];
  readonly head: {
    readonly sha: string;
    readonly ref: string;
    readonly repo: { readonly full_name: string; readonly fork: boolean } | null;
  };
  readonly base: { readonly repo: { readonly full_name: string } };
}

interface RawReview {
  readonly user: { readonly login: string } | null;
  readonly state: string;
  readonly commit_id: string | null;
  readonly submitted_at?: string;
}

export interface PullRequest extends PullRequestFacts {
  /** The head branch's name (in the head repository). */
  readonly headRef: string;
  /** The head lives in another repository (a fork, or a deleted one). */
  readonly fromFork: boolean;
  readonly open: boolean;
}

export async function readPullRequest(
  client: PullRequestClient,
  repo: Repo,
  number: number,
): Promise<PullRequest> {
  const { data: pull } = await client.rest.pulls.get({ ...repo, pull_number: number });
  const { data: reviews } = await client.rest.pulls.listReviews({
    ...repo,
    pull_number: number,
    per_page: 100,
  });
  const headRepo = pull.head.repo?.full_name;
  return {
    number: pull.number,
    author: pull.user?.login ?? 'ghost',
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    labels: pull.labels.flatMap((l) => (l.name ? [l.name] : [])),
    reviews: reviews.flatMap(toReview),
    fromFork: headRepo === undefined || headRepo.toLowerCase() !== pull.base.repo.full_name.toLowerCase(),
    open: pull.state === 'open',
  };
}

const REVIEW_STATES = new Set<ReviewFact['state']>([
  'APPROVED',
  'CHANGES_REQUESTED',
  'COMMENTED',
  'DISMISSED',
  'PENDING',
]);

function toReview(raw: RawReview): ReviewFact[] {
  const state = raw.state as ReviewFact['state'];
  if (!raw.user || !REVIEW_STATES.has(state)) return [];
  return [
    { user: raw.user.login, state, commitId: raw.commit_id ?? '', submittedAt: raw.submitted_at ?? '' },
  ];
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
export type AllFactsClients = ConfigSourceClient &
  PullRequestClient &
  PermissionClient &
  TeamClient &
  ChecksClient;
export const fitsRealClient = (client: GitHubClient): AllFactsClients => client;
