import { parseDuration } from '../core/duration.js';
import type { PrometheusConfig } from '../gates/slo-config.js';
import type { RangeResult } from '../gates/metric.js';
import type { QueryResult } from '../gates/slo-queries.js';
import type { PrometheusEnvelope } from './prometheus-envelope.js';

// The Prometheus HTTP API adapter: an instant query (`/api/v1/query`) at a given time, or a range
// query (`/api/v1/query_range`) over a window at a step. It never
// throws: every failure comes back as a QueryResult of kind `error` with a reason a person can act
// on, and the gate decides what that means (`onNoData`).

/** Just what the adapter needs from fetch, so tests can hand in a small honest function. */
export type HttpFetch = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
  },
) => Promise<{ status: number; text(): Promise<string> }>;

export type Env = Readonly<Record<string, string | undefined>>;

export interface PrometheusTarget {
  readonly url: string;
  /**
   * The URL as configured, `${VAR}` references left unexpanded: what messages show. Reasons reach PR
   * comments, which the runner does not mask, so a secret spliced into the URL must never appear.
   */
  readonly shown?: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

function expand(text: string, env: Env, missing: string[]): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_all, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      missing.push(name);
      return '';
    }
    return value;
  });
}

/** Resolves `${VAR}` references and credentials from the environment. */
export function resolveTarget(
  config: PrometheusConfig,
  env: Env,
): { ok: true; target: PrometheusTarget } | { ok: false; reasonCode: string; reason: string } {
  const missing: string[] = [];
  const url = expand(config.url, env, missing).replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.headers ?? {})) headers[key] = expand(value, env, missing);
  const auth = config.auth;
  if (auth !== undefined && 'bearer' in auth) {
    const token = env[auth.bearer.tokenEnv];
    if (token === undefined || token === '') missing.push(auth.bearer.tokenEnv);
    else headers.Authorization = `Bearer ${token}`;
  } else if (auth !== undefined) {
    const user = env[auth.basic.usernameEnv];
    const password = env[auth.basic.passwordEnv];
    if (user === undefined) missing.push(auth.basic.usernameEnv);
    if (password === undefined) missing.push(auth.basic.passwordEnv);
    if (user !== undefined && password !== undefined)
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  if (missing.length > 0) {
    return {
      ok: false,
      reasonCode: 'prometheus.env-missing',
      reason: `environment variable ${[...new Set(missing)].join(', ')} is not set: set it where rollgate runs (a repository secret for the Action)`,
    };
  }
  const shown = config.url.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(url)) {
    const expands = shown === url ? '' : ' once its variables are expanded';
    return {
      ok: false,
      reasonCode: 'prometheus.bad-url',
      reason: `Prometheus URL "${shown}" is not http(s)://host[:port]${expands}: fix prometheus.url`,
    };
  }
  const timeoutMs =
    config.timeout === undefined ? DEFAULT_TIMEOUT_MS : (parseDuration(config.timeout) ?? DEFAULT_TIMEOUT_MS);
  return { ok: true, target: { url, shown, headers, timeoutMs } };
}

// Trust boundary: Prometheus's JSON is checked (prometheus-envelope.ts) before anything reads it.
type Data = Extract<PrometheusEnvelope, { status: 'success' }>['data'];
type Failure = Extract<QueryResult, { kind: 'error' }>;

function err(reasonCode: string, reason: string): Failure {
  return { kind: 'error', reasonCode, reason };
}

/**
 * POSTs one query to an API endpoint (`query` or `query_range`) and checks the answer's envelope.
 * Every transport, HTTP and API failure comes back as an error with a reason a person can act on.
 */
async function ask(
  target: PrometheusTarget,
  endpointPath: string,
  query: string,
  params: Record<string, string>,
  fetchImpl: HttpFetch,
): Promise<{ ok: true; data: Data } | { ok: false; error: Failure }> {
  const body = new URLSearchParams({ query, ...params }).toString();
  const endpoint = `${target.url}${endpointPath}`;
  const shown = `${target.shown ?? target.url}${endpointPath}`;
  // Error texts from the transport can quote the expanded URL (Node's fetch names it when it refuses
  // credentials in it): put the URL as configured back before anything reaches a reason.
  const redact = (text: string) =>
    target.shown === undefined || target.shown === target.url
      ? text
      : text.replaceAll(target.url, target.shown);
  const fail = (reasonCode: string, reason: string) => ({
    ok: false as const,
    error: err(reasonCode, redact(reason)),
  });
  let status: number;
  let text: string;
  try {
    const response = await fetchImpl(endpoint, {
      method: 'POST',
      headers: {
        ...target.headers,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (e) {
    const error = e as Error;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') {
      return fail(
        'prometheus.timeout',
        `${shown} did not answer within ${target.timeoutMs} ms: raise prometheus.timeout or check the server`,
      );
    }
    const cause = (error.cause as Error | undefined)?.message;
    return fail('prometheus.unreachable', `cannot reach ${shown}: ${cause ?? error.message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const hint = status === 401 || status === 403 ? ': check prometheus.auth' : '';
    return fail(
      `prometheus.http-${status}`,
      `${shown} answered HTTP ${status} without the API's JSON${hint} (${text.slice(0, 120).trim()})`,
    );
  }
  // zod loads only when an answer arrives: a run whose gates ask Prometheus nothing never loads it.
  const { envelope } = await import('./prometheus-envelope.js');
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    return fail(
      'prometheus.bad-response',
      `${shown} answered HTTP ${status} with JSON that is not a Prometheus API response`,
    );
  }
  const answer = parsed.data;
  if (answer.status === 'error') {
    return fail(
      `prometheus.${answer.errorType}`,
      `Prometheus ${answer.errorType} error for \`${query}\`: ${answer.error}`,
    );
  }
  return { ok: true, data: answer.data };
}

function seconds(at: Date): string {
  return (at.getTime() / 1000).toFixed(3);
}

/** One instant query evaluated at `at` (the decision time, never "now" on the server). */
export async function queryInstant(
  target: PrometheusTarget,
  query: string,
  at: Date,
  fetchImpl: HttpFetch,
): Promise<QueryResult> {
  const answer = await ask(target, '/api/v1/query', query, { time: seconds(at) }, fetchImpl);
  if (!answer.ok) return answer.error;
  const data = answer.data;
  if (data.resultType === 'scalar') return { kind: 'sample', value: data.result[1] };
  if (data.resultType !== 'vector') {
    return err(
      'prometheus.not-instant',
      `\`${query}\` gave a ${data.resultType}, expected an instant vector or scalar: drop the range selector`,
    );
  }
  if (data.result.length === 0) return { kind: 'empty' };
  const [first, ...rest] = data.result;
  if (first === undefined || rest.length > 0) {
    return err(
      'prometheus.many-series',
      `\`${query}\` gave ${data.result.length} series, expected one: aggregate it, e.g. sum(...)`,
    );
  }
  return { kind: 'sample', value: first.value[1] };
}

/** Prometheus refuses a range query of more than 11,000 points per series. */
export const MAX_RANGE_POINTS = 11_000;

/**
 * One range query (`/api/v1/query_range`) over [from, to] at `stepMs`: Prometheus evaluates the
 * expression at from, from + step, ... up to to. One series is expected, as for an instant query.
 */
export async function queryRange(
  target: PrometheusTarget,
  query: string,
  range: { readonly from: Date; readonly to: Date; readonly stepMs: number },
  fetchImpl: HttpFetch,
): Promise<RangeResult> {
  const span = range.to.getTime() - range.from.getTime();
  if (span < 0) return { kind: 'empty' };
  if (!(range.stepMs > 0))
    return err('prometheus.bad-step', `step ${range.stepMs} ms must be more than zero`);
  const points = Math.floor(span / range.stepMs) + 1;
  if (points > MAX_RANGE_POINTS) {
    return err(
      'prometheus.too-many-points',
      `a window of ${points} points at ${range.stepMs / 1000}s exceeds Prometheus's ${MAX_RANGE_POINTS} per series: raise interval`,
    );
  }
  const params = { start: seconds(range.from), end: seconds(range.to), step: String(range.stepMs / 1000) };
  const answer = await ask(target, '/api/v1/query_range', query, params, fetchImpl);
  if (!answer.ok) return answer.error;
  const data = answer.data;
  if (data.resultType === 'scalar') return { kind: 'series', points: [data.result] };
  if (data.resultType !== 'matrix') {
    return err(
      'prometheus.bad-response',
      `\`${query}\` gave a ${data.resultType} to a range query, expected a matrix`,
    );
  }
  if (data.result.length === 0) return { kind: 'empty' };
  const [first, ...rest] = data.result;
  if (first === undefined || rest.length > 0) {
    return err(
      'prometheus.many-series',
      `\`${query}\` gave ${data.result.length} series, expected one: aggregate it, e.g. sum(...)`,
    );
  }
  return { kind: 'series', points: first.values };
}
