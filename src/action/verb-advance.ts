import type { RolloutVerbSpec } from './rollout-verb.js';

/** /advance: skip the rest of the hold; the next step now. Freeze and analysis still apply. */
export const advanceVerb: RolloutVerbSpec = {
  verb: '/advance',
  engine: 'advance',
  done: 'advanced',
  summary: 'skip the rest of the hold: the next step now (freeze and analysis still apply)',
  whenRefused:
    'A paused rollout needs `/resume` first; a freeze or a failing analysis must clear; the reply says which.',
};
