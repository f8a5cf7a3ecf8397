import { z } from 'zod';
import { PAUSABLE_PHASES, ROLLOUT_PHASES, STATE_SCHEMA_VERSION } from './state.js';

// The schema of a state file (src/core/state.ts). rollgate checks state files against the shape
// generated from it (src/config/shapes.generated.ts), so reading one loads no zod.

const iso = z.iso.datetime({ offset: true });

const rolloutSchema = z.strictObject({
  strategy: z.string().min(1),
  /** The version being rolled out (what the canary workload runs). */
  version: z.string().min(1),
  phase: z.enum(ROLLOUT_PHASES),
  /** 0 = warm-up (image set, weight 0); 1..steps = the configured steps. */
  step: z.number().int().min(0),
  steps: z.number().int().min(1),
  weight: z.number().int().min(0).max(100),
  /** When the current step's (or verify's) window began: its commit time, or the resume. */
  windowStart: iso,
  startedAt: iso,
  /** The phase a pause came from, where resume returns to. */
  pausedFrom: z.enum(PAUSABLE_PHASES).optional(),
  /** The reason code of the last action (drift, analysis.failed, operator...). */
  reason: z.string().optional(),
  /** Overrides given at the start: they last for the whole rollout. */
  overrides: z.array(z.string()).optional(),
  /** The analysis figures recorded at the last action, one line. */
  analysis: z.string().optional(),
  /** Where the rollout was started from (the PR or run URL), for the sticky comment. */
  source: z.string().optional(),
  /**
   * Set when the rollout is a rollback (blue-green after the scale-down: the previous version's
   * colour scaled up, the switch once it is ready): the version it takes users off, held.
   */
  rollbackOf: z.string().min(1).optional(),
});

const holdSchema = z.strictObject({
  version: z.string().min(1),
  at: iso,
  reason: z.string(),
});

export const stateSchema = z.strictObject({
  schema_version: z.literal(STATE_SCHEMA_VERSION),
  environment: z.string().min(1),
  service: z.string().min(1),
  /** What the service's own (stable) image entry holds, as rollgate wrote it. */
  version: z.string().min(1),
  /** When `version` landed in the overlay. */
  landedAt: iso,
  /** The last version that finished (verified, or promoted without verify); a rollback target. */
  stable: z.string().min(1).optional(),
  rollout: rolloutSchema.optional(),
  holds: z.array(holdSchema).optional(),
});

export type RolloutState = z.output<typeof rolloutSchema>;
export type Hold = z.output<typeof holdSchema>;
export type ServiceState = z.output<typeof stateSchema>;
