import { parseDuration, parsePercent } from '../core/duration.js';
import type { PrometheusConfig, SloConfig } from './slo-schema.js';

// The `slo` gate's config checks beyond its schema (slo-schema.ts). Kept apart from the gate so the
// fetcher (src/facts) and the pure evaluation share one definition.

export type { PrometheusConfig, SloConfig };

type Problem = { path: (string | number)[]; message: string };

/** Windows Sloth records `slo:sli_error:ratio_rate<window>` for (besides the period). */
export const SLOTH_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export function positiveDuration(
  value: string | undefined,
  path: (string | number)[],
  problems: Problem[],
): void {
  if (value === undefined) return;
  if (!((parseDuration(value) ?? 0) > 0)) problems.push({ path, message: `${value} must be more than zero` });
}

/** The `prometheus:` block of any gate kind that queries Prometheus: a URL that can work, a timeout above zero. */
export function checkPrometheus(prometheus: PrometheusConfig): Problem[] {
  const problems: Problem[] = [];
  // `${VAR}` references are expanded when the query runs (resolveTarget); a literal URL must be one.
  if (!/^https?:\/\/[^\s/]+/.test(prometheus.url) && !prometheus.url.includes('${')) {
    problems.push({
      path: ['prometheus', 'url'],
      message: `Prometheus URL "${prometheus.url}" must start with http:// or https://, e.g. http://prometheus:9090`,
    });
  }
  positiveDuration(prometheus.timeout, ['prometheus', 'timeout'], problems);
  return problems;
}

/** What the schema cannot say: one SLI form, an objective under 100, windows that make sense. */
export function checkSloConfig(config: SloConfig): Problem[] {
  const problems: Problem[] = [];
  const objective = parsePercent(config.objective);
  if (objective === undefined || !(objective > 0 && objective < 1)) {
    problems.push({
      path: ['objective'],
      message: `objective ${String(config.objective)} must be above 0 and below 100 (percent): at 100 there is no error budget to spend; write e.g. 99.9`,
    });
  }
  const forms = [
    config.errors !== undefined || config.total !== undefined ? 'errors/total' : undefined,
    config.ratio !== undefined ? 'ratio' : undefined,
    config.sloth !== undefined ? 'sloth' : undefined,
  ].filter((f) => f !== undefined);
  if (forms.length !== 1) {
    problems.push({
      path: [],
      message:
        forms.length === 0
          ? 'no SLI: give `errors` and `total`, or `ratio`, or `sloth`'
          : `give only one SLI form, found ${forms.join(' and ')}`,
    });
  }
  if ((config.errors === undefined) !== (config.total === undefined)) {
    problems.push({
      path: [config.errors === undefined ? 'errors' : 'total'],
      message: '`errors` and `total` go together: give both queries',
    });
  }
  for (const key of ['errors', 'total', 'ratio'] as const) {
    const query = config[key];
    if (query !== undefined && !query.includes('{{window}}')) {
      problems.push({
        path: [key],
        message: `${key} has no {{window}} placeholder, so every window would ask the same thing: write e.g. rate(x[{{window}}])`,
      });
    }
  }
  problems.push(...checkPrometheus(config.prometheus));
  positiveDuration(config.period, ['period'], problems);
  if (config.minBudgetRemaining !== undefined) {
    const min = parsePercent(config.minBudgetRemaining);
    if (min === undefined || min < 0 || min >= 1)
      problems.push({
        path: ['minBudgetRemaining'],
        message: `minBudgetRemaining ${String(config.minBudgetRemaining)} must be at least 0% and below 100%`,
      });
  }
  if (Array.isArray(config.burnRates)) {
    config.burnRates.forEach((pair, i) => {
      positiveDuration(pair.long, ['burnRates', i, 'long'], problems);
      positiveDuration(pair.short, ['burnRates', i, 'short'], problems);
      if (!(pair.factor > 0))
        problems.push({
          path: ['burnRates', i, 'factor'],
          message: `factor ${pair.factor} must be more than 0`,
        });
      if ((parseDuration(pair.short) ?? 0) >= (parseDuration(pair.long) ?? 0))
        problems.push({
          path: ['burnRates', i, 'short'],
          message: `short window ${pair.short} must be shorter than long window ${pair.long}`,
        });
    });
  }
  return problems;
}
