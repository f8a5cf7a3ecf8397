import type { RolloutVerb } from '../commands/grammar.js';
import { abortVerb } from './verb-abort.js';
import { advanceVerb } from './verb-advance.js';
import { pauseVerb } from './verb-pause.js';
import { resumeVerb } from './verb-resume.js';
import type { RolloutVerbSpec } from './rollout-verb.js';

/** Every comment verb that steers a rollout, by verb: one file each. */
export const ROLLOUT_VERB_SPECS: Readonly<Record<RolloutVerb, RolloutVerbSpec>> = {
  '/advance': advanceVerb,
  '/pause': pauseVerb,
  '/resume': resumeVerb,
  '/abort': abortVerb,
};
