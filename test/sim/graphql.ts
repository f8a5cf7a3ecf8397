// GraphQL endpoint: every document is validated against GitHub's published schema
// (@octokit/graphql-schema) with graphql-js, then executed against that same schema with resolvers
// that read and write a real git repository. Fields the simulator does not implement resolve to
// an error AND are recorded as violations, so a query cannot silently depend on an unimplemented field.
import {
  GraphQLError,
  buildSchema,
  defaultFieldResolver,
  execute,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { schema as githubSchema } from '@octokit/graphql-schema';
import {
  branchHead,
  commitInfo,
  commitOnBranch,
  gitOk,
  log,
  lsTree,
  objectType,
  readBlob,
  revParse,
  type CommitInfo,
} from './git.js';
import {
  collaboratorsField,
  createDeploymentStatus,
  deploymentsField,
  pullRequestField,
  pullRequestsField,
  statusNode,
  TypedGraphqlError,
  type PullDeps,
} from './graphql-pulls.js';
import { findRepo, tokenReaches, userId, type SimRepo, type SimState } from './state.js';

const WEB = 'https://github.com';
const MAX_PAGE = 100;

let cachedSchema: GraphQLSchema | undefined;
export function githubGraphqlSchema(): GraphQLSchema {
  // The published SDL declares two EnterpriseOwnerInfo fields twice, which graphql-js refuses as
  // SDL; the duplicates are identical, so skip SDL validation (documents are still validated).
  cachedSchema ??= buildSchema(githubSchema.idl, { assumeValidSDL: true, assumeValid: true });
  return cachedSchema;
}

/** An error GitHub reports with a top-level `type` (NOT_FOUND, STALE_DATA, ...). */
export const GitHubGraphqlError = TypedGraphqlError;
export type GitHubGraphqlError = TypedGraphqlError;

interface Ctx {
  state: SimState;
  actor: string;
  token: string | undefined;
  violations: string[];
}

type Args = Record<string, unknown>;
type Node = Record<string, unknown>;

function commitNode(repo: SimRepo, c: CommitInfo, state?: SimState): Node {
  const [headline = '', ...rest] = c.message.split('\n');
  return {
    __typename: 'Commit',
    id: `C_${c.oid}`,
    oid: c.oid,
    abbreviatedOid: c.oid.slice(0, 7),
    message: c.message,
    messageHeadline: headline,
    messageBody: rest.join('\n').replace(/^\n/, ''),
    committedDate: c.committerDate,
    authoredDate: c.authorDate,
    url: `${WEB}/${repo.fullName}/commit/${c.oid}`,
    commitUrl: `${WEB}/${repo.fullName}/commit/${c.oid}`,
    author: { name: c.authorName, email: c.authorEmail, date: c.authorDate },
    committer: { name: c.committerName, email: c.committerEmail, date: c.committerDate },
    tree: () => treeNode(repo, c.tree, ''),
    history: async (args: Args) => {
      const first = pageSize(args, 'history');
      const path = typeof args['path'] === 'string' ? args['path'] : undefined;
      const nodes = (await log(repo.dir, c.oid, first + 1, path)).map((x) => commitNode(repo, x, state));
      const page = nodes.slice(0, first);
      return connection(page, nodes.length > first, async () => {
        const count = await gitOk(repo.dir, ['rev-list', '--count', c.oid, ...(path ? ['--', path] : [])]);
        return Number(count);
      });
    },
    parents: async (args: Args) => {
      const first = pageSize(args, 'parents');
      const parents = await Promise.all(c.parents.slice(0, first).map((p) => commitInfo(repo.dir, p)));
      const nodes = parents
        .filter((p): p is CommitInfo => p !== undefined)
        .map((p) => commitNode(repo, p, state));
      return connection(nodes, c.parents.length > first, () => c.parents.length);
    },
    file: async (args: Args) => entryAt(repo, c.oid, String(args['path'] ?? '')),
    status: () => (state ? statusNode(state, repo, c.oid) : null),
  };
}

function pageSize(args: Args, field: string): number {
  const first = typeof args['first'] === 'number' ? args['first'] : undefined;
  if (first === undefined) {
    throw new GitHubGraphqlError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`,
    );
  }
  if (first > MAX_PAGE) {
    throw new GitHubGraphqlError(
      'EXCESSIVE_PAGINATION',
      `Requesting ${first} records on the \`${field}\` connection exceeds the \`first\` limit of ${MAX_PAGE} records.`,
    );
  }
  return first;
}

function connection(nodes: Node[], hasNextPage: boolean, totalCount: () => number | Promise<number>): Node {
  return {
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: Buffer.from(`cursor:${i + 1}`).toString('base64') })),
    totalCount,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: false,
      startCursor: nodes.length > 0 ? Buffer.from('cursor:1').toString('base64') : null,
      endCursor: nodes.length > 0 ? Buffer.from(`cursor:${nodes.length}`).toString('base64') : null,
    },
  };
}

async function blobNode(repo: SimRepo, oid: string): Promise<Node> {
  const data = await readBlob(repo.dir, oid);
  // GitHub's heuristic: a NUL byte means binary, and binary blobs have no text.
  const isBinary = data.includes(0);
  return {
    __typename: 'Blob',
    id: `B_${oid}`,
    oid,
    abbreviatedOid: oid.slice(0, 7),
    byteSize: data.length,
    isBinary,
    isTruncated: false,
    text: isBinary ? null : data.toString('utf8'),
    commitUrl: `${WEB}/${repo.fullName}`,
  };
}

function treeNode(repo: SimRepo, oid: string, path: string): Node {
  return {
    __typename: 'Tree',
    id: `T_${oid}`,
    oid,
    abbreviatedOid: oid.slice(0, 7),
    entries: async () => (await lsTree(repo.dir, oid, '')).map((e) => entryNode(repo, e, path)),
  };
}

function entryNode(
  repo: SimRepo,
  e: { mode: string; type: string; oid: string; size: number; path: string },
  parent: string,
): Node {
  const name = e.path.split('/').pop() ?? e.path;
  const path = parent ? `${parent}/${name}` : name;
  return {
    __typename: 'TreeEntry',
    name,
    path,
    oid: e.oid,
    mode: parseInt(e.mode, 8),
    type: e.type,
    size: e.size,
    isGenerated: false,
    extension: name.includes('.') ? `.${name.split('.').pop() ?? ''}` : null,
    // A subtree keeps its full path, so its entries' paths are full paths too (as on GitHub).
    object: () => (e.type === 'tree' ? treeNode(repo, e.oid, path) : objectNode(repo, e.oid)),
  };
}

async function entryAt(repo: SimRepo, commit: string, path: string): Promise<Node | null> {
  const clean = path.replace(/^\/+|\/+$/g, '');
  const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '';
  const entries = await lsTree(repo.dir, commit, parent).catch(() => []);
  const e = entries.find((x) => x.path === clean);
  return e ? entryNode(repo, e, parent) : null;
}

async function objectNode(repo: SimRepo, expression: string, state?: SimState): Promise<Node | null> {
  const oid = await revParse(repo.dir, expression);
  if (!oid) return null;
  const type = await objectType(repo.dir, oid);
  if (type === 'blob') return blobNode(repo, oid);
  if (type === 'tree')
    return treeNode(repo, oid, expression.includes(':') ? expression.slice(expression.indexOf(':') + 1) : '');
  if (type === 'commit') {
    const info = await commitInfo(repo.dir, oid);
    return info ? commitNode(repo, info, state) : null;
  }
  return null;
}

async function refNode(repo: SimRepo, qualifiedName: string, state?: SimState): Promise<Node | null> {
  const full = qualifiedName.startsWith('refs/') ? qualifiedName : `refs/heads/${qualifiedName}`;
  const oid = await revParse(repo.dir, full);
  if (!oid) return null;
  const slash = full.indexOf('/', 'refs/'.length);
  return {
    __typename: 'Ref',
    id: `REF_${full}`,
    name: full.slice(slash + 1),
    prefix: full.slice(0, slash + 1),
    target: () => objectNode(repo, oid, state),
  };
}

function repositoryNode(repo: SimRepo, ctx?: Ctx): Node {
  const deps = (c: Ctx): PullDeps => ({
    state: c.state,
    repo,
    commit: async (oid) => {
      const info = await commitInfo(repo.dir, oid);
      return info ? commitNode(repo, info, c.state) : null;
    },
    repository: (fullName) => {
      const found = repoByNameWithOwner(c.state, fullName);
      return found ? repositoryNode(found, c) : null;
    },
  });
  const needCtx = (field: string): Ctx => {
    if (!ctx) throw new Error(`Repository.${field} needs the request context`);
    return ctx;
  };
  return {
    __typename: 'Repository',
    id: `R_${repo.id}`,
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    url: `${WEB}/${repo.fullName}`,
    isFork: repo.fork,
    isPrivate: repo.private,
    owner: {
      __typename: 'Organization',
      login: repo.owner,
      id: `O_${repo.owner}`,
      url: `${WEB}/${repo.owner}`,
    },
    defaultBranchRef: () => refNode(repo, `refs/heads/${repo.defaultBranch}`, ctx?.state),
    ref: (args: Args) => refNode(repo, String(args['qualifiedName'] ?? ''), ctx?.state),
    object: (args: Args) => {
      const expr = typeof args['expression'] === 'string' ? args['expression'] : args['oid'];
      return typeof expr === 'string' ? objectNode(repo, expr, ctx?.state) : null;
    },
    collaborators: (args: Args) => {
      const c = needCtx('collaborators');
      return collaboratorsField(c.state, repo, c.token, args);
    },
    pullRequest: (args: Args) => pullRequestField(deps(needCtx('pullRequest')), args),
    pullRequests: (args: Args) => pullRequestsField(deps(needCtx('pullRequests')), args),
    deployments: (args: Args) => deploymentsField(needCtx('deployments').state, repo, args),
  };
}

function repoByNameWithOwner(state: SimState, nwo: string): SimRepo | undefined {
  const [owner, name] = nwo.split('/');
  return owner && name ? findRepo(state, owner, name) : undefined;
}

function assertPath(path: string): void {
  const parts = path.split('/');
  if (
    path === '' ||
    path.startsWith('/') ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git')
  ) {
    throw new GitHubGraphqlError(
      'UNPROCESSABLE',
      `A path was requested for deletion or addition that is invalid: "${path}"`,
    );
  }
}

const query = {
  repository: (args: Args, ctx: Ctx) => {
    const owner = String(args['owner'] ?? '');
    const name = String(args['name'] ?? '');
    const found = findRepo(ctx.state, owner, name);
    const repo = found && tokenReaches(ctx.state, ctx.token, found.fullName) ? found : undefined;
    if (!repo) {
      throw new GitHubGraphqlError(
        'NOT_FOUND',
        `Could not resolve to a Repository with the name '${owner}/${name}'.`,
      );
    }
    return repositoryNode(repo, ctx);
  },
};

const mutation = {
  createDeploymentStatus: (args: Args, ctx: Ctx) =>
    createDeploymentStatus(
      ctx.state,
      ctx.actor,
      (fullName) => tokenReaches(ctx.state, ctx.token, fullName),
      args,
    ),
  createCommitOnBranch: async (args: Args, ctx: Ctx) => {
    const input = args['input'] as {
      clientMutationId?: string | null;
      branch: {
        repositoryNameWithOwner?: string | null;
        repositoryId?: string | null;
        branchName?: string | null;
      };
      expectedHeadOid: string;
      message: { headline: string; body?: string | null };
      fileChanges?: {
        additions?: { path: string; contents: string }[] | null;
        deletions?: { path: string }[] | null;
      } | null;
    };
    const nwo = input.branch.repositoryNameWithOwner ?? '';
    const found =
      (nwo ? repoByNameWithOwner(ctx.state, nwo) : undefined) ??
      ctx.state.repos.find((r) => input.branch.repositoryId && `R_${r.id}` === input.branch.repositoryId);
    const repo = found && tokenReaches(ctx.state, ctx.token, found.fullName) ? found : undefined;
    if (!repo) {
      throw new GitHubGraphqlError(
        'NOT_FOUND',
        `Could not resolve to a Repository with the name '${nwo || String(input.branch.repositoryId)}'.`,
      );
    }
    const branch = input.branch.branchName ?? '';
    const head = branch && !branch.startsWith('-') ? await branchHead(repo.dir, branch) : undefined;
    if (!head) {
      // GitHub's exact wording for a missing branch is not documented; callers should test the type.
      throw new GitHubGraphqlError(
        'NOT_FOUND',
        `Could not resolve to a Ref with the name 'refs/heads/${branch}'.`,
      );
    }
    const stale = (): TypedGraphqlError =>
      new GitHubGraphqlError(
        'STALE_DATA',
        `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
      );
    if (head !== input.expectedHeadOid) throw stale();
    const additions = (input.fileChanges?.additions ?? []).map((a) => {
      assertPath(a.path);
      if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(a.contents)) {
        throw new GitHubGraphqlError('UNPROCESSABLE', `The contents of "${a.path}" are not valid base64.`);
      }
      return { path: a.path, contents: Buffer.from(a.contents, 'base64') };
    });
    const deletions = (input.fileChanges?.deletions ?? []).map((d) => {
      assertPath(d.path);
      return d.path;
    });
    const message = input.message.body
      ? `${input.message.headline}\n\n${input.message.body}`
      : input.message.headline;
    const result = await commitOnBranch(repo.dir, branch, head, { additions, deletions }, message, {
      name: ctx.actor,
      email: `${userId(ctx.actor)}+${ctx.actor}@users.noreply.github.com`,
    });
    // update-ref refused: someone moved the branch between our read and our write.
    if (result.kind === 'moved') throw stale();
    ctx.state.apiCommits.push({
      repo: repo.fullName,
      branch,
      oid: result.oid,
      parent: head,
      headline: input.message.headline,
      body: input.message.body ?? '',
      additions: additions.map((a) => a.path),
      deletions,
      by: ctx.actor,
      triggersWorkflows: ctx.actor !== 'github-actions[bot]',
    });
    const info = await commitInfo(repo.dir, result.oid);
    return {
      clientMutationId: input.clientMutationId ?? null,
      commit: info ? commitNode(repo, info) : null,
      ref: () => refNode(repo, `refs/heads/${branch}`),
    };
  },
};

// Like graphql-js's default resolver, but a field missing from the simulator's object is an error
// (and so a violation): answering null would let a query pass here and fail on GitHub.
const fieldResolver: GraphQLFieldResolver<unknown, Ctx> = (source, args, ctx, info) => {
  if (typeof source === 'object' && source !== null && !(info.fieldName in source)) {
    throw new Error(
      `${info.parentType.name}.${info.fieldName} exists in GitHub's schema but the simulator does not implement it (add it to test/sim/graphql.ts)`,
    );
  }
  return defaultFieldResolver(source, args, ctx, info);
};

export interface GraphqlReply {
  status: number;
  body: unknown;
}

export async function handleGraphql(body: unknown, ctx: Ctx): Promise<GraphqlReply> {
  const req = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof req['query'] !== 'string') {
    ctx.violations.push('GraphQL: request body has no "query" string');
    return { status: 400, body: { message: 'A query attribute must be specified and must be a string.' } };
  }
  let document: DocumentNode;
  try {
    document = parse(req['query']);
  } catch (err) {
    const message = err instanceof GraphQLError ? err.message : String(err);
    ctx.violations.push(`GraphQL: document does not parse: ${message}`);
    return { status: 200, body: { errors: [{ message }] } };
  }
  const schema = githubGraphqlSchema();
  const problems = validate(schema, document);
  if (problems.length > 0) {
    for (const p of problems) ctx.violations.push(`GraphQL: ${p.message}`);
    return {
      status: 200,
      body: { errors: problems.map((p) => ({ message: p.message, locations: p.locations })) },
    };
  }
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
  const rootValue =
    operation && operation.kind === 'OperationDefinition' && operation.operation === 'mutation'
      ? mutation
      : query;
  const result = await execute({
    schema,
    document,
    rootValue,
    contextValue: ctx,
    variableValues: (req['variables'] ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof req['operationName'] === 'string' ? req['operationName'] : undefined,
    fieldResolver,
  });
  const out: Record<string, unknown> = { data: result.data ?? null };
  if (result.errors && result.errors.length > 0) {
    out['errors'] = result.errors.map((e) => {
      const orig = e.originalError;
      if (orig instanceof TypedGraphqlError) {
        return { type: orig.type, path: e.path, locations: e.locations, message: orig.message };
      }
      // Variables that do not fit the schema are the caller's fault; anything else is ours.
      if (!e.path) ctx.violations.push(`GraphQL: ${e.message}`);
      else ctx.violations.push(`GraphQL: simulator error at ${e.path.join('.')}: ${e.message}`);
      return { path: e.path, locations: e.locations, message: e.message };
    });
  }
  return { status: 200, body: out };
}
