import type { RolloutVerbSpec } from './rollout-verb.js';

/** /abort: roll back now to the stable version and hold the version. Nothing blocks it. */
export const abortVerb: RolloutVerbSpec = {
  verb: '/abort',
  engine: 'abort',
  done: 'aborted',
  summary: 'roll back now to the stable version and hold this version (a promote with --reason lifts it)',
  whenRefused: 'Only an active rollout can be aborted; `/rollback` returns a finished one.',
};
