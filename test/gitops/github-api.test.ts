import { validate } from '@octokit/graphql-schema';
import { describe, expect, it } from 'vitest';
import { historyFromCommits } from '../../src/core/trailers.js';
import { GraphqlError, type GraphqlFn } from '../../src/github/graphql.js';
import {
  buildReadQuery,
  COMMIT_MUTATION,
  HISTORY_QUERY,
  githubApiStore,
  proposalBranch,
  type PullRequestModeClient,
  type RawCommit,
} from '../../src/gitops/github-api.js';

// A branch in memory with GitHub's compare-and-swap: just enough GraphQL to answer the two
// documents the store sends, after checking them against GitHub's real schema.
function fakeGitHub(initial: Record<string, string>) {
  const branches = new Map<string, { head: string; files: Record<string, string>; log: RawCommit[] }>();
  branches.set('main', {
    head: 'c0',
    files: { ...initial },
    log: [{ sha: 'c0', committedAt: new Date(0), message: 'init' }],
  });
  let counter = 0;
  const calls: string[] = [];
  const graphql: GraphqlFn = async (query, variables) => {
    const errors = validate(query);
    if (errors.length > 0) throw new Error(`invalid GraphQL: ${errors.map((e) => e.message).join('; ')}`);
    calls.push(
      query.startsWith('mutation') ? 'commit' : query.includes('RollgateHistory') ? 'history' : 'read',
    );
    const page = (log: RawCommit[], first: number) => ({
      pageInfo: { hasNextPage: log.length > first },
      nodes: log.slice(0, first).map((c) => ({
        oid: c.sha,
        committedDate: c.committedAt.toISOString(),
        message: c.message,
      })),
    });
    if (query.includes('RollgateHistory')) {
      const log = [...branches.values()].flatMap((b) => b.log);
      const from = log.findIndex((c) => c.sha === variables['oid']);
      return { repository: { object: { history: page(log.slice(from), Number(variables['first'])) } } };
    }
    if (query.startsWith('query')) {
      const ref = String(variables['ref']).replace('refs/heads/', '');
      const b = branches.get(ref);
      const repository: Record<string, unknown> = {
        ref: b
          ? {
              target: { oid: b.head, history: page(b.log, Number(variables['depth'])) },
            }
          : null,
      };
      for (const m of query.matchAll(/(f\d+): object\(expression: "([^"]+)"\)/g)) {
        const [branchName, path] = (m[2] ?? '').split(':') as [string, string];
        const text = branches.get(branchName)?.files[path];
        repository[m[1] ?? ''] = text === undefined ? null : { text };
      }
      return { repository };
    }
    const input = variables['input'] as {
      branch: { branchName: string };
      expectedHeadOid: string;
      message: { headline: string; body?: string };
      fileChanges: { additions: { path: string; contents: string }[] };
    };
    const b = branches.get(input.branch.branchName);
    if (!b) throw new GraphqlError([{ type: 'NOT_FOUND', message: 'branch not found' }]);
    if (b.head !== input.expectedHeadOid) {
      throw new GraphqlError([
        {
          type: 'STALE_DATA',
          message: `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
        },
      ]);
    }
    for (const a of input.fileChanges.additions)
      b.files[a.path] = Buffer.from(a.contents, 'base64').toString('utf8');
    b.head = `c${++counter}`;
    b.log.unshift({
      sha: b.head,
      committedAt: new Date(counter * 1000),
      message: [input.message.headline, input.message.body].filter(Boolean).join('\n\n'),
    });
    return {
      createCommitOnBranch: {
        commit: { oid: b.head, url: `https://github.com/acme/gitops/commit/${b.head}` },
      },
    };
  };
  return { branches, graphql, calls };
}

const edit = (path: string, before: string, after: string) => ({ path, before, after, descriptions: [] });

describe('githubApiStore', () => {
  it("the read query and the commit mutation are valid against GitHub's schema", () => {
    expect(validate(buildReadQuery('main', ['a/kustomization.yaml', 'b "quoted"/k.yaml']))).toEqual([]);
    expect(validate(buildReadQuery('main', []))).toEqual([]);
    expect(validate(COMMIT_MUTATION)).toEqual([]);
  });

  it('reads head, files (absent ones undefined) and history in one query', async () => {
    const gh = fakeGitHub({ 'apps/checkout/overlays/dev/kustomization.yaml': 'images: []\n' });
    const store = githubApiStore({
      graphql: gh.graphql,
      repository: 'acme/gitops',
      branch: 'main',
      mode: 'push',
    });
    const snap = await store.read([
      'apps/checkout/overlays/dev/kustomization.yaml',
      'apps/cart/overlays/dev/kustomization.yaml',
    ]);
    expect(snap.head).toBe('c0');
    expect(snap.files).toEqual({
      'apps/checkout/overlays/dev/kustomization.yaml': 'images: []\n',
      'apps/cart/overlays/dev/kustomization.yaml': undefined,
    });
    expect(gh.calls).toEqual(['read']);
  });

  it('commits every edit in one mutation and reads its trailers back as history', async () => {
    const gh = fakeGitHub({ 'a.yaml': 'x: 1\n', 'b.yaml': 'y: 1\n' });
    const store = githubApiStore({
      graphql: gh.graphql,
      repository: 'acme/gitops',
      branch: 'main',
      mode: 'push',
    });
    const snap = await store.read(['a.yaml', 'b.yaml']);
    const outcome = await store.commit(
      snap,
      [edit('a.yaml', 'x: 1\n', 'x: 2\n'), edit('b.yaml', 'y: 1\n', 'y: 2 # ünïcode\n')],
      'Promote checkout to dev\n\nRollgate-Environment: dev\nRollgate-Service: checkout\nRollgate-Version: 1',
      new Date(),
    );
    expect(outcome).toEqual({
      kind: 'committed',
      sha: 'c1',
      url: 'https://github.com/acme/gitops/commit/c1',
    });
    expect(gh.branches.get('main')?.files).toEqual({ 'a.yaml': 'x: 2\n', 'b.yaml': 'y: 2 # ünïcode\n' });
    const again = await store.read(['a.yaml']);
    const seen: RawCommit[] = [];
    await store.history(again.head, (c) => (seen.push(c), 'more'));
    expect(seen.map((c) => c.sha)).toEqual(['c1', 'c0']);
    expect(historyFromCommits(seen).map((h) => [h.sha, h.environment])).toEqual([['c1', 'dev']]);
    // The first page came with the read: walking it costs no request.
    expect(gh.calls).toEqual(['read', 'commit', 'read']);
  });

  it('reads older history page by page only while the visitor asks for more', async () => {
    const gh = fakeGitHub({ 'a.yaml': 'x: 0\n' });
    const store = githubApiStore({
      graphql: gh.graphql,
      repository: 'acme/gitops',
      branch: 'main',
      mode: 'push',
      historyPage: 3,
    });
    for (let i = 1; i <= 10; i++) {
      const snap = await store.read(['a.yaml']);
      await store.commit(snap, [edit('a.yaml', '', `x: ${i}\n`)], `commit ${i}`, new Date());
    }
    const snap = await store.read(['a.yaml']);
    gh.calls.length = 0;
    const all: string[] = [];
    await store.history(snap.head, (c) => (all.push(c.sha), 'more'));
    expect(all).toEqual(['c10', 'c9', 'c8', 'c7', 'c6', 'c5', 'c4', 'c3', 'c2', 'c1', 'c0']);
    expect(gh.calls).toEqual(['history', 'history', 'history']);
    gh.calls.length = 0;
    const some: string[] = [];
    await store.history(snap.head, (c) => (some.push(c.sha), c.sha === 'c8' ? 'stop' : 'more'));
    expect(some).toEqual(['c10', 'c9', 'c8']);
    expect(gh.calls).toEqual([]);
  });

  it("the history query is valid against GitHub's schema", () => {
    expect(validate(HISTORY_QUERY)).toEqual([]);
  });

  it('reports a branch that moved since the read, and writes nothing', async () => {
    const gh = fakeGitHub({ 'a.yaml': 'x: 1\n' });
    const store = githubApiStore({
      graphql: gh.graphql,
      repository: 'acme/gitops',
      branch: 'main',
      mode: 'push',
    });
    const snap = await store.read(['a.yaml']);
    const first = await store.commit(snap, [edit('a.yaml', 'x: 1\n', 'x: 2\n')], 'one', new Date());
    expect(first.kind).toBe('committed');
    const second = await store.commit(snap, [edit('a.yaml', 'x: 1\n', 'x: 3\n')], 'two', new Date());
    expect(second.kind).toBe('moved');
    expect(gh.branches.get('main')?.files['a.yaml']).toBe('x: 2\n');
  });

  it('other GraphQL errors are thrown, not mistaken for a moved branch', async () => {
    const gh = fakeGitHub({});
    const store = githubApiStore({
      graphql: gh.graphql,
      repository: 'acme/gitops',
      branch: 'nope',
      mode: 'push',
    });
    await expect(store.read([])).rejects.toThrow(/GitOps branch "nope" does not exist in acme\/gitops/);
    await expect(store.commit({ head: 'c0', files: {} }, [], 'x', new Date())).rejects.toThrow(/NOT_FOUND/);
  });

  it('pull-request mode: the same commit on a fresh branch from the head, and a PR into the GitOps branch', async () => {
    const gh = fakeGitHub({ 'a.yaml': 'x: 1\n' });
    const pulls: { head: string; base: string; title: string }[] = [];
    const rest: PullRequestModeClient = {
      rest: {
        git: {
          createRef: async ({ ref, sha }) => {
            const source = [...gh.branches.values()].find((b) => b.head === sha);
            if (!source) throw new Error(`no commit ${sha}`);
            gh.branches.set(ref.replace('refs/heads/', ''), {
              head: sha,
              files: { ...source.files },
              log: [...source.log],
            });
          },
        },
        pulls: {
          create: async (p) => {
            pulls.push({ head: p.head, base: p.base, title: p.title });
            return { data: { number: 7, html_url: 'https://github.com/acme/gitops/pull/7' } };
          },
          list: async () => ({ data: [] }),
        },
      },
    };
    const store = githubApiStore({
      graphql: gh.graphql,
      repository: 'acme/gitops',
      branch: 'main',
      mode: 'pull-request',
      rest,
    });
    const snap = await store.read(['a.yaml']);
    const at = new Date('2026-11-23T14:00:00.123Z');
    const outcome = await store.commit(
      snap,
      [edit('a.yaml', 'x: 1\n', 'x: 2\n')],
      'Promote checkout to staging\n\nbody',
      at,
    );
    const branch = 'rollgate/promote-checkout-to-staging-20261123t140000z';
    expect(outcome).toEqual({ kind: 'committed', sha: 'c1', url: 'https://github.com/acme/gitops/pull/7' });
    expect(pulls).toEqual([{ head: branch, base: 'main', title: 'Promote checkout to staging' }]);
    expect(gh.branches.get('main')?.files['a.yaml']).toBe('x: 1\n');
    expect(gh.branches.get(branch)?.files['a.yaml']).toBe('x: 2\n');
  });

  it('proposal branch names are valid git refs', () => {
    expect(proposalBranch('Promote a, b & c → production!', new Date('2026-01-02T03:04:05Z'))).toBe(
      'rollgate/promote-a-b-c-production-20260102t030405z',
    );
  });

  it('refuses a repository that is not owner/name', () => {
    const gh = fakeGitHub({});
    expect(() =>
      githubApiStore({
        graphql: gh.graphql,
        repository: 'gitops',
        branch: 'main',
        mode: 'push',
      }),
    ).toThrow(/gitops.repository "gitops" is not owner\/name/);
  });
});
