import { formatPromDuration, parseDuration } from '../core/duration.js';
import type { SloConfig } from './slo-config.js';

export const DEFAULT_PERIOD = '30d';

/** One multi-window pair: it fails only when both windows burn faster than `factor`. */
export interface BurnRatePair {
  readonly long: string;
  readonly short: string;
  readonly factor: number;
  /** Share of the budget this pair guards against spending in its long window (workbook pairs only). */
  readonly budgetPercent?: number;
}

// The SRE Workbook's table (chapter 5, "Alerting on SLOs"): page at 2% of a 30-day budget spent in
// 1h, page at 5% in 6h, ticket at 10% in 3d. Factor = budget share x period / long window.
const WORKBOOK: readonly {
  long: string;
  short: string;
  budgetPercent: number;
}[] = [
  { long: '1h', short: '5m', budgetPercent: 2 },
  { long: '6h', short: '30m', budgetPercent: 5 },
  { long: '3d', short: '6h', budgetPercent: 10 },
];

export function periodWindow(config: SloConfig): string {
  return formatPromDuration(parseDuration(config.period ?? DEFAULT_PERIOD) ?? 0);
}

/** The pairs to evaluate, with windows in canonical Prometheus spelling. */
export function burnRatePairs(config: SloConfig): BurnRatePair[] {
  const burnRates = config.burnRates ?? 'workbook';
  if (burnRates === 'none') return [];
  if (burnRates === 'workbook') {
    const periodMs = parseDuration(config.period ?? DEFAULT_PERIOD) ?? 0;
    return WORKBOOK.map((w) => {
      const longMs = parseDuration(w.long) ?? 1;
      // Percent x ratio / 100 rather than 0.02 x ratio keeps 14.4, 6 and 1 exact for 30 days.
      const factor = (w.budgetPercent * (periodMs / longMs)) / 100;
      return {
        long: w.long,
        short: w.short,
        factor,
        budgetPercent: w.budgetPercent,
      };
    });
  }
  return burnRates.map((p) => ({
    long: formatPromDuration(parseDuration(p.long) ?? 0),
    short: formatPromDuration(parseDuration(p.short) ?? 0),
    factor: p.factor,
  }));
}

/** Every window the gate needs an error ratio for: the period first, then each pair's, without repeats. */
export function sloWindows(config: SloConfig): string[] {
  const windows = [periodWindow(config)];
  for (const pair of burnRatePairs(config)) windows.push(pair.long, pair.short);
  return [...new Set(windows)];
}
