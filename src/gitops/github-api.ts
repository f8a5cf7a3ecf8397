import type { CommitOutcome, GitOpsSnapshot, GitOpsStore, HistoryVisitor } from '../core/store.js';
import { parseTrailers, type RawCommit } from '../core/trailers.js';
import type { FileEdit } from '../core/types.js';
import { GraphqlError, type GraphqlFn } from '../github/graphql.js';
import type { GitHubClient } from '../github/octokit.js';

// The GitOps repository through GitHub's API, no clone: one GraphQL query reads the branch head,
// the first page of its history and every file the plan needs; one createCommitOnBranch writes the
// whole plan with expectedHeadOid, so a branch that moved is reported (not overwritten) and the
// pipeline re-plans. Further history pages are read only when a question needs them.

export type { RawCommit } from '../core/trailers.js';

/** The REST calls pull-request mode makes (picked from Octokit's rest.git / rest.pulls). */
export interface PullRequestModeClient {
  readonly rest: {
    readonly git: {
      createRef(params: { owner: string; repo: string; ref: string; sha: string }): Promise<unknown>;
    };
    readonly pulls: {
      create(params: {
        owner: string;
        repo: string;
        head: string;
        base: string;
        title: string;
        body: string;
      }): Promise<{ readonly data: { readonly number: number; readonly html_url: string } }>;
      list(params: {
        owner: string;
        repo: string;
        head: string;
        base: string;
        state: 'open';
        per_page: number;
      }): Promise<{ readonly data: readonly { readonly number: number; readonly html_url: string }[] }>;
    };
  };
}

export interface GitHubApiStoreOptions {
  readonly graphql: GraphqlFn;
  /** owner/name of the GitOps repository. */
  readonly repository: string;
  readonly branch: string;
  readonly mode: 'push' | 'pull-request';
  /** Required in pull-request mode. */
  readonly rest?: PullRequestModeClient;
  /** Commits per history page (GitHub's maximum is 100); the first page comes with the read. */
  readonly historyPage?: number;
}

const HISTORY_PAGE = 100;

export function githubApiStore(options: GitHubApiStoreOptions): GitOpsStore {
  const [owner, name] = splitRepository(options.repository);
  if (options.mode === 'pull-request' && options.rest === undefined) {
    throw new Error('githubApiStore: pull-request mode needs a REST client to create the branch and the PR');
  }
  // The first history page of each head read, so the usual question costs no extra request.
  const firstPages = new Map<string, HistoryPage>();
  return {
    read: async (paths) => {
      const { snapshot, page } = await readSnapshot(options, owner, name, paths);
      firstPages.clear();
      firstPages.set(snapshot.head, page);
      return snapshot;
    },
    history: (from, visit, historyOptions = {}) =>
      walkHistory(options, owner, name, from, visit, historyOptions.paths ?? [], firstPages.get(from)),
    commit: (snapshot, edits, message, at) =>
      options.mode === 'push'
        ? commitOnBranch(options, options.branch, snapshot.head, edits, message)
        : commitAsPullRequest(options, owner, name, snapshot, edits, message, at),
  };
}

export function splitRepository(repository: string): [string, string] {
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(repository);
  if (!match?.[1] || !match[2]) {
    throw new Error(`gitops.repository "${repository}" is not owner/name; write it as e.g. "acme/gitops"`);
  }
  return [match[1], match[2]];
}

/** The one read query: head, a history page and each file as an aliased Blob, all from the same branch. */
export function buildReadQuery(branch: string, paths: readonly string[]): string {
  const files = paths
    .map(
      (path, i) =>
        `    f${i}: object(expression: ${JSON.stringify(`${branch}:${path}`)}) { ... on Blob { text } }`,
    )
    .join('\n');
  return [
    'query RollgateRead($owner: String!, $name: String!, $ref: String!, $depth: Int!) {',
    '  repository(owner: $owner, name: $name) {',
    '    ref(qualifiedName: $ref) {',
    '      target { ... on Commit { oid history(first: $depth) { pageInfo { hasNextPage } nodes { oid committedDate message } } } }',
    '    }',
    ...(files ? [files] : []),
    '  }',
    '}',
  ].join('\n');
}

interface ReadResponse {
  readonly repository: {
    readonly ref: {
      readonly target: {
        readonly oid?: string;
        readonly history?: HistoryConnection;
      } | null;
    } | null;
    readonly [alias: string]: unknown;
  } | null;
}

interface HistoryConnection {
  readonly pageInfo?: { readonly hasNextPage: boolean };
  readonly nodes: readonly { oid: string; committedDate: string; message: string }[];
}

/** One page of history: its commits, and whether older ones follow. */
interface HistoryPage {
  readonly commits: readonly RawCommit[];
  readonly more: boolean;
}

function pageOf(connection: HistoryConnection | undefined): HistoryPage {
  return {
    commits: (connection?.nodes ?? []).map((n) => ({
      sha: n.oid,
      committedAt: new Date(n.committedDate),
      message: n.message,
    })),
    more: connection?.pageInfo?.hasNextPage ?? false,
  };
}

async function readSnapshot(
  options: GitHubApiStoreOptions,
  owner: string,
  name: string,
  paths: readonly string[],
): Promise<{ snapshot: GitOpsSnapshot; page: HistoryPage }> {
  const query = buildReadQuery(options.branch, paths);
  const unreachable = new Error(
    `GitOps repository ${options.repository} was not found or the token cannot read it; ` +
      'pass a gitops-token that can (a GitHub App installation token when it is in another organisation)',
  );
  let data: ReadResponse;
  try {
    data = (await options.graphql(query, {
      owner,
      name,
      ref: `refs/heads/${options.branch}`,
      depth: options.historyPage ?? HISTORY_PAGE,
    })) as ReadResponse;
  } catch (err) {
    if (err instanceof GraphqlError && err.errors.some((e) => e.type === 'NOT_FOUND')) throw unreachable;
    throw err;
  }
  const repo = data.repository;
  if (repo === null) throw unreachable;
  const target = repo.ref?.target;
  if (!target?.oid) {
    throw new Error(
      `GitOps branch "${options.branch}" does not exist in ${options.repository}; create it or set gitops.branch`,
    );
  }
  const files: Record<string, string | undefined> = {};
  paths.forEach((path, i) => {
    const blob = repo[`f${i}`] as { text?: string | null } | null | undefined;
    if (blob && typeof blob.text === 'string') files[path] = blob.text;
    else if (blob)
      throw new Error(
        `${options.repository}:${path} is binary or too large for the API to return as text; rollgate edits text manifests only: check the overlay path (environments.<name>.path)`,
      );
    else files[path] = undefined;
  });
  return { snapshot: { head: target.oid, files }, page: pageOf(target.history) };
}

/** Older history after a given commit: its own history minus itself. */
export const HISTORY_QUERY = `query RollgateHistory($owner: String!, $name: String!, $oid: GitObjectID!, $first: Int!, $path: String) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) { ... on Commit { history(first: $first, path: $path) { pageInfo { hasNextPage } nodes { oid committedDate message } } } }
  }
}`;

/**
 * Hands commits to `visit` newest first, page by page, until it says stop. A page continues from
 * the last commit of the one before (its own history, minus itself), so no cursor is kept.
 * GitHub's history is not first-parent only; for a GitOps branch without merges that is the same.
 */
async function walkHistory(
  options: GitHubApiStoreOptions,
  owner: string,
  name: string,
  from: string,
  visit: HistoryVisitor,
  paths: readonly string[],
  firstPage: HistoryPage | undefined,
): Promise<void> {
  if (paths.length > 1) {
    throw new Error('githubApiStore.history: pass at most one path (GitHub filters history by one path)');
  }
  const path = paths[0];
  const size = options.historyPage ?? HISTORY_PAGE;
  let page: HistoryPage | undefined = path === undefined ? firstPage : undefined;
  let start = from;
  let skipFirst = false;
  for (;;) {
    if (page === undefined) {
      const data = (await options.graphql(HISTORY_QUERY, {
        owner,
        name,
        oid: start,
        first: skipFirst ? size + 1 : size,
        ...(path === undefined ? {} : { path }),
      })) as { repository: { object: { history?: HistoryConnection } | null } | null };
      page = pageOf(data.repository?.object?.history);
    }
    const commits = skipFirst ? page.commits.filter((c) => c.sha !== start) : page.commits;
    for (const commit of commits) if (visit(commit) === 'stop') return;
    const last = commits[commits.length - 1];
    if (!page.more || last === undefined) return;
    start = last.sha;
    skipFirst = true;
    page = undefined;
  }
}

export const COMMIT_MUTATION = `mutation RollgateCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;

async function commitOnBranch(
  options: GitHubApiStoreOptions,
  branch: string,
  expectedHead: string,
  edits: readonly FileEdit[],
  message: string,
): Promise<CommitOutcome> {
  const newline = message.indexOf('\n');
  const headline = newline === -1 ? message : message.slice(0, newline);
  const body = newline === -1 ? '' : message.slice(newline + 1).replace(/^\n+/, '');
  const input = {
    branch: { repositoryNameWithOwner: options.repository, branchName: branch },
    expectedHeadOid: expectedHead,
    message: body ? { headline, body } : { headline },
    fileChanges: {
      additions: edits.map((e) => ({
        path: e.path,
        contents: Buffer.from(e.after, 'utf8').toString('base64'),
      })),
    },
  };
  try {
    const data = (await options.graphql(COMMIT_MUTATION, { input })) as {
      createCommitOnBranch: { commit: { oid: string; url: string } | null } | null;
    };
    const commit = data.createCommitOnBranch?.commit;
    if (!commit)
      throw new Error(`createCommitOnBranch on ${options.repository}@${branch} returned no commit`);
    return { kind: 'committed', sha: commit.oid, url: commit.url };
  } catch (err) {
    if (isStaleHead(err)) {
      return { kind: 'moved', detail: err instanceof Error ? err.message : String(err) };
    }
    throw err;
  }
}

/** GitHub's answer when expectedHeadOid is no longer the branch head. */
export function isStaleHead(err: unknown): boolean {
  if (!(err instanceof GraphqlError)) return false;
  return err.errors.some((e) => e.type === 'STALE_DATA' || /Expected branch to point to/i.test(e.message));
}

async function commitAsPullRequest(
  options: GitHubApiStoreOptions,
  owner: string,
  name: string,
  snapshot: GitOpsSnapshot,
  edits: readonly FileEdit[],
  message: string,
  at: Date,
): Promise<CommitOutcome> {
  const rest = options.rest as PullRequestModeClient;
  const headline = message.split('\n', 1)[0] ?? message;
  const branch = proposalBranch(headline, at);
  // GitHub may do a write and lose the answer (a 5xx; the client's retry then meets what the first
  // try did). Each step recognises its own earlier result before it reports an error: the branch at
  // the head it was made from, the run's own commit on it (Rollgate-Run), the PR from it.
  const run = parseTrailers(message)?.run;
  const ours = (tip: BranchTip | undefined) =>
    tip !== undefined && run !== undefined && parseTrailers(tip.message)?.run === run;
  const tipOf = () => branchTip(options, owner, name, branch).catch(() => undefined);
  try {
    await rest.rest.git.createRef({ owner, repo: name, ref: `refs/heads/${branch}`, sha: snapshot.head });
  } catch (err) {
    const tip = await tipOf();
    if (tip?.oid !== snapshot.head && !ours(tip)) throw err;
  }
  let sha: string;
  let outcome: CommitOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await commitOnBranch(options, branch, snapshot.head, edits, message);
  } catch (err) {
    failure = err;
  }
  if (outcome?.kind === 'committed') sha = outcome.sha;
  else {
    const tip = await tipOf();
    if (tip === undefined || !ours(tip)) {
      if (failure !== undefined) throw failure;
      // A fresh branch cannot have moved; if it did, someone else wrote to it, which is a real error.
      throw new Error(
        `proposal branch ${branch} moved while rollgate wrote it (someone else pushed to it); delete the branch and promote again`,
      );
    }
    sha = tip.oid;
  }
  let url: string;
  try {
    const pull = await rest.rest.pulls.create({
      owner,
      repo: name,
      head: branch,
      base: options.branch,
      title: headline,
      body: message.slice(headline.length).trim(),
    });
    url = pull.data.html_url;
  } catch (err) {
    const open = await rest.rest.pulls
      .list({
        owner,
        repo: name,
        head: `${owner}:${branch}`,
        base: options.branch,
        state: 'open',
        per_page: 1,
      })
      .catch(() => undefined);
    const found = open?.data[0];
    if (found === undefined) throw err;
    url = found.html_url;
  }
  return { kind: 'committed', sha, url };
}

interface BranchTip {
  readonly oid: string;
  readonly message: string;
}

/** The newest commit of a branch (its oid and message), or undefined when the branch does not exist. */
async function branchTip(
  options: GitHubApiStoreOptions,
  owner: string,
  name: string,
  branch: string,
): Promise<BranchTip | undefined> {
  const data = (await options.graphql(buildReadQuery(branch, []), {
    owner,
    name,
    ref: `refs/heads/${branch}`,
    depth: 1,
  })) as ReadResponse;
  const target = data.repository?.ref?.target;
  const top = target?.history?.nodes[0];
  if (!target?.oid || top === undefined) return undefined;
  return { oid: target.oid, message: top.message };
}

/** rollgate/promote-staging-checkout-20261123t140000z: readable, unique per promotion and second. */
export function proposalBranch(headline: string, at: Date): string {
  const slug = headline
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'z')
    .toLowerCase();
  return `rollgate/${slug || 'promotion'}-${stamp}`;
}

// The real client must fit the narrow type (checked by the compiler only).
export const restFitsRealClient = (client: GitHubClient): PullRequestModeClient => client;
