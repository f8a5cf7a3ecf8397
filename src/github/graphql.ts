// GraphQL over the REST client's request(), so one Octokit (with its retry and throttling) serves
// both APIs and GITHUB_GRAPHQL_URL is honoured as given (GHES serves it outside the REST base).

/** The one method this needs from an Octokit. */
export interface RequestClient {
  request(route: string, options?: Record<string, unknown>): Promise<{ readonly data: unknown }>;
}

export interface GraphqlErrorItem {
  readonly type?: string;
  readonly message: string;
  readonly path?: readonly (string | number)[];
}

/** GitHub answered 200 with `errors`: the query ran and was refused (stale head, missing branch...). */
export class GraphqlError extends Error {
  readonly errors: readonly GraphqlErrorItem[];
  constructor(errors: readonly GraphqlErrorItem[]) {
    super(errors.map((e) => (e.type ? `${e.type}: ${e.message}` : e.message)).join('; '));
    this.name = 'GraphqlError';
    this.errors = errors;
  }
}

export type GraphqlFn = (query: string, variables: Record<string, unknown>) => Promise<unknown>;

/** GitHub's answer with the errors beside the data: a field it refused is null, the rest is there. */
export interface GraphqlAnswer {
  readonly data: unknown;
  readonly errors: readonly GraphqlErrorItem[];
}

export type GraphqlPartialFn = (query: string, variables: Record<string, unknown>) => Promise<GraphqlAnswer>;

/** Every error fails the call. */
export function graphqlOver(client: RequestClient, url: string): GraphqlFn {
  const partial = graphqlPartialOver(client, url);
  return async (query, variables) => {
    const { data, errors } = await partial(query, variables);
    if (errors.length > 0) throw new GraphqlError(errors);
    return data;
  };
}

/**
 * The caller judges each error by its path (one query reads many things, and a token may be refused
 * one of them, e.g. the collaborators of a repository it cannot push to). No data at all still throws.
 */
export function graphqlPartialOver(client: RequestClient, url: string): GraphqlPartialFn {
  return async (query, variables) => {
    const response = await client.request(`POST ${url}`, { query, variables });
    const body = response.data as { data?: unknown; errors?: unknown } | null;
    const errors = body && Array.isArray(body.errors) ? body.errors.map(toErrorItem) : [];
    if (!body || body.data === undefined || body.data === null) {
      throw new GraphqlError(
        errors.length > 0 ? errors : [{ message: `GraphQL response from ${url} has no data` }],
      );
    }
    return { data: body.data, errors };
  };
}

function toErrorItem(raw: unknown): GraphqlErrorItem {
  const item = (raw ?? {}) as { type?: unknown; message?: unknown; path?: unknown };
  const message = typeof item.message === 'string' ? item.message : JSON.stringify(raw);
  const path = Array.isArray(item.path)
    ? item.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
    : undefined;
  return {
    ...(typeof item.type === 'string' ? { type: item.type } : {}),
    message,
    ...(path !== undefined ? { path } : {}),
  };
}
