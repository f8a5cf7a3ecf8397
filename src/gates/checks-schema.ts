import { z } from 'zod';
import type { GateSchema } from './gate-schema.js';

export const checksSchema = z
  .strictObject({
    required: z
      .array(z.string())
      .describe(
        'Check runs or commit statuses (by name) that must be green. All that are reported when absent.',
      )
      .optional(),
    ignore: z.array(z.string()).describe('Names that never count, e.g. an optional lint.').optional(),
  })
  .describe('Required checks: check runs and commit statuses on the promoted commit must be green.');

export type ChecksConfig = z.output<typeof checksSchema>;

export const checksGateSchema: GateSchema<typeof checksSchema> = {
  kind: 'checks',
  description:
    'Required checks: named check runs and commit statuses (or all) must be green; pending is not.',
  schema: checksSchema,
};
