// The options of the verbs that read a config, in a module of their own so that the entry can read
// them (src/cli/early-clone.ts) without loading the verbs.

export const COMMON = {
  config: { type: 'string' },
  gitops: { type: 'string' },
  service: { type: 'string', multiple: true },
  flag: { type: 'string', multiple: true },
  version: { type: 'string' },
  at: { type: 'string' },
  json: { type: 'boolean' },
  'requested-by': { type: 'string' },
  source: { type: 'string' },
  reason: { type: 'string' },
  label: { type: 'string', multiple: true },
  'approved-by': { type: 'string', multiple: true },
} as const;

/**
 * The options each verb takes (an unknown one gets a did-you-mean among them). Every verb accepts the
 * common options, so one set of them can be passed to any verb; --dry-run only where it means something.
 */
export const VERB_OPTIONS = {
  validate: COMMON,
  check: COMMON,
  plan: COMMON,
  promote: {
    ...COMMON,
    'dry-run': { type: 'boolean' },
    'simulate-clock': { type: 'boolean' },
    'source-time': { type: 'string' },
  },
  rollback: { ...COMMON, 'dry-run': { type: 'boolean' }, 'simulate-clock': { type: 'boolean' } },
  status: COMMON,
  tick: { ...COMMON, 'simulate-clock': { type: 'boolean' } },
  advance: { ...COMMON, 'simulate-clock': { type: 'boolean' } },
  pause: { ...COMMON, 'simulate-clock': { type: 'boolean' } },
  resume: { ...COMMON, 'simulate-clock': { type: 'boolean' } },
  abort: { ...COMMON, 'simulate-clock': { type: 'boolean' } },
} as const;
