import type { Config } from '../config/schema.js';
import type { SloConfig } from '../gates/slo-config.js';
import { type QueryResult, type SloSamples, sloQueries } from '../gates/slo-queries.js';
import { type Env, type HttpFetch, queryInstant, resolveTarget } from './prometheus.js';

// Gate kinds whose facts need I/O register a fetcher here. The pipeline runs every fetcher of the
// environment's gates concurrently, once, and stores each result in facts.gateInputs[gateName];
// the gate's evaluate stays pure over that. Fetchers never throw: trouble becomes data.

export interface FetchContext {
  readonly now: Date;
  /** Defaults to process.env. */
  readonly env?: Env;
  /** Defaults to the global fetch. */
  readonly fetch?: HttpFetch;
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
  const fetchImpl: HttpFetch = ctx.fetch ?? ((url, init) => fetch(url, init));
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

/** Fetchers by gate kind. Config has already passed the kind's schema when a fetcher runs. */
export const GATE_FETCHERS: Readonly<Record<string, GateFetcher>> = {
  slo: (gateName, config, ctx) => fetchSloSamples(gateName, config as SloConfig, ctx),
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
  const entries = await Promise.all(
    gates.flatMap((gate) => {
      const fetcher = fetchers[gate.kind];
      return fetcher === undefined
        ? []
        : [fetcher(gate.name, gate.config, ctx).then((v) => [gate.name, v] as const)];
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * The pipeline's `extraFacts` for one environment: fetches the inputs of its gates at the decision
 * time. Wiring: `evaluate(config, request, { ...deps, extraFacts: gateInputsFor(config, env) })`.
 */
export function gateInputsFor(
  config: Pick<Config, 'environments' | 'gates'>,
  environment: string,
  options: Omit<FetchContext, 'now'> = {},
): (now: Date) => Promise<{ gateInputs: Record<string, unknown> }> {
  const gates = (config.environments[environment]?.gates ?? []).flatMap((name) => config.gates[name] ?? []);
  return async (now) => ({ gateInputs: await fetchGateInputs(gates, { ...options, now }) });
}
