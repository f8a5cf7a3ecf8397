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

export function graphqlOver(client: RequestClient, url: string): GraphqlFn {
  return async (query, variables) => {
    const response = await client.request(`POST ${url}`, { query, variables });
    const body = response.data as { data?: unknown; errors?: unknown } | null;
    if (body && Array.isArray(body.errors) && body.errors.length > 0) {
      throw new GraphqlError(body.errors.map(toErrorItem));
    }
    if (!body || body.data === undefined || body.data === null) {
      throw new GraphqlError([{ message: `GraphQL response from ${url} has no data` }]);
    }
    return body.data;
  };
}

function toErrorItem(raw: unknown): GraphqlErrorItem {
  const item = (raw ?? {}) as { type?: unknown; message?: unknown };
  const message = typeof item.message === 'string' ? item.message : JSON.stringify(raw);
  return typeof item.type === 'string' ? { type: item.type, message } : { message };
}
