import type { Config } from '../config/schema.js';
import type { AnalysisSubject, AnalysisWindow } from '../core/rollout-run.js';
import type { PromotionRequest } from '../core/types.js';
import {
  fillQuery,
  intervalMs,
  type MetricConfig,
  type MetricInputs,
  type MetricSubject,
  usesService,
} from '../gates/metric.js';
import type { SloConfig } from '../gates/slo-config.js';
import { type QueryResult, type SloSamples, sloQueries } from '../gates/slo-queries.js';
import { type Env, type HttpFetch, queryInstant, queryRange, resolveTarget } from './prometheus.js';

// Gate kinds whose facts need I/O register a fetcher here. The pipeline runs every fetcher of the
// environment's gates concurrently, once, and stores each result in facts.gateInputs[gateName];
// the gate's evaluate stays pure over that. Fetchers never throw: trouble becomes data.

export interface FetchContext {
  readonly now: Date;
  /** Defaults to process.env. */
  readonly env?: Env;
  /** Defaults to the global fetch. */
  readonly fetch?: HttpFetch;
  /** What is being promoted: fills a metric query's {{environment}}, {{service}} and {{version}}. */
  readonly subject?: FetchSubject;
}

export interface FetchSubject {
  readonly environment: string;
  readonly services: readonly string[];
  readonly version?: string;
}

function httpFetch(ctx: Pick<FetchContext, 'fetch'>): HttpFetch {
  return ctx.fetch ?? ((url, init) => fetch(url, init));
}

export type GateFetcher = (gateName: string, config: unknown, ctx: FetchContext) => Promise<unknown>;

/** Runs every query the slo gate needs at the decision time. */
export async function fetchSloSamples(
  _gateName: string,
  config: SloConfig,
  ctx: FetchContext,
): Promise<SloSamples> {
  const at = ctx.now;
  const queries = sloQueries(config);
  const resolved = resolveTarget(config.prometheus, ctx.env ?? process.env);
  const fetchImpl = httpFetch(ctx);
  // Several windows can share an expression (a custom pair may repeat the period): ask once.
  const cache = new Map<string, Promise<QueryResult>>();
  const ask = (query: string): Promise<QueryResult> => {
    if (!resolved.ok)
      return Promise.resolve({
        kind: 'error',
        reasonCode: resolved.reasonCode,
        reason: resolved.reason,
      });
    let pending = cache.get(query);
    if (pending === undefined) {
      pending = queryInstant(resolved.target, query, at, fetchImpl);
      cache.set(query, pending);
    }
    return pending;
  };
  const entries = await Promise.all(
    Object.entries(queries).map(async ([window, q]) => {
      if ('ratio' in q) return [window, { ratio: { query: q.ratio, result: await ask(q.ratio) } }] as const;
      const [errors, total] = await Promise.all([ask(q.errors), ask(q.total)]);
      return [
        window,
        {
          errors: { query: q.errors, result: errors },
          total: { query: q.total, result: total },
        },
      ] as const;
    }),
  );
  return {
    kind: 'slo-samples',
    at: at.toISOString(),
    windows: Object.fromEntries(entries),
  };
}

/** The subjects a metric query is asked for: once per service when it names {{service}}, else once. */
function metricSubjects(config: MetricConfig, subject: FetchSubject | undefined): MetricSubject[] {
  const common = {
    ...(subject === undefined ? {} : { environment: subject.environment }),
    ...(subject?.version === undefined ? {} : { version: subject.version }),
  };
  if (!usesService(config) || subject === undefined || subject.services.length === 0) return [common];
  return subject.services.map((service) => ({ ...common, service }));
}

type Asked<R> = { service?: string; query: string; result: R };

/**
 * Fills the query for each subject and asks Prometheus with `run`; a placeholder the subject cannot
 * fill, or a target that cannot be resolved, becomes an error result instead of a request.
 */
async function askMetric<R>(
  config: MetricConfig,
  subjects: readonly MetricSubject[],
  env: Env,
  run: (
    target: Extract<ReturnType<typeof resolveTarget>, { ok: true }>['target'],
    query: string,
  ) => Promise<R>,
  error: (reasonCode: string, reason: string) => R,
): Promise<Asked<R>[]> {
  const resolved = resolveTarget(config.prometheus, env);
  return Promise.all(
    subjects.map(async (subject): Promise<Asked<R>> => {
      const who = subject.service === undefined ? {} : { service: subject.service };
      const filled = fillQuery(config, subject);
      if (!filled.ok) {
        const names = filled.missing.map((m) => `{{${m}}}`).join(', ');
        return {
          ...who,
          query: config.query,
          result: error(
            'metric.unfilled',
            `the query uses ${names}, which this ${subject.environment === undefined ? 'call' : 'promotion'} does not name: give the service and version, or drop the placeholder`,
          ),
        };
      }
      if (!resolved.ok)
        return { ...who, query: filled.query, result: error(resolved.reasonCode, resolved.reason) };
      return { ...who, query: filled.query, result: await run(resolved.target, filled.query) };
    }),
  );
}

const errorResult = (reasonCode: string, reason: string) => ({ kind: 'error' as const, reasonCode, reason });

/** A metric gate as a promotion gate: the instant value of its query at the decision time. */
export async function fetchMetricInstant(
  _gateName: string,
  config: MetricConfig,
  ctx: FetchContext,
): Promise<MetricInputs> {
  const fetchImpl = httpFetch(ctx);
  const results = await askMetric<QueryResult>(
    config,
    metricSubjects(config, ctx.subject),
    ctx.env ?? process.env,
    (target, query) => queryInstant(target, query, ctx.now, fetchImpl),
    errorResult,
  );
  return {
    kind: 'metric-samples',
    mode: 'instant',
    at: ctx.now.toISOString(),
    prometheus: config.prometheus.url,
    results,
  };
}

/** Fetchers by gate kind. Config has already passed the kind's schema when a fetcher runs. */
export const GATE_FETCHERS: Readonly<Record<string, GateFetcher>> = {
  slo: (gateName, config, ctx) => fetchSloSamples(gateName, config as SloConfig, ctx),
  metric: (gateName, config, ctx) => fetchMetricInstant(gateName, config as MetricConfig, ctx),
};

/** The gates of one environment, as the config loader hands them over. */
export interface GateToFetch {
  readonly name: string;
  readonly kind: string;
  readonly config: unknown;
}

/**
 * Runs the fetcher of every gate that has one, concurrently, and returns what goes into
 * facts.gateInputs (keyed by gate name). Gates without a fetcher get no entry.
 */
export async function fetchGateInputs(
  gates: readonly GateToFetch[],
  ctx: FetchContext,
  fetchers: Readonly<Record<string, GateFetcher>> = GATE_FETCHERS,
): Promise<Record<string, unknown>> {
  return fetchByKind(gates, fetchers, (fetcher, gate) => fetcher(gate.name, gate.config, ctx));
}

/** Runs, concurrently, the fetcher registered for each gate's kind; the results keyed by gate name. */
async function fetchByKind<F>(
  gates: readonly GateToFetch[],
  fetchers: Readonly<Record<string, F>>,
  call: (fetcher: F, gate: GateToFetch) => Promise<unknown>,
): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    gates.flatMap((gate) => {
      const fetcher = fetchers[gate.kind];
      return fetcher === undefined ? [] : [call(fetcher, gate).then((v) => [gate.name, v] as const)];
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * The pipeline's `extraFacts` for one environment: fetches the inputs of its gates at the decision
 * time, for the request being judged (its services and version fill metric queries).
 * Wiring: `evaluate(config, request, { ...deps, extraFacts: gateInputsFor(config, env) })`.
 */
export function gateInputsFor(
  config: Pick<Config, 'environments' | 'gates'>,
  environment: string,
  options: Omit<FetchContext, 'now' | 'subject'> = {},
): (now: Date, request?: PromotionRequest) => Promise<{ gateInputs: Record<string, unknown> }> {
  const gates = (config.environments[environment]?.gates ?? []).flatMap((name) => config.gates[name] ?? []);
  return async (now, request) => {
    const version = request?.version.tag ?? request?.version.digest;
    const subject: FetchSubject = {
      environment,
      services: request?.services ?? [],
      ...(version === undefined ? {} : { version }),
    };
    return { gateInputs: await fetchGateInputs(gates, { ...options, now, subject }) };
  };
}

/** Who the analysis judges (one rollout: one service and the version it rolls out), and how to ask. */
export type AnalysisContext = Omit<FetchContext, 'now' | 'subject'> & AnalysisSubject;

export type AnalysisFetcher = (
  gateName: string,
  config: unknown,
  window: AnalysisWindow,
  ctx: AnalysisContext,
) => Promise<unknown>;

/** A metric gate as analysis: a range query over the window at its interval. */
export async function fetchMetricRange(
  _gateName: string,
  config: MetricConfig,
  window: AnalysisWindow,
  ctx: AnalysisContext,
): Promise<MetricInputs> {
  const fetchImpl = httpFetch(ctx);
  const stepMs = intervalMs(config);
  const subject: MetricSubject = { environment: ctx.environment, service: ctx.service, version: ctx.version };
  const results = await askMetric(
    config,
    [subject],
    ctx.env ?? process.env,
    (target, query) => queryRange(target, query, { from: window.from, to: window.to, stepMs }, fetchImpl),
    errorResult,
  );
  return {
    kind: 'metric-samples',
    mode: 'range',
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    stepSeconds: stepMs / 1000,
    prometheus: config.prometheus.url,
    results,
  };
}

/** Analysis fetchers by gate kind: a metric judges the window; an slo is judged as at promotion, at the window's end. */
export const ANALYSIS_FETCHERS: Readonly<Record<string, AnalysisFetcher>> = {
  metric: (gateName, config, window, ctx) => fetchMetricRange(gateName, config as MetricConfig, window, ctx),
  slo: (gateName, config, window, ctx) =>
    fetchSloSamples(gateName, config as SloConfig, { ...ctx, now: window.to }),
};

/**
 * The inputs of a rollout's analysis gates over one window (from the step's commit plus
 * analysisDelay to the decision time), keyed by gate name, for facts.gateInputs: the rollout
 * engine's `analysis` port (src/core/rollout-run.ts). Concurrent; never throws; gates of kinds
 * without an analysis fetcher get no entry.
 */
export async function fetchAnalysisInputs(
  gates: readonly GateToFetch[],
  window: AnalysisWindow,
  ctx: AnalysisContext,
  fetchers: Readonly<Record<string, AnalysisFetcher>> = ANALYSIS_FETCHERS,
): Promise<Record<string, unknown>> {
  return fetchByKind(gates, fetchers, (fetcher, gate) => fetcher(gate.name, gate.config, window, ctx));
}
