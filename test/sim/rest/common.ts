// Shared pieces of the REST handlers: the context a handler gets, error replies in GitHub's shape,
// and builders for the objects GitHub nests everywhere (users, repositories).
import type { OpenApi } from '../openapi.js';
import { findRepo, userId, type SimRepo, type SimState } from '../state.js';
import { synth } from '../synth.js';

export const WEB = 'https://github.com';

export interface RestCtx {
  state: SimState;
  api: OpenApi;
  /** The simulator's API root, e.g. http://127.0.0.1:PORT (or .../api/v3 for an Enterprise-style client). */
  apiUrl: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Login of the user the request's token authenticates as. */
  actor: string;
  accept: string;
}

export interface RestReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is (raw media type); not validated against a JSON schema. */
  raw?: Buffer;
}

export type Handler = (ctx: RestCtx) => Promise<RestReply>;

export function notFound(doc = 'https://docs.github.com/rest'): RestReply {
  return { status: 404, body: { message: 'Not Found', documentation_url: doc, status: '404' } };
}

export function unprocessable(
  message: string,
  errors: { resource: string; field?: string; code: string }[] = [],
): RestReply {
  return {
    status: 422,
    body: { message, errors, documentation_url: 'https://docs.github.com/rest', status: '422' },
  };
}

export function repoOf(ctx: RestCtx): SimRepo | undefined {
  const { owner, repo } = ctx.params;
  return owner && repo ? findRepo(ctx.state, owner, repo) : undefined;
}

export function bodyOf(ctx: RestCtx): Record<string, unknown> {
  const b = ctx.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function userObject(ctx: RestCtx, login: string): Record<string, unknown> {
  const bot = login.endsWith('[bot]');
  return synth(ctx.api, 'simple-user', {
    login,
    id: userId(login),
    node_id: `U_${userId(login)}`,
    type: bot ? 'Bot' : 'User',
    url: `${ctx.apiUrl}/users/${encodeURIComponent(login)}`,
    html_url: `${WEB}/${encodeURIComponent(login)}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${userId(login)}`,
  }) as Record<string, unknown>;
}

/** Fields every repository shape shares; `schema` picks which GitHub shape to fill. */
export function repoObject(ctx: RestCtx, repo: SimRepo, schema: string): Record<string, unknown> {
  const parent = repo.parent
    ? findRepo(ctx.state, ...(repo.parent.split('/') as [string, string]))
    : undefined;
  return synth(ctx.api, schema, {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: repo.fullName,
    owner: userObject(ctx, repo.owner),
    private: repo.private,
    fork: repo.fork,
    default_branch: repo.defaultBranch,
    visibility: repo.private ? 'private' : 'public',
    url: `${ctx.apiUrl}/repos/${repo.fullName}`,
    html_url: `${WEB}/${repo.fullName}`,
    clone_url: `${WEB}/${repo.fullName}.git`,
    ...(schema === 'full-repository' && parent
      ? { parent: repoObject(ctx, parent, 'repository'), source: repoObject(ctx, parent, 'repository') }
      : {}),
  }) as Record<string, unknown>;
}

/** Slices a list like GitHub does (per_page default 30, max 100) and adds a Link header. */
export function paginate<T>(
  ctx: RestCtx,
  items: T[],
  path: string,
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Number(ctx.query.get('per_page') ?? '30') || 30, 100);
  const page = Math.max(Number(ctx.query.get('page') ?? '1') || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const links: string[] = [];
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(ctx.query);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    return `<${ctx.apiUrl}${path}?${q.toString()}>; rel="${rel}"`;
  };
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
  };
}
