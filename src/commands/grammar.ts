// The comment grammar of DESIGN.md, as data: parse.ts reads it, /help prints it.

/** The verbs that steer an active canary rollout (DESIGN.md "Progressive delivery"). */
export const ROLLOUT_VERBS = ['/advance', '/pause', '/resume', '/abort'] as const;
export type RolloutVerb = (typeof ROLLOUT_VERBS)[number];

export const VERBS = ['/promote', '/rollback', ...ROLLOUT_VERBS, '/status', '/help'] as const;
export type Verb = (typeof VERBS)[number];

export const FLAGS = {
  '/promote': ['--version', '--flag', '--dry-run', '--reason'],
  '/rollback': ['--reason', '--flag', '--dry-run'],
  '/advance': ['--reason', '--flag'],
  '/pause': ['--reason', '--flag'],
  '/resume': ['--reason', '--flag'],
  '/abort': ['--reason', '--flag'],
  '/status': [],
  '/help': [],
} as const satisfies Record<Verb, readonly string[]>;

/** Flags that take a value (the rest are switches). */
export const VALUE_FLAGS: ReadonlySet<string> = new Set(['--version', '--reason', '--flag']);

/** Flags that once existed: a comment using one is told what replaced it. */
export const RETIRED_FLAGS: Readonly<Record<string, string>> = {
  '--canary':
    'canary weights come from environments.<env>.canary.steps in the config: /promote starts the rollout and rollgate steps it; /advance skips the rest of a step',
};

export const USAGE: Readonly<Record<Verb, string>> = {
  '/promote':
    '/promote <env> [service...] [--version V] [--dry-run] [--reason "..."]\n/promote <env> --flag NAME [--dry-run] [--reason "..."]',
  '/rollback':
    '/rollback <env> [service...] [--dry-run] [--reason "..."]\n/rollback <env> --flag NAME [--reason "..."]',
  '/advance': '/advance <env> [service... | --flag NAME] [--reason "..."]',
  '/pause': '/pause <env> [service... | --flag NAME] [--reason "..."]',
  '/resume': '/resume <env> [service... | --flag NAME] [--reason "..."]',
  '/abort': '/abort <env> [service... | --flag NAME] [--reason "..."]',
  '/status': '/status',
  '/help': '/help',
};
