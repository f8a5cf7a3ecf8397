import { z } from 'zod';

// Trust boundary: the JSON envelope of a Prometheus HTTP API answer, checked before anything reads
// it (src/facts/prometheus.ts loads this module when an answer arrives).

const sample = z.tuple([z.number(), z.string()]);
export const envelope = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample })),
      }),
      z.object({ resultType: z.literal('scalar'), result: sample }),
      z.object({
        resultType: z.literal('matrix'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sample) })),
      }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({
    status: z.literal('error'),
    errorType: z.string(),
    error: z.string(),
  }),
]);
export type PrometheusEnvelope = z.output<typeof envelope>;
