import { formatDuration, parseDuration, parsePercent } from '../core/duration.js';
import type { Outcome, Verdict } from '../core/types.js';
import { defineGate } from './gate.js';
import { checkSloConfig, SLOTH_WINDOWS } from './slo-config.js';
import { parseSampleValue } from './slo-queries.js';
import type { QueryResult, SloConfig, SloSamples } from './slo-schema.js';
import { SHAPES } from '../config/shapes.generated.js';
import { checkShape } from '../config/shape.js';
import { burnRatePairs, DEFAULT_PERIOD, periodWindow, sloWindows } from './slo-windows.js';

// Pure over the samples the slo fetcher (src/facts/fetchers.ts) stored in facts.gateInputs[name].
// Missing data never passes silently: it takes the `onNoData` outcome, and a real failure found in
// the data that did arrive wins over it.

// `error` marks a failure of Prometheus itself (unreachable, a refused query) rather than missing
// samples: as analysis (analysisOutcome, src/core/rollout.ts) that is an error, never a rollback.
type Ratio = { ok: true; value: number } | { ok: false; why: string; error?: true };

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

function pct(fraction: number): string {
  return `${fmt(fraction * 100)}%`;
}

function resultValue(label: string, result: QueryResult): Ratio {
  if (result.kind === 'error') return { ok: false, why: `${label}: ${result.reason}`, error: true };
  if (result.kind === 'empty') return { ok: false, why: `${label}: no samples` };
  const value = parseSampleValue(result.value);
  if (!Number.isFinite(value)) return { ok: false, why: `${label}: ${result.value}` };
  return { ok: true, value };
}

/** The error ratio over one window from what Prometheus answered. */
export function errorRatio(samples: SloSamples, window: string): Ratio {
  const entry = samples.windows[window];
  if (entry === undefined) return { ok: false, why: `${window}: not fetched` };
  if ('ratio' in entry) {
    const r = resultValue(`${window} ratio`, entry.ratio.result);
    if (r.ok && r.value < 0) return { ok: false, why: `${window} ratio: negative (${r.value})` };
    return r;
  }
  const errors = resultValue(`${window} errors`, entry.errors.result);
  const total = resultValue(`${window} total`, entry.total.result);
  if (!total.ok) return total;
  if (!errors.ok) {
    // A sum() over no series is empty, not 0: say how to write a query that is 0 when nothing failed.
    return entry.errors.result.kind === 'empty'
      ? {
          ok: false,
          why: `${window} errors: no samples while total has some (append \`or vector(0)\` if none failed)`,
        }
      : errors;
  }
  if (total.value === 0) return { ok: false, why: `${window} total: 0 (no traffic)` };
  return { ok: true, value: errors.value / total.value };
}

function noDataVerdict(
  name: string,
  config: SloConfig,
  why: readonly string[],
  details: Record<string, unknown>,
  error: boolean,
): Verdict {
  const outcome: Outcome = config.onNoData ?? 'fail';
  return {
    gate: name,
    kind: 'slo',
    outcome,
    reasonCode: 'slo.no-data',
    reason: `no usable data from Prometheus (${why.join('; ')}): onNoData is ${outcome}`,
    details: { ...details, noData: why, ...(error ? { error: true } : {}) },
  };
}

export const sloGate = defineGate<SloConfig>({
  kind: 'slo',
  check(config) {
    const problems = checkSloConfig(config);
    if (config.sloth !== undefined) {
      const known: readonly string[] = SLOTH_WINDOWS;
      for (const window of sloWindows(config).slice(1)) {
        if (!known.includes(window))
          problems.push({
            path: ['burnRates'],
            message: `Sloth records no slo:sli_error:ratio_rate${window}; use windows among ${SLOTH_WINDOWS.join(', ')}`,
          });
      }
    }
    return problems;
  },
  evaluate(name, config, ctx): Verdict {
    const objective = parsePercent(config.objective) ?? 0;
    // 1 - 0.999 is 0.0010000000000000009 in binary floating point; round to the decimal the user
    // wrote so a burn rate exactly at its factor is not pushed over it by the representation.
    const budget = Math.round((1 - objective) * 1e12) / 1e12;
    const period = periodWindow(config);
    const periodMs = parseDuration(config.period ?? DEFAULT_PERIOD) ?? 0;
    // Without a minimum, a spent budget (the SLO missed over the period) still fails.
    const minRemaining =
      config.minBudgetRemaining === undefined ? 0 : (parsePercent(config.minBudgetRemaining) ?? 0);
    const base = {
      objective: pct(objective),
      period,
      minBudgetRemaining: minRemaining,
    };

    const parsed = checkShape(SHAPES.sloSamples, ctx.facts.gateInputs?.[name]);
    if (!parsed.ok) {
      return noDataVerdict(name, config, ['no Prometheus results were fetched for this gate'], base, true);
    }
    const samples = parsed.data;
    const missing: string[] = [];
    let errored = false;
    const failures: { code: string; text: string }[] = [];
    const burn = (window: string): number | undefined => {
      const r = errorRatio(samples, window);
      if (!r.ok) {
        if (!missing.includes(r.why)) missing.push(r.why);
        if (r.error) errored = true;
        return undefined;
      }
      return r.value / budget;
    };

    const periodRatio = errorRatio(samples, period);
    const remaining = periodRatio.ok ? 1 - periodRatio.value / budget : undefined;
    if (!periodRatio.ok) {
      if (!missing.includes(periodRatio.why)) missing.push(periodRatio.why);
      if (periodRatio.error) errored = true;
    }
    if (remaining !== undefined && remaining < minRemaining) {
      failures.push({
        code: 'slo.budget-low',
        text: `${pct(remaining)} of the error budget left over ${period}, below the minimum ${pct(minRemaining)}`,
      });
    }

    const pairs = burnRatePairs(config).map((pair) => {
      const long = burn(pair.long);
      const short = burn(pair.short);
      const burning = long !== undefined && short !== undefined && long > pair.factor && short > pair.factor;
      if (burning) {
        failures.push({
          code: 'slo.burn-rate',
          text: `burning the budget ${fmt(long)}x over ${pair.long} and ${fmt(short)}x over ${pair.short} (limit ${fmt(pair.factor)}x)`,
        });
      }
      return {
        long: { window: pair.long, burnRate: long ?? null },
        short: { window: pair.short, burnRate: short ?? null },
        factor: pair.factor,
        ...(pair.budgetPercent === undefined ? {} : { budgetPercent: pair.budgetPercent }),
        burning,
      };
    });

    // "At the current rate": the first pair's long window (1h for the workbook), else the period's own rate.
    const firstLong = pairs[0]?.long;
    const useFirst = firstLong !== undefined && firstLong.burnRate !== null;
    const rateWindow = useFirst ? firstLong.window : period;
    const currentRate = useFirst ? firstLong.burnRate : periodRatio.ok ? periodRatio.value / budget : null;
    let exhaustedInMs: number | null = null;
    if (remaining !== undefined && currentRate !== null) {
      if (remaining <= 0) exhaustedInMs = 0;
      else if (currentRate > 0) exhaustedInMs = (remaining * periodMs) / currentRate;
    }
    const details = {
      ...base,
      at: samples.at,
      errorRatio: periodRatio.ok ? periodRatio.value : null,
      budgetRemaining: remaining ?? null,
      burnRates: pairs,
      budgetExhaustedIn:
        exhaustedInMs === null
          ? null
          : {
              ms: exhaustedInMs,
              text: formatDuration(exhaustedInMs),
              rateWindow,
              burnRate: currentRate,
            },
      ...(missing.length > 0 ? { noData: missing } : {}),
    };
    const gone =
      exhaustedInMs === null
        ? ''
        : exhaustedInMs === 0
          ? '; budget spent'
          : `; budget gone in ${formatDuration(exhaustedInMs)} at the ${rateWindow} rate`;

    const first = failures[0];
    if (first !== undefined) {
      return {
        gate: name,
        kind: 'slo',
        outcome: 'fail',
        reasonCode: first.code,
        reason: `${failures.map((f) => f.text).join('; ')}${gone}`,
        details,
      };
    }
    if (missing.length > 0) return noDataVerdict(name, config, missing, details, errored);
    const rates = pairs
      .map(
        (p) =>
          `${fmt(p.long.burnRate ?? 0)}x/${fmt(p.short.burnRate ?? 0)}x over ${p.long.window}/${p.short.window} (limit ${fmt(p.factor)}x)`,
      )
      .join(', ');
    return {
      gate: name,
      kind: 'slo',
      outcome: 'pass',
      reasonCode: 'slo.ok',
      reason: `${pct(remaining ?? 0)} of the error budget left over ${period} (objective ${pct(objective)})${rates ? `; burn ${rates}` : ''}${gone}`,
      details,
    };
  },
});
