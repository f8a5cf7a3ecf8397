import type { RolloutVerbSpec } from './rollout-verb.js';

/** /pause: no more steps until /resume; a failing analysis still rolls back. */
export const pauseVerb: RolloutVerbSpec = {
  verb: '/pause',
  engine: 'pause',
  done: 'paused',
  summary: 'stop stepping until /resume (a failing analysis still rolls back)',
  whenRefused: 'Only an active rollout that is not paused yet can be paused.',
};
