import type { Config } from '../config/schema.js';
import { environmentOrder } from '../core/status.js';
import type { PipelineView } from './mermaid.js';

/** The config's environments in pipeline order, with what runs in each (from Facts.running). */
export function pipelineView(
  config: Config,
  running: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>,
): PipelineView {
  return {
    environments: environmentOrder(config).flatMap((name) => {
      const env = config.environments[name];
      if (env === undefined) return [];
      return [
        {
          name,
          ...(env.after !== undefined ? { after: env.after } : {}),
          gates: env.gates,
          running: running[name] ?? {},
        },
      ];
    }),
  };
}
