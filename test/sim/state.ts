// Typed in-memory state of the loopback GitHub simulator. Tests read it to assert what the code
// under test did (comments written, check runs published) and write it to set a scene (a PR, a
// review, a permission). Git data (branches, commits, files) is NOT here: it lives in the real git
// repository each SimRepo points at.

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface SimRepo {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  /** Path to a real git repository (bare or with a work tree). */
  dir: string;
  defaultBranch: string;
  fork: boolean;
  /** Full name of the parent when this is a fork. */
  parent?: string;
  private: boolean;
}

export interface SimPull {
  id: number;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  user: string;
  /** `repo` is the full name of the repository the head branch lives in (a fork when it differs). */
  head: { ref: string; sha: string; repo: string };
  base: { ref: string; sha: string };
  labels: string[];
  createdAt: string;
  updatedAt: string;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface SimReview {
  id: number;
  repo: string;
  pullNumber: number;
  user: string;
  state: ReviewState;
  body: string;
  commitId: string;
  submittedAt: string;
}

export interface SimComment {
  id: number;
  repo: string;
  issueNumber: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

export interface SimReaction {
  id: number;
  repo: string;
  commentId: number;
  user: string;
  content: ReactionContent;
  createdAt: string;
}

/** A push (or branch creation) as the repository activity API lists it, with GitHub's own timestamp. */
export interface SimActivity {
  id: number;
  repo: string;
  /** refs/heads/<branch> */
  ref: string;
  before: string;
  after: string;
  activityType:
    'push' | 'force_push' | 'branch_creation' | 'branch_deletion' | 'pr_merge' | 'merge_queue_merge';
  actor: string;
  timestamp: string;
}

export interface SimCheckRun {
  id: number;
  repo: string;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  startedAt: string;
  completedAt: string | null;
  appSlug: string;
}

export type StatusState = 'error' | 'failure' | 'pending' | 'success';

export interface SimStatus {
  id: number;
  repo: string;
  sha: string;
  state: StatusState;
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export interface SimDeployment {
  id: number;
  repo: string;
  ref: string;
  sha: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  creator: string;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  createdAt: string;
}

export interface SimDeploymentStatus {
  id: number;
  repo: string;
  deploymentId: number;
  state: 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  creator: string;
  createdAt: string;
}

/** A commit made through GraphQL createCommitOnBranch (also visible in the git repo itself). */
export interface SimApiCommit {
  repo: string;
  branch: string;
  oid: string;
  parent: string;
  headline: string;
  body: string;
  additions: string[];
  deletions: string[];
  by: string;
  /**
   * GitHub starts no workflow runs for pushes made with a workflow's own GITHUB_TOKEN (the
   * github-actions[bot] user); an App or user token's commits do trigger them.
   */
  triggersWorkflows: boolean;
}

export interface SimState {
  repos: SimRepo[];
  pulls: SimPull[];
  reviews: SimReview[];
  comments: SimComment[];
  reactions: SimReaction[];
  /** Pushes recorded by addPull and push(), for GET /repos/{owner}/{repo}/activity. */
  activities: SimActivity[];
  checkRuns: SimCheckRun[];
  statuses: SimStatus[];
  deployments: SimDeployment[];
  deploymentStatuses: SimDeploymentStatus[];
  /** Refs created through POST /git/refs. */
  createdRefs: { repo: string; ref: string; sha: string }[];
  apiCommits: SimApiCommit[];
  /** permissions[repoFullName][login]; a login not listed has permission "none". */
  permissions: Record<string, Record<string, Permission>>;
  /** teams["org/team-slug"][login]; a login not listed is not a member (404). */
  teams: Record<string, Record<string, 'member' | 'maintainer'>>;
  /** Which user a token authenticates as; unknown tokens act as `defaultActor`. */
  tokens: Record<string, string>;
  /**
   * Repositories ("owner/name") a token may reach, like an installation token scoped to some
   * repositories; a token not listed here reaches every repository. Others look missing (404).
   */
  tokenRepos: Record<string, string[]>;
  /** Tokens without push access: GraphQL refuses them a repository's collaborators (FORBIDDEN). */
  tokensWithoutPush: string[];
  defaultActor: string;
  /** Clock for created_at fields; tests may pin it. */
  now: () => Date;
  nextId: number;
}

export function createState(): SimState {
  return {
    repos: [],
    pulls: [],
    reviews: [],
    comments: [],
    reactions: [],
    activities: [],
    checkRuns: [],
    statuses: [],
    deployments: [],
    deploymentStatuses: [],
    createdRefs: [],
    apiCommits: [],
    permissions: {},
    teams: {},
    tokens: {},
    tokenRepos: {},
    tokensWithoutPush: [],
    defaultActor: 'github-actions[bot]',
    now: () => new Date(),
    nextId: 1000,
  };
}

export function newId(state: SimState): number {
  state.nextId += 1;
  return state.nextId;
}

export function findRepo(state: SimState, owner: string, name: string): SimRepo | undefined {
  const full = `${owner}/${name}`.toLowerCase();
  return state.repos.find((r) => r.fullName.toLowerCase() === full);
}

/** Stable numeric id per login so the same user always looks the same. */
/** Whether `token` may see `fullName` (see SimState.tokenRepos). */
export function tokenReaches(state: SimState, token: string | undefined, fullName: string): boolean {
  const scope = token === undefined ? undefined : state.tokenRepos[token];
  return scope === undefined || scope.some((r) => r.toLowerCase() === fullName.toLowerCase());
}

export function userId(login: string): number {
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  return 100_000 + h;
}

export function isoNow(state: SimState): string {
  return state
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}
