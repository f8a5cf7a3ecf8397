import { z } from 'zod';
import { DURATION_PATTERN, PERCENT_PATTERN, parseDuration, parsePercent } from '../core/duration.js';

// The `slo` gate's config. Kept apart from the gate so the fetcher (src/facts) and the pure
// evaluation share one definition.

export const duration = (what: string) =>
  z.string().regex(DURATION_PATTERN, `${what}: a duration such as 5m, 1h, 30d`).describe(what);
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as PROMETHEUS_TOKEN');
const percent = z.union([
  z.number(),
  z.string().regex(PERCENT_PATTERN, 'a percentage such as 99.9% (or the number 99.9)'),
]);

export const prometheusSchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .describe(
        'Base URL of the Prometheus HTTP API, e.g. https://prometheus.example.com. `${VAR}` is read from the environment.',
      ),
    auth: z
      .union([
        z.strictObject({
          bearer: z.strictObject({
            tokenEnv: envName.describe('Environment variable holding the bearer token.'),
          }),
        }),
        z.strictObject({
          basic: z.strictObject({
            usernameEnv: envName.describe('Environment variable holding the user name.'),
            passwordEnv: envName.describe('Environment variable holding the password.'),
          }),
        }),
      ])
      .describe('Credentials, always taken from environment variables, never written in the config.')
      .optional(),
    headers: z
      .record(z.string(), z.string())
      .describe(
        'Extra request headers (e.g. X-Scope-OrgID); `${VAR}` in a value is read from the environment.',
      )
      .optional(),
    timeout: duration(
      'How long one query may take before the gate treats it as no data (default 10s).',
    ).optional(),
  })
  .describe('Where to query.');

const burnRate = z.strictObject({
  long: duration('Long window of the pair, e.g. 1h.'),
  short: duration('Short window of the pair, e.g. 5m.'),
  factor: z
    .number()
    .describe('The pair fails when both windows burn faster than this many times the sustainable rate.'),
});

export const sloSchema = z
  .strictObject({
    prometheus: prometheusSchema,
    objective: percent.describe('Target success ratio in percent, e.g. 99.9 or "99.9%".'),
    period: duration('SLO period the budget covers (default 30d).').optional(),
    errors: z
      .string()
      .describe(
        'PromQL for the rate of failed events; `{{window}}` is replaced by each window (5m, 1h, 30d).',
      )
      .optional(),
    total: z.string().describe('PromQL for the rate of all events, with `{{window}}`.').optional(),
    ratio: z
      .string()
      .describe('PromQL for the error ratio directly (instead of errors/total), with `{{window}}`.')
      .optional(),
    sloth: z
      .strictObject({
        service: z.string().describe('The `sloth_service` label.'),
        slo: z.string().describe('The `sloth_slo` label.'),
      })
      .describe('Read Sloth recording rules `slo:sli_error:ratio_rate<window>` instead of writing queries.')
      .optional(),
    minBudgetRemaining: percent
      .describe(
        'Fail when less than this share of the error budget is left, e.g. "25%". Default 0%: fail once it is spent.',
      )
      .optional(),
    burnRates: z
      .union([z.literal('workbook'), z.literal('none'), z.array(burnRate)])
      .describe(
        '`workbook` (default): the SRE Workbook multi-window set (1h/5m x14.4, 6h/30m x6, 3d/6h x1 for 30d, scaled for other periods); `none`; or a list of {long, short, factor}.',
      )
      .optional(),
    onNoData: z
      .enum(['fail', 'warn', 'pass'])
      .describe(
        'Outcome when Prometheus has no usable answer (no samples, NaN, Inf, unreachable). Default fail.',
      )
      .optional(),
  })
  .describe('Error budget and multi-window burn rate from Prometheus.');

export type SloConfig = z.output<typeof sloSchema>;
export type PrometheusConfig = z.output<typeof prometheusSchema>;

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
