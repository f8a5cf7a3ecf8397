import { z } from 'zod';
import { DURATION_PATTERN } from '../core/duration.js';
import type { GateSchema } from './gate-schema.js';

const timezone = z
  .string()
  .describe('IANA time zone the window is written in, e.g. Europe/Berlin. UTC when absent.')
  .optional();
const name = z.string().describe('A name for the window, shown in the verdict.').optional();

const cronWindow = z.strictObject({
  name,
  start: z
    .string()
    .describe('Cron expression (5 or 6 fields) for when the freeze starts, in the window zone.'),
  end: z.string().describe('Cron expression for when the freeze ends, in the window zone.'),
  timezone,
});
const durationWindow = z.strictObject({
  name,
  start: z.string().describe('Cron expression for when the freeze starts, in the window zone.'),
  duration: z
    .string()
    .regex(DURATION_PATTERN, 'a duration such as 30m, 8h, 2d')
    .describe('How long each freeze lasts.'),
  timezone,
});
const oneOffWindow = z.strictObject({
  name,
  from: z
    .string()
    .describe('Start: local ISO time in the window zone (2026-12-21T00:00), or with an explicit offset.'),
  to: z.string().describe('End (exclusive): local ISO time in the window zone, or with an explicit offset.'),
  timezone,
});

export const freezeSchema = z
  .strictObject({
    windows: z.array(z.union([cronWindow, durationWindow, oneOffWindow])).min(1),
    unless: z
      .strictObject({
        labels: z
          .array(z.string())
          .describe('A pull request with one of these labels is let through.')
          .optional(),
        breakGlass: z
          .strictObject({
            users: z.array(z.string()).optional(),
            teams: z.array(z.string()).describe('org/team slugs').optional(),
          })
          .describe('Who may override the freeze with --reason.')
          .optional(),
        verifiedOnly: z
          .boolean()
          .describe(
            'Only overrides GitHub vouches for count: a pull request label, a commenter or workflow actor. ' +
              "A --label or --requested-by given on the CLI is the operator's word and is refused. Default false: " +
              'such overrides count, marked "asserted on the CLI, not verified" in the verdict and the trailer.',
          )
          .optional(),
      })
      .optional(),
  })
  .describe('Deny promotions while any window is active.');

export type FreezeConfig = z.output<typeof freezeSchema>;

export const freezeGateSchema: GateSchema<typeof freezeSchema> = {
  kind: 'freeze',
  description:
    'Freeze windows: recurring (cron start/end or start/duration) and one-off (from/to), per time zone.',
  schema: freezeSchema,
};
