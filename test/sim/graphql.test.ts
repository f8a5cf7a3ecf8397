import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from './git-fixture.js';
import { startSimulator, type Simulator } from './index.js';

let sim: Simulator;
let repo: GitFixture;
let gh: Octokit;

const READ = `query read($owner: String!, $name: String!, $qualified: String!, $first: Int!, $f0: String!, $f1: String!, $f2: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $qualified) {
      target { ... on Commit { oid history(first: $first) { nodes { oid committedDate message } } } }
    }
    f0: object(expression: $f0) { ... on Blob { text } }
    f1: object(expression: $f1) { ... on Blob { text } }
    f2: object(expression: $f2) { ... on Blob { text } }
  }
}`;

const COMMIT = `mutation commit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;

interface ReadResult {
  repository: {
    ref: {
      target: { oid: string; history: { nodes: { oid: string; committedDate: string; message: string }[] } };
    } | null;
    f0: { text: string } | null;
    f1: { text: string } | null;
    f2: { text: string } | null;
  };
}

interface CommitResult {
  createCommitOnBranch: { commit: { oid: string; url: string } };
}

interface GitHubGraphqlErrorShape {
  type?: string;
  message: string;
}

async function errorsOf(p: Promise<unknown>): Promise<GitHubGraphqlErrorShape[]> {
  try {
    await p;
  } catch (e) {
    return (e as { errors?: GitHubGraphqlErrorShape[] }).errors ?? [];
  }
  throw new Error('expected the GraphQL request to fail');
}

function commitInput(expectedHeadOid: string, files: Record<string, string>, deletions: string[] = []) {
  return {
    input: {
      branch: { repositoryNameWithOwner: 'acme/gitops', branchName: 'main' },
      expectedHeadOid,
      message: { headline: 'promote web to 1.2.3', body: 'gates: freeze, bake' },
      fileChanges: {
        additions: Object.entries(files).map(([path, text]) => ({
          path,
          contents: Buffer.from(text).toString('base64'),
        })),
        deletions: deletions.map((path) => ({ path })),
      },
    },
  };
}

beforeAll(async () => {
  repo = await createGitFixture({
    'envs/staging/kustomization.yaml': 'images:\n  - name: web\n    newTag: 1.0.0 # pinned\n',
    'envs/prod/kustomization.yaml': 'images:\n  - name: web\n    newTag: 0.9.0\n',
    'old.txt': 'gone soon\n',
  });
  await repo.commit({ 'README.md': '# gitops\n' }, 'add readme');
  sim = await startSimulator();
  sim.addRepo('acme/gitops', { dir: repo.dir });
  sim.addToken('t-gitops', 'rollgate-app[bot]');
  gh = new Octokit({ auth: 't-gitops', baseUrl: sim.url });
});

afterAll(async () => {
  await sim.close();
  await repo.cleanup();
});

beforeEach(() => {
  sim.violations.length = 0;
});

describe('GraphQL against a real git repository', () => {
  it('reads branch history and several files in one query', async () => {
    const head = await repo.head();
    const data = await gh.graphql<ReadResult>(READ, {
      owner: 'acme',
      name: 'gitops',
      qualified: 'refs/heads/main',
      first: 5,
      f0: `${head}:envs/staging/kustomization.yaml`,
      f1: 'main:envs/prod/kustomization.yaml',
      f2: 'main:no/such/file.yaml',
    });
    expect(data.repository.ref?.target.oid).toBe(head);
    expect(data.repository.ref?.target.history.nodes.map((n) => n.message)).toEqual([
      'add readme',
      'initial',
    ]);
    expect(data.repository.ref?.target.history.nodes[0]?.committedDate).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    expect(data.repository.f0?.text).toBe('images:\n  - name: web\n    newTag: 1.0.0 # pinned\n');
    expect(data.repository.f1?.text).toContain('0.9.0');
    expect(data.repository.f2).toBeNull();
    expect(sim.violations).toEqual([]);
    expect(sim.requests.filter((r) => r.path === '/graphql').length).toBeGreaterThan(0);
  });

  it("answers a missing repository with GitHub's NOT_FOUND error", async () => {
    const err = {
      errors: await errorsOf(gh.graphql(`query { repository(owner: "acme", name: "nope") { id } }`)),
    };
    expect(err.errors).toEqual([
      expect.objectContaining({
        type: 'NOT_FOUND',
        message: "Could not resolve to a Repository with the name 'acme/nope'.",
      }),
    ]);
  });

  it('createCommitOnBranch commits additions and deletions to the branch', async () => {
    const before = await repo.head();
    const data = await gh.graphql<CommitResult>(
      COMMIT,
      commitInput(
        before,
        { 'envs/staging/kustomization.yaml': 'images:\n  - name: web\n    newTag: 1.2.3 # pinned\n' },
        ['old.txt'],
      ),
    );
    const oid = data.createCommitOnBranch.commit.oid;
    expect(await repo.head()).toBe(oid);
    expect(data.createCommitOnBranch.commit.url).toBe(`https://github.com/acme/gitops/commit/${oid}`);
    expect(await repo.show(oid, 'envs/staging/kustomization.yaml')).toBe(
      'images:\n  - name: web\n    newTag: 1.2.3 # pinned\n',
    );
    await expect(repo.show(oid, 'old.txt')).rejects.toThrow();
    expect(await repo.show(oid, 'envs/prod/kustomization.yaml')).toContain('0.9.0');
    expect(sim.state.apiCommits.at(-1)).toMatchObject({
      oid,
      parent: before,
      headline: 'promote web to 1.2.3',
      by: 'rollgate-app[bot]',
      triggersWorkflows: true,
    });
    expect(sim.violations).toEqual([]);
  });

  it("marks commits made with a workflow's GITHUB_TOKEN as triggering no workflows", async () => {
    const actions = new Octokit({ auth: 'an-unregistered-token', baseUrl: sim.url });
    const data = await actions.graphql<CommitResult>(
      COMMIT,
      commitInput(await repo.head(), { 'by-actions.txt': 'x\n' }),
    );
    expect(sim.state.apiCommits.find((c) => c.oid === data.createCommitOnBranch.commit.oid)).toMatchObject({
      by: 'github-actions[bot]',
      triggersWorkflows: false,
    });
  });

  it('refuses a stale expectedHeadOid with STALE_DATA and leaves the branch alone', async () => {
    const stale = await repo.head();
    const moved = await repo.commit({ 'other.txt': 'someone else\n' }, 'concurrent push');
    const err = {
      errors: await errorsOf(
        gh.graphql(COMMIT, commitInput(stale, { 'envs/prod/kustomization.yaml': 'x\n' })),
      ),
    };
    expect(err.errors).toEqual([
      expect.objectContaining({
        type: 'STALE_DATA',
        message: `Expected branch to point to "${stale}" but it did not. Pull and try again.`,
      }),
    ]);
    expect(await repo.head()).toBe(moved);
    expect(await repo.show(moved, 'envs/prod/kustomization.yaml')).toContain('0.9.0');
  });

  it('lets exactly one of two concurrent commits with the same expectedHeadOid win', async () => {
    const base = await repo.head();
    const results = await Promise.allSettled(
      [1, 2].map((n) => gh.graphql<CommitResult>(COMMIT, commitInput(base, { [`svc-${n}.txt`]: `${n}\n` }))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    const winner = won[0]?.status === 'fulfilled' ? won[0].value.createCommitOnBranch.commit.oid : '';
    expect(await repo.head()).toBe(winner);
    const loser =
      lost[0]?.status === 'rejected' ? (lost[0].reason as { errors?: { type: string }[] }) : undefined;
    expect(loser?.errors?.[0]?.type).toBe('STALE_DATA');
    // The winner's parent is the shared base: the loser's change is nowhere on the branch.
    const parent = sim.state.apiCommits.find((c) => c.oid === winner)?.parent;
    expect(parent).toBe(base);
  });

  it('refuses a missing branch with NOT_FOUND', async () => {
    const err = {
      errors: await errorsOf(
        gh.graphql(COMMIT, {
          input: {
            ...commitInput(await repo.head(), {}).input,
            branch: { repositoryNameWithOwner: 'acme/gitops', branchName: 'nope' },
          },
        }),
      ),
    };
    expect(err.errors?.[0]?.type).toBe('NOT_FOUND');
  });
});

describe("GraphQL validation against GitHub's schema", () => {
  it('rejects a field that does not exist and records a violation', async () => {
    const err = {
      errors: await errorsOf(
        gh.graphql(
          `query { repository(owner: "acme", name: "gitops") { defaultBranchRef { name headSha } } }`,
        ),
      ),
    };
    expect(err.errors?.[0]?.message).toBe('Cannot query field "headSha" on type "Ref".');
    expect(sim.violations).toEqual(['GraphQL: Cannot query field "headSha" on type "Ref".']);
  });

  it('rejects a mutation input that does not fit CreateCommitOnBranchInput', async () => {
    await expect(
      gh.graphql(COMMIT, { input: { branch: { branchName: 'main' }, message: { headline: 'x' } } }),
    ).rejects.toThrow(/expectedHeadOid/);
    expect(sim.violations.join('\n')).toMatch(/expectedHeadOid/);
  });

  it('records a schema field the simulator does not implement instead of answering null', async () => {
    await expect(
      gh.graphql(`query { repository(owner: "acme", name: "gitops") { stargazerCount } }`),
    ).rejects.toThrow(
      /Repository\.stargazerCount exists in GitHub's schema but the simulator does not implement it/,
    );
    expect(sim.violations).toEqual([
      expect.stringMatching(
        /simulator error at repository\.stargazerCount: Repository\.stargazerCount exists/,
      ),
    ]);
  });
});
