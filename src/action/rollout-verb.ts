import type { RolloutVerb } from '../commands/grammar.js';

// What differs between the four comments that steer a rollout. Each verb is one file
// (verb-advance.ts, verb-pause.ts, verb-resume.ts, verb-abort.ts) registered in rollout-verbs.ts;
// rollout-comment.ts runs any of them through the engine's runRolloutCommand.

export interface RolloutVerbSpec {
  readonly verb: RolloutVerb;
  /** The engine's verb (src/core/rollout-run.ts). */
  readonly engine: 'advance' | 'pause' | 'resume' | 'abort';
  /** Past tense for the reply: "paused". */
  readonly done: string;
  /** One line for /help. */
  readonly summary: string;
  /** What to do when the engine refuses it (nothing to act on, frozen, paused...). */
  readonly whenRefused: string;
}
