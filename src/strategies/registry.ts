import type { Config } from '../config/schema.js';
import { blueGreenStrategy } from './blue-green.js';
import { canaryStrategy } from './canary.js';
import { flagStrategy } from './flag.js';
import type { Strategy } from './strategy.js';

/**
 * Every delivery strategy, by kind. Adding one (blue-green, shadow, flag): write its file, add one
 * line here. An environment rolls out with the first strategy that applies to it.
 */
export const STRATEGIES: Readonly<Record<string, Strategy>> = {
  canary: canaryStrategy,
  'blue-green': blueGreenStrategy,
  flag: flagStrategy,
};

/** The strategy an environment rolls out with; undefined for plain (all-at-once) promotions. */
export function strategyFor(config: Config, environment: string): Strategy | undefined {
  return Object.values(STRATEGIES).find((s) => s.appliesTo(config, environment));
}
