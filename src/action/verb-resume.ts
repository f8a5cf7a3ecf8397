import type { RolloutVerbSpec } from './rollout-verb.js';

/** /resume: go on from the paused step with a fresh window and hold. */
export const resumeVerb: RolloutVerbSpec = {
  verb: '/resume',
  engine: 'resume',
  done: 'resumed',
  summary: 'go on from a pause: a fresh analysis window and hold start',
  whenRefused:
    'Only a paused rollout resumes; if the overlay was edited by hand, put it back as the state says or `/abort`.',
};
