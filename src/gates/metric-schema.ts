import { z } from 'zod';
import type { GateSchema } from './gate-schema.js';
import { duration, prometheusSchema, queryResultSchema } from './slo-schema.js';

// The `metric` gate's config schema, and the shape of what its fetcher stores in
// facts.gateInputs[gateName] (checked by the gate against the shape generated from it).

export const metricSchema = z
  .strictObject({
    prometheus: prometheusSchema,
    query: z
      .string()
      .min(1)
      .describe(
        'PromQL giving one series (aggregate it, e.g. sum(...)); {{service}}, {{environment}}, {{version}} and {{interval}} are filled in.',
      ),
    thresholdRange: z
      .strictObject({
        min: z.number().describe('Lowest acceptable value (inclusive).').optional(),
        max: z.number().describe('Highest acceptable value (inclusive).').optional(),
      })
      .describe('The acceptable values: min and/or max, both inclusive.'),
    interval: duration(
      'Resolution of the range query over a canary step (default 1m); also what {{interval}} becomes.',
    ).optional(),
    failureLimit: z
      .number()
      .int()
      .min(0)
      .describe('Points outside thresholdRange tolerated in a window before the gate fails (default 0).')
      .optional(),
    onNoData: z
      .enum(['inconclusive', 'fail', 'pass'])
      .describe(
        'Outcome when the query gives no samples (or only NaN): inconclusive (default; a warning at promotion, pauses a canary), fail or pass.',
      )
      .optional(),
  })
  .describe('One PromQL query against a threshold range; over a canary step, every point of a range query.');

export type MetricConfig = z.output<typeof metricSchema>;

export const metricGateSchema: GateSchema<typeof metricSchema> = {
  kind: 'metric',
  description:
    'One PromQL query against a threshold range: the instant value at promotion, every point of a canary step.',
  schema: metricSchema,
};

/** One range query's outcome: its points as [unix seconds, Prometheus's float text]. */
export const rangeResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('series'), points: z.array(z.tuple([z.number(), z.string()])) }),
  z.object({ kind: z.literal('empty') }),
  z.object({ kind: z.literal('error'), reasonCode: z.string(), reason: z.string() }),
]);
export type RangeResult = z.output<typeof rangeResultSchema>;

const asked = { service: z.string().optional(), query: z.string() };

/** What the fetchers store in facts.gateInputs[name]: one result per query (one per service when the query names it). */
export const metricInputsSchema = z.discriminatedUnion('mode', [
  z.object({
    kind: z.literal('metric-samples'),
    mode: z.literal('instant'),
    /** The evaluation time sent to Prometheus, ISO. */
    at: z.string(),
    /** The URL as configured (never with secrets expanded). */
    prometheus: z.string(),
    results: z.array(z.object({ ...asked, result: queryResultSchema })),
  }),
  z.object({
    kind: z.literal('metric-samples'),
    mode: z.literal('range'),
    from: z.string(),
    to: z.string(),
    stepSeconds: z.number(),
    prometheus: z.string(),
    results: z.array(z.object({ ...asked, result: rangeResultSchema })),
  }),
]);
export type MetricInputs = z.output<typeof metricInputsSchema>;
