// GraphQL nodes of the app repository beyond git data: pull requests (labels, reviews, comments,
// commits), actors, collaborators with their permission, commit statuses and deployments, all
// from SimState, plus the createDeploymentStatus mutation. Shapes follow GitHub's schema (the
// documents are validated against it before they run); a field not set here is an error and a
// violation (see fieldResolver in graphql.ts).
import {
  isoNow,
  newId,
  userId,
  type SimDeploymentStatus,
  type SimPull,
  type SimRepo,
  type SimState,
} from './state.js';

const WEB = 'https://github.com';
const MAX_PAGE = 100;

type Args = Record<string, unknown>;
type Node = Record<string, unknown>;

/** An error GitHub reports with a top-level `type`; graphql.ts maps it to the response. */
export class TypedGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function first(args: Args, field: string): { take: number; fromEnd: boolean } {
  const n = typeof args['first'] === 'number' ? args['first'] : args['last'];
  if (typeof n !== 'number') {
    throw new TypedGraphqlError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`,
    );
  }
  if (n > MAX_PAGE) {
    throw new TypedGraphqlError(
      'EXCESSIVE_PAGINATION',
      `Requesting ${n} records on the \`${field}\` connection exceeds the \`first\` limit of ${MAX_PAGE} records.`,
    );
  }
  return { take: n, fromEnd: typeof args['first'] !== 'number' };
}

const cursorOf = (i: number) => Buffer.from(`cursor:${i}`).toString('base64');
const indexOf = (cursor: unknown) =>
  typeof cursor === 'string' ? Number(Buffer.from(cursor, 'base64').toString('utf8').slice(7)) : 0;

/** A page of `all` by first/after (or last), with GitHub's cursors and pageInfo. */
export function pageOf<T>(
  all: readonly T[],
  args: Args,
  field: string,
  toNode: (t: T) => Node,
  edgeFields: (t: T) => Node = () => ({}),
): Node {
  const { take, fromEnd } = first(args, field);
  const start = fromEnd ? Math.max(0, all.length - take) : indexOf(args['after']);
  const slice = all.slice(start, start + take);
  const nodes = slice.map(toNode);
  return {
    nodes,
    edges: nodes.map((node, i) => ({
      node,
      cursor: cursorOf(start + i + 1),
      ...(slice[i] !== undefined ? edgeFields(slice[i]) : {}),
    })),
    totalCount: all.length,
    pageInfo: {
      hasNextPage: start + slice.length < all.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length > 0 ? cursorOf(start + 1) : null,
      endCursor: slice.length > 0 ? cursorOf(start + slice.length) : null,
    },
  };
}

/** A user or, for a `name[bot]` login, a Bot: GraphQL names bots without the [bot] suffix. */
export function actorNode(login: string): Node {
  const bot = login.endsWith('[bot]');
  const name = bot ? login.slice(0, -'[bot]'.length) : login;
  return {
    __typename: bot ? 'Bot' : 'User',
    id: `${bot ? 'BOT' : 'U'}_${userId(login)}`,
    login: name,
    url: bot ? `${WEB}/apps/${name}` : `${WEB}/${name}`,
    resourcePath: bot ? `/apps/${name}` : `/${name}`,
    avatarUrl: `https://avatars.githubusercontent.com/u/${userId(login)}`,
  };
}

/** The latest status per context on a commit, newest first (GitHub's combined status). */
export function statusNode(state: SimState, repo: SimRepo, sha: string): Node | null {
  const all = state.statuses
    .filter((s) => s.repo === repo.fullName && s.sha === sha)
    .sort((a, b) => b.id - a.id);
  const latest = all.filter((s, i) => all.findIndex((o) => o.context === s.context) === i);
  if (latest.length === 0) return null;
  const states = latest.map((s) => s.state);
  const combined = states.some((s) => s === 'error' || s === 'failure')
    ? 'FAILURE'
    : states.some((s) => s === 'pending')
      ? 'PENDING'
      : 'SUCCESS';
  return {
    __typename: 'Status',
    id: `ST_${sha}`,
    state: combined,
    contexts: latest.map((s) => ({
      __typename: 'StatusContext',
      id: `SC_${s.id}`,
      context: s.context,
      state: s.state.toUpperCase(),
      description: s.description,
      targetUrl: s.targetUrl,
      createdAt: s.createdAt,
    })),
  };
}

/** How a pull request's node is built: the commit node comes from graphql.ts (it reads git). */
export interface PullDeps {
  readonly state: SimState;
  readonly repo: SimRepo;
  readonly commit: (oid: string) => Promise<Node | null>;
  readonly repository: (fullName: string) => Node | null;
}

export function pullNode(d: PullDeps, pr: SimPull): Node {
  const { state, repo } = d;
  const reviews = state.reviews.filter((r) => r.repo === repo.fullName && r.pullNumber === pr.number);
  const comments = state.comments.filter((c) => c.repo === repo.fullName && c.issueNumber === pr.number);
  return {
    __typename: 'PullRequest',
    id: `PR_${pr.id}`,
    number: pr.number,
    title: pr.title,
    state: pr.merged ? 'MERGED' : pr.state === 'open' ? 'OPEN' : 'CLOSED',
    isDraft: pr.draft,
    isCrossRepository: pr.head.repo.toLowerCase() !== repo.fullName.toLowerCase(),
    headRefName: pr.head.ref,
    headRefOid: pr.head.sha,
    baseRefName: pr.base.ref,
    author: actorNode(pr.user),
    headRepository: () => d.repository(pr.head.repo),
    url: `${WEB}/${repo.fullName}/pull/${pr.number}`,
    labels: (args: Args) =>
      pageOf(pr.labels, args, 'labels', (name) => ({ __typename: 'Label', id: `L_${name}`, name })),
    reviews: (args: Args) =>
      pageOf(reviews, args, 'reviews', (r) => ({
        __typename: 'PullRequestReview',
        id: `PRR_${r.id}`,
        author: actorNode(r.user),
        state: r.state,
        body: r.body,
        submittedAt: r.state === 'PENDING' ? null : r.submittedAt,
        commit: () => d.commit(r.commitId),
      })),
    comments: (args: Args) =>
      pageOf(comments, args, 'comments', (c) => ({
        __typename: 'IssueComment',
        id: `IC_${c.id}`,
        databaseId: c.id,
        fullDatabaseId: String(c.id),
        author: actorNode(c.user),
        body: c.body,
        createdAt: c.createdAt,
        url: `${WEB}/${repo.fullName}/pull/${pr.number}#issuecomment-${c.id}`,
      })),
    // The simulator keeps the head only; GitHub's last commit of a pull request is its head.
    commits: async (args: Args) => {
      const head = await d.commit(pr.head.sha);
      return pageOf(head ? [head] : [], args, 'commits', (commit) => ({
        __typename: 'PullRequestCommit',
        id: `PRC_${pr.id}`,
        commit,
      }));
    },
  };
}

export function pullRequestsField(d: PullDeps, args: Args): Node {
  const states = Array.isArray(args['states']) ? (args['states'] as string[]) : undefined;
  const all = d.state.pulls
    .filter((p) => p.repo === d.repo.fullName)
    .filter((p) => {
      const s = p.merged ? 'MERGED' : p.state === 'open' ? 'OPEN' : 'CLOSED';
      return states === undefined || states.includes(s);
    })
    .sort((a, b) => a.number - b.number);
  return pageOf(all, args, 'pullRequests', (p) => pullNode(d, p));
}

export function pullRequestField(d: PullDeps, args: Args): Node {
  const number = Number(args['number']);
  const pr = d.state.pulls.find((p) => p.repo === d.repo.fullName && p.number === number);
  if (!pr) {
    throw new TypedGraphqlError(
      'NOT_FOUND',
      `Could not resolve to a PullRequest with the number of ${number}.`,
    );
  }
  return pullNode(d, pr);
}

/**
 * `collaborators`: GitHub lists them only to a viewer with push access (FORBIDDEN otherwise, the
 * field null); `login:` picks one collaborator, `query:` filters on login and name.
 */
export function collaboratorsField(
  state: SimState,
  repo: SimRepo,
  token: string | undefined,
  args: Args,
): Node {
  if (token !== undefined && state.tokensWithoutPush.includes(token)) {
    throw new TypedGraphqlError('FORBIDDEN', 'Must have push access to view repository collaborators.');
  }
  const perms = state.permissions[repo.fullName] ?? {};
  const login = typeof args['login'] === 'string' ? args['login'].toLowerCase() : undefined;
  const query = typeof args['query'] === 'string' ? args['query'].toLowerCase() : undefined;
  const all = Object.entries(perms)
    .filter(([, p]) => p !== 'none')
    .filter(([user]) => login === undefined || user.toLowerCase() === login)
    .filter(([user]) => query === undefined || user.toLowerCase().includes(query))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return pageOf(
    all,
    args,
    'collaborators',
    ([user]) => actorNode(user),
    ([, permission]) => ({ permission: permission.toUpperCase() }),
  );
}

function deploymentNode(state: SimState, repo: SimRepo, id: number): Node | null {
  const dep = state.deployments.find((x) => x.repo === repo.fullName && x.id === id);
  if (!dep) return null;
  return {
    __typename: 'Deployment',
    id: `DE_${dep.id}`,
    databaseId: dep.id,
    environment: dep.environment,
    latestEnvironment: dep.environment,
    originalEnvironment: dep.environment,
    description: dep.description,
    task: dep.task,
    commitOid: dep.sha,
    createdAt: dep.createdAt,
    payload: JSON.stringify(dep.payload ?? {}),
    latestStatus: () => {
      const statuses = state.deploymentStatuses.filter((x) => x.deploymentId === dep.id);
      const last = statuses[statuses.length - 1];
      return last === undefined ? null : deploymentStatusNode(last);
    },
  };
}

function deploymentStatusNode(s: SimDeploymentStatus): Node {
  return {
    __typename: 'DeploymentStatus',
    id: `DES_${s.id}`,
    state: s.state.toUpperCase(),
    description: s.description,
    createdAt: s.createdAt,
  };
}

export function deploymentsField(state: SimState, repo: SimRepo, args: Args): Node {
  const environments = Array.isArray(args['environments']) ? (args['environments'] as string[]) : undefined;
  const order = args['orderBy'] as { field?: string; direction?: string } | undefined;
  const all = state.deployments
    .filter((x) => x.repo === repo.fullName)
    .filter((x) => environments === undefined || environments.includes(x.environment))
    .sort((a, b) => (order?.direction === 'DESC' ? b.id - a.id : a.id - b.id));
  return pageOf(all, args, 'deployments', (x) => deploymentNode(state, repo, x.id) ?? {});
}

/** createDeploymentStatus: like the REST route (140-character descriptions), by the deployment's node id. */
export function createDeploymentStatus(
  state: SimState,
  actor: string,
  reaches: (fullName: string) => boolean,
  args: Args,
): Node {
  const input = args['input'] as {
    clientMutationId?: string | null;
    deploymentId: string;
    state: string;
    description?: string | null;
    environment?: string | null;
    environmentUrl?: string | null;
    logUrl?: string | null;
  };
  const id = /^DE_(\d+)$/.exec(input.deploymentId)?.[1];
  const dep = id === undefined ? undefined : state.deployments.find((x) => x.id === Number(id));
  if (!dep || !reaches(dep.repo)) {
    throw new TypedGraphqlError(
      'NOT_FOUND',
      `Could not resolve to a node with the global id of '${input.deploymentId}'.`,
    );
  }
  const description = input.description ?? '';
  if ([...description].length > 140) {
    throw new TypedGraphqlError('UNPROCESSABLE', 'Description is too long (maximum is 140 characters)');
  }
  const s: SimDeploymentStatus = {
    id: newId(state),
    repo: dep.repo,
    deploymentId: dep.id,
    state: input.state.toLowerCase() as SimDeploymentStatus['state'],
    description,
    environment: input.environment ?? dep.environment,
    environmentUrl: input.environmentUrl ?? '',
    logUrl: input.logUrl ?? '',
    creator: actor,
    createdAt: isoNow(state),
  };
  state.deploymentStatuses.push(s);
  return {
    clientMutationId: input.clientMutationId ?? null,
    deploymentStatus: deploymentStatusNode(s),
  };
}
