// The comment grammar of DESIGN.md, as data: parse.ts reads it, /help prints it.

export const VERBS = ['/promote', '/rollback', '/status', '/help'] as const;
export type Verb = (typeof VERBS)[number];

export const FLAGS = {
  '/promote': ['--version', '--canary', '--dry-run', '--reason'],
  '/rollback': ['--reason', '--dry-run'],
  '/status': [],
  '/help': [],
} as const satisfies Record<Verb, readonly string[]>;

/** Flags that take a value (the rest are switches). */
export const VALUE_FLAGS: ReadonlySet<string> = new Set(['--version', '--canary', '--reason']);

export const USAGE: Readonly<Record<Verb, string>> = {
  '/promote': '/promote <env> [service...] [--version V] [--canary PCT] [--dry-run] [--reason "..."]',
  '/rollback': '/rollback <env> [service...] [--dry-run] [--reason "..."]',
  '/status': '/status',
  '/help': '/help',
};
