// Loopback GitHub API simulator for acceptance tests: a node:http server on 127.0.0.1 with typed
// in-memory state (state.ts), REST routes checked against GitHub's OpenAPI description
// (openapi.ts), GraphQL checked against GitHub's schema and executed on a real git repository
// (graphql.ts), injected faults (faults.ts), and a log of every request. Anything it does not
// recognise is a loud 500 plus an entry in `violations`, which tests assert is empty.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Kind, parse } from 'graphql';
import { faultResponse, matches, takeFault, type Fault, type PendingFault } from './faults.js';
import { handleGraphql } from './graphql.js';
import { loadOpenApi } from './openapi.js';
import { ROUTES } from './rest/routes.js';
import type { RestReply } from './rest/common.js';
import { sceneHelpers, type SceneHelpers } from './scene.js';
import { createState, tokenReaches, type SimState } from './state.js';

export type { Fault } from './faults.js';
export type { AddPullInput, SceneHelpers } from './scene.js';
export type * from './state.js';

export interface SimRequest {
  method: string;
  /** Path and query string as sent (with any /api/v3 prefix removed). */
  path: string;
  status: number;
  body?: unknown;
  /** The token the request carried, if any. */
  token?: string;
  /** True when an injected fault answered it. */
  fault?: boolean;
  /** REST operationId (e.g. "repos/get-content") or "graphql:<root fields>" (e.g. "graphql:createCommitOnBranch"). */
  operation?: string;
}

/** Runs before a matching request is handled (after it is logged as arriving), e.g. to move a branch. */
export type Hook = (req: { method: string; path: string; body?: unknown }) => void | Promise<void>;

export interface Simulator extends SceneHelpers {
  url: string;
  state: SimState;
  requests: SimRequest[];
  inject(fault: Fault): void;
  /**
   * Runs `hook` just before the next `times` (default 1) requests matching `match` are handled:
   * the way to make something happen "between two calls" (a push to the PR, a concurrent commit).
   */
  before(match: Fault['match'], hook: Hook, times?: number): void;
  /** Faults not yet used up. */
  pendingFaults(): readonly PendingFault[];
  violations: string[];
  close(): Promise<void>;
}

const RATE_LIMIT = 5000;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Root field names of a GraphQL document, for the request log ("repository", "createCommitOnBranch"). */
function graphqlRootFields(query: string): string {
  try {
    const doc = parse(query);
    const names = doc.definitions.flatMap((d) =>
      d.kind === Kind.OPERATION_DEFINITION
        ? d.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))
        : [],
    );
    return names.join(',');
  } catch {
    return 'unparsable';
  }
}

function tokenOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^(?:token|bearer)\s+(.+)$/i.exec(h) : null;
  return m?.[1];
}

export async function startSimulator(opts: { port?: number } = {}): Promise<Simulator> {
  const api = loadOpenApi();
  const state = createState();
  const requests: SimRequest[] = [];
  const violations: string[] = [];
  const faults: PendingFault[] = [];
  const hooks: { match: Fault['match']; hook: Hook; remaining: number }[] = [];
  const used = new Map<string, number>();
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  let url = '';

  const rateHeaders = (token: string | undefined, resource: string): Record<string, string> => {
    const key = `${token ?? ''}/${resource}`;
    const n = (used.get(key) ?? 0) + 1;
    used.set(key, n);
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(RATE_LIMIT - n, 0)),
      'x-ratelimit-reset': String(resetAt),
      'x-ratelimit-used': String(n),
      'x-ratelimit-resource': resource,
    };
  };

  const send = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: unknown,
    raw?: Buffer,
  ): void => {
    const payload = raw ?? (body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)));
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': randomUUID().toUpperCase().slice(0, 23),
      'content-length': String(payload.length),
      ...headers,
    });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const target = new URL(req.url ?? '/', 'http://sim.invalid');
    // GitHub Enterprise Server serves REST under /api/v3 and GraphQL at /api/graphql.
    const ghes = target.pathname.startsWith('/api/v3/') || target.pathname === '/api/graphql';
    const pathname = ghes
      ? target.pathname.replace(/^\/api\/v3/, '').replace(/^\/api\/graphql$/, '/graphql')
      : target.pathname;
    const path = `${pathname}${target.search}`;
    const apiUrl = ghes ? `${url}/api/v3` : url;
    const token = tokenOf(req);
    const actor = (token && state.tokens[token]) || state.defaultActor;
    const rawBody = await readBody(req);
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8')) as unknown;
      } catch {
        violations.push(`${method} ${path}: request body is not JSON`);
        send(
          res,
          400,
          {},
          { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' },
        );
        requests.push({ method, path, status: 400, ...(token ? { token } : {}) });
        return;
      }
    }
    const isGraphql = pathname === '/graphql' && method === 'POST';
    const resource = isGraphql ? 'graphql' : 'core';
    const graphqlQuery =
      isGraphql && typeof (body as Record<string, unknown> | undefined)?.['query'] === 'string'
        ? (body as Record<string, string>)['query']
        : undefined;
    const operation = isGraphql
      ? `graphql:${graphqlRootFields(graphqlQuery ?? '')}`
      : api.match(method, pathname)?.op.operationId;
    const log = (status: number, fault = false): void => {
      requests.push({
        method,
        path,
        status,
        ...(body !== undefined ? { body } : {}),
        ...(token ? { token } : {}),
        ...(fault ? { fault } : {}),
        ...(operation ? { operation } : {}),
      });
    };
    const faultTarget = {
      method,
      url: path,
      pathname,
      ...(graphqlQuery !== undefined ? { graphqlQuery } : {}),
    };

    for (const h of hooks.filter(
      (x) => x.remaining > 0 && matches({ match: x.match, status: 500 }, faultTarget),
    )) {
      h.remaining -= 1;
      await h.hook({ method, path, ...(body !== undefined ? { body } : {}) });
    }
    const fault = takeFault(faults, faultTarget);
    if (fault) {
      if (fault.afterHandling && isGraphql && token) {
        await handleGraphql(body, { state, actor, token, violations });
      }
      const r = faultResponse(fault, Math.floor(Date.now() / 1000));
      send(res, r.status, { ...rateHeaders(token, resource), ...r.headers }, r.body);
      log(r.status, true);
      return;
    }

    if (isGraphql) {
      if (!token) {
        send(res, 401, rateHeaders(token, resource), {
          message: 'This endpoint requires you to be authenticated.',
          documentation_url:
            'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
        });
        log(401);
        return;
      }
      const r = await handleGraphql(body, { state, actor, token, violations });
      send(res, r.status, rateHeaders(token, resource), r.body);
      log(r.status);
      return;
    }

    const matched = api.match(method, pathname);
    const handler = matched ? ROUTES[`${matched.op.method} ${matched.op.template}`] : undefined;
    if (!matched || !handler) {
      const why = matched
        ? `${matched.op.method} ${matched.op.template} is in the OpenAPI subset but has no handler in test/sim/rest/routes.ts`
        : 'not an operation in the OpenAPI subset (test/fixtures/github/openapi-subset.json); rollgate may only call the routes listed in issue5-split.md';
      violations.push(`${method} ${path}: unknown route: ${why}`);
      send(res, 500, rateHeaders(token, resource), {
        message: `rollgate simulator: unknown route ${method} ${path}: ${why}`,
      });
      log(500);
      return;
    }
    const { op, params } = matched;
    const problems = api.validateRequest(op, params, target.searchParams, body);
    violations.push(...problems.map((p) => `request ${p}`));
    let reply: RestReply;
    const scoped = params['owner'] && params['repo'] ? `${params['owner']}/${params['repo']}` : undefined;
    if (method !== 'GET' && !token) {
      violations.push(`${method} ${path}: write without a token`);
      send(res, 401, rateHeaders(token, resource), {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
      log(401);
      return;
    }
    if (scoped && !tokenReaches(state, token, scoped)) {
      // A token scoped to other repositories cannot see this one: GitHub says 404, not 403.
      send(res, 404, rateHeaders(token, resource), {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
      log(404);
      return;
    }
    // A body that breaks the schema is refused like GitHub does; an unknown field is only reported.
    if (problems.some((p) => !/unknown (field|query parameter)/.test(p))) {
      reply = {
        status: 422,
        body: {
          message: `Invalid request.\n\n${problems.join('\n')}`,
          documentation_url: 'https://docs.github.com/rest',
        },
      };
    } else {
      try {
        reply = await handler({
          state,
          api,
          apiUrl,
          params,
          query: target.searchParams,
          body,
          actor,
          accept: req.headers.accept ?? '',
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        violations.push(`${method} ${path}: simulator error: ${message}`);
        reply = { status: 500, body: { message: `rollgate simulator error: ${message}` } };
      }
      if (reply.raw === undefined) {
        violations.push(
          ...api.validateResponse(op, reply.status, reply.body).map((p) => `simulator response ${p}`),
        );
      }
    }
    send(res, reply.status, { ...rateHeaders(token, resource), ...reply.headers }, reply.body, reply.raw);
    log(reply.status);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      violations.push(`${req.method ?? ''} ${req.url ?? ''}: simulator crashed: ${message}`);
      if (!res.headersSent) send(res, 500, {}, { message });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sim: Simulator = {
    url,
    state,
    requests,
    violations,
    ...sceneHelpers(state),
    before(match, hook, times = 1) {
      hooks.push({ match, hook, remaining: times });
    },
    inject(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    pendingFaults: () => faults,
    close() {
      return new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
  };
  return sim;
}
