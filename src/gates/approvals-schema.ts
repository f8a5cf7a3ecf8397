import { z } from 'zod';
import type { GateSchema } from './gate-schema.js';

export const approvalsSchema = z
  .strictObject({
    count: z.number().int().describe('How many approvals are needed (default 1).').optional(),
    users: z.array(z.string()).describe('Only these users count (with `teams`: either list).').optional(),
    teams: z
      .array(z.string())
      .describe('Only members of these org/team slugs count (with `users`: either list).')
      .optional(),
    excludeAuthor: z
      .literal(true)
      .describe('The pull request author never counts; the key is accepted for clarity and must be true.')
      .optional(),
    latestCommit: z
      .boolean()
      .describe('Count only approvals of the head commit: a push after an approval needs a new one.')
      .optional(),
    verifiedOnly: z
      .boolean()
      .describe(
        'Only approvals GitHub records count (pull request reviews). `--approved-by` on the CLI is the ' +
          'operator\'s word and is refused. Default false: it counts, marked "asserted on the CLI, not verified" ' +
          'in the verdict and the Rollgate-Decision trailer.',
      )
      .optional(),
  })
  .describe('Approvals from pull request reviews (or `--approved-by` on the CLI).');

export type ApprovalsConfig = z.output<typeof approvalsSchema>;

export const approvalsGateSchema: GateSchema<typeof approvalsSchema> = {
  kind: 'approvals',
  description: 'Approvals: enough standing approvals, from the right people, and no changes requested.',
  schema: approvalsSchema,
};
