import { z } from 'zod';

// The decision object as JSON (`rollgate check --json`, the Action's `result`): a zod schema that
// mirrors core/types.ts, so a consumer can validate what rollgate prints and docs/gates.md can show
// its JSON Schema. test/core/decision-schema.test.ts keeps it in step with decide().

export const overrideSchema = z
  .strictObject({
    by: z.enum(['label', 'break-glass']).describe('What overrode the gate.'),
    who: z.string().describe('The user who asked for the promotion.'),
    reason: z.string().describe('The label, or the text given with --reason.'),
    asserted: z
      .literal(true)
      .describe(
        'Set when the label or the requester was only asserted on the CLI (--label, --requested-by), not verified by GitHub.',
      )
      .optional(),
  })
  .describe('Set when a failing gate was overridden. Recorded in the commit trailers; never silent.');

export const verdictSchema = z
  .strictObject({
    gate: z.string().describe('The gate name from the config (`order` for the implied order gate).'),
    kind: z
      .string()
      .describe('The gate kind: freeze, slo, metric, approvals, bake, order, checks, or override.'),
    outcome: z.enum(['pass', 'fail', 'warn', 'skip']).describe('Only `fail` denies the promotion.'),
    reasonCode: z
      .string()
      .describe('Stable, machine-readable reason, e.g. `freeze.active`, `slo.burn-rate`.'),
    reason: z.string().describe('One line for people, naming the values involved and what to do.'),
    details: z.record(z.string(), z.unknown()).describe('Kind-specific figures (see docs/gates.md).'),
    opensAt: z
      .string()
      .describe('When the gate stops failing on its own (freeze end, bake done), ISO 8601.')
      .optional(),
    override: overrideSchema.optional(),
  })
  .describe("One gate's judgement.");

export const decisionSchema = z
  .strictObject({
    allowed: z.boolean().describe('True when no verdict fails. `rollgate check` exits 1 when false.'),
    environment: z.string().describe('The target environment.'),
    services: z.array(z.string()).describe('The services being promoted.'),
    version: z.string().describe('The version as promoted: tag, @digest, or tag@digest.'),
    evaluatedAt: z.string().describe('The decision time, ISO 8601 (the clock, or --at).'),
    verdicts: z.array(verdictSchema).describe('Every gate of the environment, in config order, order first.'),
  })
  .describe('rollgate decision: every gate verdict for one promotion.');

/** The JSON Schema published in docs/gates.md. */
export function decisionJsonSchema(): unknown {
  return z.toJSONSchema(decisionSchema, { target: 'draft-2020-12' });
}
