import { z } from 'zod';
import { DURATION_PATTERN, PERCENT_PATTERN } from '../core/duration.js';
import type { GateSchema } from './gate-schema.js';

// The `slo` gate's config schema, and the shape of what its fetcher stores in
// facts.gateInputs[gateName] (checked by the gate against the shape generated from it).

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

export const sloGateSchema: GateSchema<typeof sloSchema> = {
  kind: 'slo',
  description: 'Error budget and SRE Workbook multi-window burn rates, queried from Prometheus.',
  schema: sloSchema,
};

/** One instant query's outcome. `value` is Prometheus's own text ("0.5", "NaN", "+Inf") so it survives JSON. */
export const queryResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sample'), value: z.string() }),
  z.object({ kind: z.literal('empty') }),
  z.object({
    kind: z.literal('error'),
    reasonCode: z.string(),
    reason: z.string(),
  }),
]);
export type QueryResult = z.output<typeof queryResultSchema>;

const answered = z.object({ query: z.string(), result: queryResultSchema });

export const sloSamplesSchema = z.object({
  kind: z.literal('slo-samples'),
  /** The evaluation time sent to Prometheus, ISO. */
  at: z.string(),
  windows: z.record(
    z.string(),
    z.union([z.object({ errors: answered, total: answered }), z.object({ ratio: answered })]),
  ),
});
export type SloSamples = z.output<typeof sloSamplesSchema>;
