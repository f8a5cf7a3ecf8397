import type { Config } from '../config/schema.js';
import type { PipelineView } from './mermaid.js';

/** The config's environments in pipeline order, with what runs in each (from Facts.running). */
export function pipelineView(
  config: Config,
  running: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>,
): PipelineView {
  return {
    environments: Object.entries(config.environments).map(([name, env]) => ({
      name,
      ...(env.after !== undefined ? { after: env.after } : {}),
      gates: env.gates,
      running: running[name] ?? {},
    })),
  };
}
