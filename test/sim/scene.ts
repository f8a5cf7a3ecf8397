// Scene-setting helpers for tests: they only write SimState (and read the git repos to fill in
// SHAs), so a test can describe "alice may write, bob opened PR #1 from a fork" in a few lines.
import { existsSync } from 'node:fs';
import { branchHead } from './git.js';
import {
  findRepo,
  isoNow,
  newId,
  type Permission,
  type ReactionContent,
  type SimActivity,
  type SimReaction,
  type ReviewState,
  type SimComment,
  type SimPull,
  type SimRepo,
  type SimReview,
  type SimState,
} from './state.js';

export interface AddPullInput {
  number?: number;
  title?: string;
  body?: string | null;
  user: string;
  /** `repo` defaults to the base repository; a different full name makes the PR come from a fork. */
  head: { ref: string; sha?: string; repo?: string };
  base?: { ref?: string; sha?: string };
  labels?: string[];
  draft?: boolean;
  state?: 'open' | 'closed';
}

export interface SceneHelpers {
  addRepo(
    fullName: string,
    opts: { dir: string; defaultBranch?: string; fork?: boolean; parent?: string; private?: boolean },
  ): void;
  addPull(repo: string, input: AddPullInput): Promise<SimPull>;
  addComment(repo: string, issueNumber: number, user: string, body: string): SimComment;
  /**
   * Records a push of `sha` to `repo`'s branch `ref` by `actor` at the simulator's clock (or `at`),
   * as the activity API lists it, and moves the head of every open pull request from that branch.
   */
  push(repo: string, ref: string, sha: string, opts?: { actor?: string; at?: Date }): SimActivity;
  /** Adds a reaction by `user` on a comment, as if they clicked it. */
  addReaction(repo: string, commentId: number, user: string, content: ReactionContent): SimReaction;
  addReview(repo: string, pullNumber: number, user: string, state: ReviewState, commitId?: string): SimReview;
  setPermission(repo: string, login: string, permission: Permission): void;
  addTeamMember(org: string, teamSlug: string, login: string, role?: 'member' | 'maintainer'): void;
  /**
   * Makes `token` authenticate as `login`; with `repos`, the token reaches only those repositories
   * (others answer 404 / NOT_FOUND), like an installation token scoped to some repositories;
   * `push: false` is a token without push access (GraphQL then refuses it the collaborators).
   */
  addToken(token: string, login: string, opts?: { repos?: string[]; push?: boolean }): void;
}

export function sceneHelpers(state: SimState): SceneHelpers {
  const repoOrThrow = (fullName: string): SimRepo => {
    const [owner = '', name = ''] = fullName.split('/');
    const repo = findRepo(state, owner, name);
    if (!repo) {
      throw new Error(
        `simulator: repository ${fullName} is not known; call addRepo("${fullName}", { dir }) first`,
      );
    }
    return repo;
  };
  return {
    addRepo(fullName, o) {
      const [owner, name, extra] = fullName.split('/');
      if (!owner || !name || extra !== undefined) {
        throw new Error(`simulator.addRepo: "${fullName}" is not an owner/name full name`);
      }
      if (!existsSync(o.dir)) throw new Error(`simulator.addRepo: git directory ${o.dir} does not exist`);
      if (findRepo(state, owner, name)) throw new Error(`simulator.addRepo: ${fullName} was already added`);
      state.repos.push({
        id: newId(state),
        owner,
        name,
        fullName,
        dir: o.dir,
        defaultBranch: o.defaultBranch ?? 'main',
        fork: o.fork ?? false,
        ...(o.parent ? { parent: o.parent } : {}),
        private: o.private ?? false,
      });
    },
    async addPull(repoName, input) {
      const repo = repoOrThrow(repoName);
      const headRepoName = input.head.repo ?? repo.fullName;
      const [ho = '', hn = ''] = headRepoName.split('/');
      const headRepo = findRepo(state, ho, hn) ?? repo;
      const headSha = input.head.sha ?? (await branchHead(headRepo.dir, input.head.ref));
      if (!headSha) {
        throw new Error(
          `simulator.addPull: branch ${input.head.ref} does not exist in ${headRepo.dir}; pass head.sha or create the branch`,
        );
      }
      const baseRef = input.base?.ref ?? repo.defaultBranch;
      const baseSha = input.base?.sha ?? (await branchHead(repo.dir, baseRef)) ?? headSha;
      const used = state.pulls.filter((p) => p.repo === repo.fullName).map((p) => p.number);
      const now = isoNow(state);
      const pr: SimPull = {
        id: newId(state),
        repo: repo.fullName,
        number: input.number ?? Math.max(0, ...used) + 1,
        title: input.title ?? `Change ${input.head.ref}`,
        body: input.body ?? null,
        state: input.state ?? 'open',
        merged: false,
        draft: input.draft ?? false,
        user: input.user,
        head: { ref: input.head.ref, sha: headSha, repo: headRepoName },
        base: { ref: baseRef, sha: baseSha },
        labels: input.labels ?? [],
        createdAt: now,
        updatedAt: now,
      };
      state.pulls.push(pr);
      // A branch of the base repository leaves a trace in its activity; a fork's push does not.
      if (headRepoName.toLowerCase() === repo.fullName.toLowerCase()) {
        state.activities.push({
          id: newId(state),
          repo: repo.fullName,
          ref: `refs/heads/${input.head.ref}`,
          before: baseSha,
          after: headSha,
          activityType: 'push',
          actor: input.user,
          timestamp: now,
        });
      }
      return pr;
    },
    push(repoName, ref, sha, o) {
      const repo = repoOrThrow(repoName);
      const fullRef = ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
      const branch = fullRef.replace(/^refs\/heads\//, '');
      const previous = [...state.activities]
        .reverse()
        .find((a) => a.repo === repo.fullName && a.ref === fullRef);
      const a: SimActivity = {
        id: newId(state),
        repo: repo.fullName,
        ref: fullRef,
        before: previous?.after ?? '0'.repeat(40),
        after: sha,
        activityType: 'push',
        actor: o?.actor ?? state.defaultActor,
        timestamp: (o?.at ?? state.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
      state.activities.push(a);
      for (const pr of state.pulls) {
        if (pr.repo === repo.fullName && pr.head.repo === repo.fullName && pr.head.ref === branch) {
          pr.head.sha = sha;
        }
      }
      return a;
    },
    addReaction(repoName, commentId, user, content) {
      const repo = repoOrThrow(repoName);
      const r: SimReaction = {
        id: newId(state),
        repo: repo.fullName,
        commentId,
        user,
        content,
        createdAt: isoNow(state),
      };
      state.reactions.push(r);
      return r;
    },
    addComment(repoName, issueNumber, user, text) {
      const repo = repoOrThrow(repoName);
      const now = isoNow(state);
      const c: SimComment = {
        id: newId(state),
        repo: repo.fullName,
        issueNumber,
        user,
        body: text,
        createdAt: now,
        updatedAt: now,
      };
      state.comments.push(c);
      return c;
    },
    addReview(repoName, pullNumber, user, reviewState, commitId) {
      const repo = repoOrThrow(repoName);
      const pr = state.pulls.find((p) => p.repo === repo.fullName && p.number === pullNumber);
      if (!pr)
        throw new Error(
          `simulator.addReview: ${repoName} has no pull request #${pullNumber}; call addPull first`,
        );
      const r: SimReview = {
        id: newId(state),
        repo: repo.fullName,
        pullNumber,
        user,
        state: reviewState,
        body: '',
        commitId: commitId ?? pr.head.sha,
        submittedAt: isoNow(state),
      };
      state.reviews.push(r);
      return r;
    },
    setPermission(repoName, login, permission) {
      const repo = repoOrThrow(repoName);
      (state.permissions[repo.fullName] ??= {})[login] = permission;
    },
    addTeamMember(org, teamSlug, login, role = 'member') {
      (state.teams[`${org}/${teamSlug}`] ??= {})[login] = role;
    },
    addToken(token, login, o) {
      state.tokens[token] = login;
      if (o?.repos) state.tokenRepos[token] = [...o.repos];
      if (o?.push === false) state.tokensWithoutPush.push(token);
    },
  };
}
