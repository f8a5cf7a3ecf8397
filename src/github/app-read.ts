import type { PullRequest, Permission } from '../facts/github.js';
import type { ReviewFact } from '../core/types.js';
import { GraphqlError, type GraphqlErrorItem, type GraphqlPartialFn } from './graphql.js';

// The app repository in one GraphQL query: the default branch's head with the config and every
// policy file at that very commit, and, as a run needs them, the pull request (head, state, labels,
// reviews, the bots' comments), the commenter's permission, every open pull request with its
// head's commit statuses, and the latest deployments. One request instead of one per file, per
// listing and per question; each piece is asked for only by the runs that use it.

// A type alias, not an interface: Octokit's parameters need an implicit index signature.
type Repo = { readonly owner: string; readonly repo: string };

export interface AppReadWants {
  /** The config file's repository path; the policies folder beside it is read too. */
  readonly configPath: string;
  /** The pull request to read in full. */
  readonly pull?: number;
  /** Whose permission on the repository to read. */
  readonly permissionOf?: string;
  /** Every open pull request's head, labels and commit statuses (the schedule sweep). */
  readonly openPulls?: boolean;
  /** The repository's latest deployments (the rollout reports add a status to the rollout's own). */
  readonly deployments?: boolean;
}

/** A comment a bot wrote that starts with a rollgate marker: a sticky report. */
export interface StickyComment {
  /** The REST id (updateComment's comment_id). */
  readonly id: number;
  /** The first line of the body (the marker). */
  readonly head: string;
}

export interface AppPullRequest extends PullRequest {
  /** The bots' rollgate comments among the first page of the pull request's comments. */
  readonly stickies: readonly StickyComment[];
  /** False when the pull request has more comments than that page: a sticky may be further down. */
  readonly stickiesComplete: boolean;
  /**
   * The head commit's committer time (ISO), when GitHub's last commit of the pull request is the
   * head: a promotion from the pull request records it as Rollgate-Source-Time (the delivery
   * report's lead time starts there).
   */
  readonly headCommittedAt?: string;
}

export interface OpenPull {
  readonly number: number;
  readonly headSha: string;
  readonly labels: readonly string[];
  /** The head's commit statuses by context (lower case states); undefined when GitHub did not say. */
  readonly statuses: ReadonlyMap<string, string> | undefined;
}

export interface RecentDeployment {
  /** The GraphQL node id (createDeploymentStatus takes it; REST ids outgrow GraphQL's Int). */
  readonly nodeId: string;
  readonly environment: string;
  /** The JSON payload the deployment was created with, parsed; {} when it is not an object. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The description of its latest status, if it has one (a frozen rollout's report says it once). */
  readonly latestStatus?: string;
}

export interface AppRead {
  /** The default branch and the SHA everything below was read at. */
  readonly branch: string;
  readonly sha: string;
  /** The config file (when it exists) and every policies/*.yaml beside it, by repository path. */
  readonly files: Readonly<Record<string, string>>;
  readonly pull?: AppPullRequest;
  /**
   * The user's role on the repository, or undefined when GraphQL could not say (the token may not
   * list collaborators): then ask REST (facts/github.ts readPermission).
   */
  readonly permission?: Permission;
  readonly openPulls?: readonly OpenPull[];
  /** Newest first. */
  readonly deployments?: readonly RecentDeployment[];
}

const PAGE = 100;

/** The policies folder beside the config file. */
export function policiesDir(configPath: string): string {
  const dir = configPath.includes('/') ? configPath.slice(0, configPath.lastIndexOf('/') + 1) : '';
  return `${dir}policies`;
}

const OPEN_PULLS_FIELDS = `pageInfo { hasNextPage endCursor }
      nodes {
        number headRefOid
        labels(first: 100) { nodes { name } }
        commits(last: 1) { nodes { commit { oid status { contexts { context state } } } } }
      }`;

/** The query for what `wants` asks, with its variables. */
export function buildAppQuery(wants: AppReadWants): string {
  const vars = ['$owner: String!', '$name: String!', '$config: String!', '$policies: String!'];
  const parts: string[] = [
    `defaultBranchRef {
      name
      target {
        oid
        ... on Commit {
          config: file(path: $config) { type mode object { ... on Blob { text } } }
          policies: file(path: $policies) { type object { ... on Tree { entries { name path type mode object { ... on Blob { text } } } } } }
        }
      }
    }`,
  ];
  if (wants.permissionOf !== undefined) {
    vars.push('$login: String!');
    parts.push('collaborators(login: $login, first: 1) { edges { permission node { login } } }');
  }
  if (wants.pull !== undefined) {
    vars.push('$number: Int!');
    parts.push(`pullRequest(number: $number) {
      number state isCrossRepository headRefName headRefOid
      author { __typename login }
      headRepository { nameWithOwner }
      labels(first: 100) { nodes { name } }
      reviews(first: 100) { nodes { author { __typename login } state commit { oid } submittedAt } }
      comments(first: 100) { pageInfo { hasNextPage } nodes { fullDatabaseId author { __typename login } body } }
      commits(last: 1) { nodes { commit { oid committedDate } } }
    }`);
  }
  if (wants.openPulls === true) {
    parts.push(`pullRequests(states: OPEN, first: ${PAGE}) {
      ${OPEN_PULLS_FIELDS}
    }`);
  }
  if (wants.deployments === true) {
    parts.push(
      `deployments(first: ${PAGE}, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { id environment payload latestStatus { description } } }`,
    );
  }
  return `query RollgateApp(${vars.join(', ')}) {
  repository(owner: $owner, name: $name) {
    ${parts.join('\n    ')}
  }
}`;
}

/** The next page of open pull requests (only past the first hundred). */
const OPEN_PULLS_PAGE = `query RollgateOpenPulls($owner: String!, $name: String!, $after: String!) {
  repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, first: ${PAGE}, after: $after) {
      ${OPEN_PULLS_FIELDS}
    }
  }
}`;

// ---- the answer, checked where it enters ----

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown, key: string): Json | undefined =>
  isObject(v) && isObject(v[key]) ? v[key] : undefined;
const str = (v: unknown, key: string): string | undefined =>
  isObject(v) && typeof v[key] === 'string' ? v[key] : undefined;
const num = (v: unknown, key: string): number | undefined =>
  isObject(v) && typeof v[key] === 'number' ? v[key] : undefined;
const nodes = (v: unknown, key: string): unknown[] => {
  const list = obj(v, key)?.['nodes'];
  return Array.isArray(list) ? list : [];
};

/** REST names a bot `name[bot]`; GraphQL names it `name` with __typename Bot. rollgate speaks REST's names. */
function loginOf(actor: unknown): string | undefined {
  const login = str(actor, 'login');
  if (login === undefined) return undefined;
  return str(actor, '__typename') === 'Bot' && !login.endsWith('[bot]') ? `${login}[bot]` : login;
}

const PERMISSIONS: Readonly<Record<string, Permission>> = {
  ADMIN: 'admin',
  MAINTAIN: 'maintain',
  WRITE: 'write',
  TRIAGE: 'triage',
  READ: 'read',
};

const REVIEW_STATES = new Set<string>(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING']);

/** Regular files (100644) and executables (100755); a symlink is not a policy file. */
const REGULAR = new Set([0o100644, 0o100755]);

const onPath = (e: GraphqlErrorItem, field: string) => e.path?.[0] === 'repository' && e.path[1] === field;

export async function readApp(graphql: GraphqlPartialFn, repo: Repo, wants: AppReadWants): Promise<AppRead> {
  const variables: Record<string, unknown> = {
    owner: repo.owner,
    name: repo.repo,
    config: wants.configPath,
    policies: policiesDir(wants.configPath),
    ...(wants.permissionOf !== undefined ? { login: wants.permissionOf } : {}),
    ...(wants.pull !== undefined ? { number: wants.pull } : {}),
  };
  const { data, errors } = await graphql(buildAppQuery(wants), variables);
  // Only the collaborators may be refused (a token without push access); anything else fails the run.
  const fatal = errors.filter((e) => !onPath(e, 'collaborators'));
  if (fatal.length > 0) throw new GraphqlError(fatal);
  const repository = obj(data, 'repository');
  if (repository === undefined) {
    throw new Error(`repository ${repo.owner}/${repo.repo} was not found or the github-token cannot read it`);
  }
  const ref = obj(repository, 'defaultBranchRef');
  const target = obj(ref, 'target');
  const branch = str(ref, 'name');
  const sha = str(target, 'oid');
  if (branch === undefined || sha === undefined) {
    throw new Error(`repository ${repo.owner}/${repo.repo} has no default branch; push one with the config`);
  }
  const files: Record<string, string> = {};
  const config = obj(target, 'config');
  if (config !== undefined) {
    const text = str(obj(config, 'object'), 'text');
    if (str(config, 'type') !== 'blob' || !REGULAR.has(num(config, 'mode') ?? 0) || text === undefined) {
      throw new Error(
        `${wants.configPath} at ${sha.slice(0, 7)} is not a text file; the config and its policy files must be regular files on the default branch`,
      );
    }
    files[wants.configPath] = text;
  }
  const entries = obj(obj(target, 'policies'), 'object')?.['entries'];
  const policies = (Array.isArray(entries) ? entries : []).flatMap((e: unknown) => {
    const path = str(e, 'path');
    const text = str(obj(e, 'object'), 'text');
    const regular = str(e, 'type') === 'blob' && REGULAR.has(num(e, 'mode') ?? 0);
    return path !== undefined && text !== undefined && regular && /\.ya?ml$/.test(path)
      ? [{ path, text }]
      : [];
  });
  for (const p of policies.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    files[p.path] = p.text;

  const read: {
    -readonly [K in keyof AppRead]: AppRead[K];
  } = { branch, sha, files };
  if (wants.permissionOf !== undefined) {
    const permission = permissionFrom(repository, errors);
    if (permission !== undefined) read.permission = permission;
  }
  if (wants.pull !== undefined) {
    const pull = obj(repository, 'pullRequest');
    if (pull === undefined) {
      throw new Error(`${repo.owner}/${repo.repo} has no pull request #${wants.pull}`);
    }
    read.pull = pullFrom(pull);
  }
  if (wants.openPulls === true) read.openPulls = await openPullsFrom(graphql, repo, repository);
  if (wants.deployments === true) read.deployments = nodes(repository, 'deployments').flatMap(deploymentFrom);
  return read;
}

/**
 * GraphQL's viewerPermission is the token's own; `collaborators(login:)` answers for another user,
 * with the precise role (MAINTAIN, TRIAGE). It cannot answer when the token may not list
 * collaborators (FORBIDDEN without push access): undefined then, and the caller asks REST.
 * A user it does not list has no role on the repository.
 */
function permissionFrom(repository: Json, errors: readonly GraphqlErrorItem[]): Permission | undefined {
  if (errors.some((e) => onPath(e, 'collaborators'))) return undefined;
  const connection = obj(repository, 'collaborators');
  if (connection === undefined) return undefined;
  const edges = connection['edges'];
  if (!Array.isArray(edges)) return undefined;
  const edge: unknown = edges[0];
  if (edge === undefined) return 'none';
  return PERMISSIONS[str(edge, 'permission') ?? ''] ?? 'none';
}

function pullFrom(pull: Json): AppPullRequest {
  const reviews = nodes(pull, 'reviews').flatMap((r): ReviewFact[] => {
    const user = loginOf(obj(r, 'author'));
    const state = str(r, 'state');
    if (user === undefined || state === undefined || !REVIEW_STATES.has(state)) return [];
    return [
      {
        user,
        state: state as ReviewFact['state'],
        commitId: str(obj(r, 'commit'), 'oid') ?? '',
        submittedAt: str(r, 'submittedAt') ?? '',
      },
    ];
  });
  const stickies = nodes(pull, 'comments').flatMap((c): StickyComment[] => {
    const author = loginOf(obj(c, 'author'));
    const body = str(c, 'body') ?? '';
    // fullDatabaseId is a BigInt (a string); comment ids outgrew 32 bits but still fit a double.
    const id = Number(str(c, 'fullDatabaseId') ?? num(c, 'fullDatabaseId'));
    if (author === undefined || !author.endsWith('[bot]') || !body.startsWith('<!-- rollgate:')) return [];
    return Number.isSafeInteger(id) ? [{ id, head: body.split('\n', 1)[0] ?? '' }] : [];
  });
  const headRepository = obj(pull, 'headRepository');
  const headSha = str(pull, 'headRefOid') ?? '';
  // Only the head's time: a lagging GitHub may list an older last commit.
  const last = obj(nodes(pull, 'commits')[0], 'commit');
  const committed = str(last, 'oid') === headSha ? str(last, 'committedDate') : undefined;
  const headCommittedAt =
    committed !== undefined && !Number.isNaN(Date.parse(committed))
      ? new Date(committed).toISOString()
      : undefined;
  return {
    number: num(pull, 'number') ?? 0,
    author: loginOf(obj(pull, 'author')) ?? 'ghost',
    headSha,
    headRef: str(pull, 'headRefName') ?? '',
    labels: nodes(pull, 'labels').flatMap((l) => {
      const name = str(l, 'name');
      return name !== undefined ? [name] : [];
    }),
    reviews,
    fromFork: pull['isCrossRepository'] !== false || headRepository === undefined,
    open: str(pull, 'state') === 'OPEN',
    stickies,
    stickiesComplete: obj(obj(pull, 'comments'), 'pageInfo')?.['hasNextPage'] === false,
    ...(headCommittedAt !== undefined ? { headCommittedAt } : {}),
  };
}

async function openPullsFrom(graphql: GraphqlPartialFn, repo: Repo, repository: Json): Promise<OpenPull[]> {
  const pulls: OpenPull[] = [];
  let connection = obj(repository, 'pullRequests');
  for (;;) {
    pulls.push(...nodes({ c: connection }, 'c').flatMap(openPullFrom));
    const pageInfo = obj(connection, 'pageInfo');
    const after = str(pageInfo, 'endCursor');
    if (pageInfo?.['hasNextPage'] !== true || after === undefined) return pulls;
    // Past the first hundred open pull requests: one more request per hundred.
    const { data, errors } = await graphql(OPEN_PULLS_PAGE, { owner: repo.owner, name: repo.repo, after });
    if (errors.length > 0) throw new GraphqlError(errors);
    connection = obj(obj(data, 'repository'), 'pullRequests');
  }
}

function openPullFrom(p: unknown): OpenPull[] {
  const number = num(p, 'number');
  const headSha = str(p, 'headRefOid');
  if (number === undefined || headSha === undefined) return [];
  const commit = obj(nodes(p, 'commits')[0], 'commit');
  // The statuses are the head's only when the last commit is the head (it is, unless GitHub lags).
  const contexts = str(commit, 'oid') === headSha ? obj(commit, 'status')?.['contexts'] : undefined;
  const statuses =
    commit === undefined || str(commit, 'oid') !== headSha
      ? undefined
      : new Map(
          (Array.isArray(contexts) ? contexts : []).flatMap((c: unknown) => {
            const context = str(c, 'context');
            const state = str(c, 'state');
            return context !== undefined && state !== undefined
              ? [[context, state.toLowerCase()] as const]
              : [];
          }),
        );
  return [
    {
      number,
      headSha,
      labels: nodes(p, 'labels').flatMap((l) => {
        const name = str(l, 'name');
        return name !== undefined ? [name] : [];
      }),
      statuses,
    },
  ];
}

function deploymentFrom(d: unknown): RecentDeployment[] {
  const nodeId = str(d, 'id');
  const environment = str(d, 'environment');
  if (nodeId === undefined || environment === undefined) return [];
  let payload: unknown;
  try {
    payload = JSON.parse(str(d, 'payload') ?? '{}');
  } catch {
    payload = {};
  }
  const status =
    isObject(d) && isObject(d['latestStatus']) ? str(d['latestStatus'], 'description') : undefined;
  return [
    {
      nodeId,
      environment,
      payload: isObject(payload) ? payload : {},
      ...(status !== undefined ? { latestStatus: status } : {}),
    },
  ];
}
