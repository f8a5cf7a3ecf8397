import { z } from 'zod';
import { DURATION_PATTERN } from '../core/duration.js';
import type { GateSchema } from './gate-schema.js';

export const bakeSchema = z
  .string()
  .regex(DURATION_PATTERN, 'a duration such as 1h, 24h, 2d')
  .describe('How long the version must have run in the upstream environment (the one named by `after`).');

export type BakeConfig = z.output<typeof bakeSchema>;

export const bakeGateSchema: GateSchema<typeof bakeSchema> = {
  kind: 'bake',
  description:
    'Bake time: the version must have been live upstream at least this long, from the GitOps history.',
  schema: bakeSchema,
};
