import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Everything the runner hands the Action from outside: environment variables and the event
// payload. This is the one file that casts outside data; each shape is checked where it enters.

// A type alias, not an interface: Octokit's parameters need an implicit index signature.
export type Repo = { readonly owner: string; readonly repo: string };

export interface ActionContext {
  readonly eventName: string;
  readonly payload: unknown;
  readonly repository: Repo;
  /** https://github.com or the GHES host: for links. */
  readonly serverUrl: string;
  readonly runUrl: string;
  /** This invocation (GITHUB_RUN_ID, `.N` from the second attempt, and a nonce): the Rollgate-Run trailer. */
  readonly runId: string;
  /** The commit the workflow runs on (workflow_dispatch, push, schedule). */
  readonly sha: string;
  readonly actor: string;
  readonly env: NodeJS.ProcessEnv;
}

export function readContext(env: NodeJS.ProcessEnv): ActionContext {
  const eventName = required(env, 'GITHUB_EVENT_NAME');
  const [owner, repo] = required(env, 'GITHUB_REPOSITORY').split('/');
  if (!owner || !repo)
    throw new Error(`GITHUB_REPOSITORY is "${env['GITHUB_REPOSITORY']}"; expected owner/name`);
  const eventPath = env['GITHUB_EVENT_PATH'];
  let payload: unknown = {};
  if (eventPath) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as unknown;
    } catch (err) {
      throw new Error(
        `cannot read the event payload at GITHUB_EVENT_PATH=${eventPath}: ${(err as Error).message}`,
      );
    }
  }
  const serverUrl = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '');
  return {
    eventName,
    payload,
    repository: { owner, repo },
    serverUrl,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${env['GITHUB_RUN_ID'] ?? '0'}`,
    runId: runIdOf(env),
    sha: env['GITHUB_SHA'] ?? '',
    actor: env['GITHUB_ACTOR'] ?? 'unknown',
    env,
  };
}

/**
 * GITHUB_RUN_ID (with `.N` from the second attempt) plus a nonce of this invocation: the jobs of a
 * matrix, and two rollgate steps of one job, share the run id, and a run must never take another's
 * commit for its own (that would report success for an edit that was lost).
 */
function runIdOf(env: NodeJS.ProcessEnv): string {
  const id = env['GITHUB_RUN_ID'] || '0';
  const attempt = env['GITHUB_RUN_ATTEMPT'];
  const nonce = randomUUID().slice(0, 8);
  return `${attempt && attempt !== '1' ? `${id}.${attempt}` : id}:${nonce}`;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set; rollgate runs as a GitHub Action step (uses: ...)`);
  return value;
}

// ---- payload guards ----

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Json, key: string): string | undefined =>
  typeof o[key] === 'string' ? (o[key] as string) : undefined;
const num = (o: Json, key: string): number | undefined =>
  typeof o[key] === 'number' ? (o[key] as number) : undefined;
const obj = (o: Json, key: string): Json | undefined => (isObject(o[key]) ? (o[key] as Json) : undefined);

export interface CommentEvent {
  readonly action: string;
  readonly commentId: number;
  readonly body: string;
  readonly author: string;
  readonly authorType: string;
  /** When GitHub says the comment was written (ISO 8601); '' when the payload lacks it. */
  readonly createdAt: string;
  readonly issueNumber: number;
  readonly isPullRequest: boolean;
  readonly issueUrl: string;
}

export function asCommentEvent(payload: unknown): CommentEvent | undefined {
  if (!isObject(payload)) return undefined;
  const comment = obj(payload, 'comment');
  const issue = obj(payload, 'issue');
  const user = comment && obj(comment, 'user');
  if (!comment || !issue || !user) return undefined;
  const commentId = num(comment, 'id');
  const issueNumber = num(issue, 'number');
  const author = str(user, 'login');
  if (commentId === undefined || issueNumber === undefined || author === undefined) return undefined;
  return {
    action: str(payload, 'action') ?? '',
    commentId,
    body: str(comment, 'body') ?? '',
    author,
    authorType: str(user, 'type') ?? 'User',
    createdAt: str(comment, 'created_at') ?? '',
    issueNumber,
    isPullRequest: obj(issue, 'pull_request') !== undefined,
    issueUrl: str(issue, 'html_url') ?? '',
  };
}

export interface PullRequestEvent {
  readonly action: string;
  readonly number: number;
  readonly headSha: string;
  readonly htmlUrl: string;
}

export function asPullRequestEvent(payload: unknown): PullRequestEvent | undefined {
  if (!isObject(payload)) return undefined;
  const pull = obj(payload, 'pull_request');
  const head = pull && obj(pull, 'head');
  if (!pull || !head) return undefined;
  const number = num(pull, 'number');
  const headSha = str(head, 'sha');
  if (number === undefined || headSha === undefined) return undefined;
  return { action: str(payload, 'action') ?? '', number, headSha, htmlUrl: str(pull, 'html_url') ?? '' };
}

export interface ListedComment {
  readonly id: number;
  readonly body: string;
  readonly author: string;
}

export function asListedComments(data: unknown): ListedComment[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((c: unknown) => {
    if (!isObject(c)) return [];
    const id = num(c, 'id');
    const user = obj(c, 'user');
    if (id === undefined) return [];
    return [{ id, body: str(c, 'body') ?? '', author: (user && str(user, 'login')) ?? '' }];
  });
}

/** One entry of GET /repos/{owner}/{repo}/activity: a ref moved from `before` to `after` at `timestamp`. */
export interface ListedActivity {
  readonly after: string;
  readonly ref: string;
  readonly activityType: string;
  readonly timestamp: string;
}

export function asActivities(data: unknown): ListedActivity[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((a: unknown) => {
    if (!isObject(a)) return [];
    const after = str(a, 'after');
    const ref = str(a, 'ref');
    const activityType = str(a, 'activity_type');
    const timestamp = str(a, 'timestamp');
    if (!after || !ref || !activityType || !timestamp) return [];
    return [{ after, ref, activityType, timestamp }];
  });
}

/** One reaction on a comment: who and which. */
export interface ListedReaction {
  readonly user: string;
  readonly content: string;
}

export function asReactions(data: unknown): ListedReaction[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((r: unknown) => {
    if (!isObject(r)) return [];
    const user = obj(r, 'user');
    const login = user && str(user, 'login');
    const content = str(r, 'content');
    return login && content ? [{ user: login, content }] : [];
  });
}

/**
 * The time of the commit a `push` event delivers (`head_commit.timestamp`), when it is the commit
 * the run promotes: the Rollgate-Source-Time of the promotion, with no extra request.
 */
export function pushedCommitTime(payload: unknown, sha: string): string | undefined {
  if (!isObject(payload)) return undefined;
  const head = obj(payload, 'head_commit');
  if (!head || str(head, 'id') !== sha) return undefined;
  const timestamp = str(head, 'timestamp');
  const ms = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
