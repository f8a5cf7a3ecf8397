import type { Config } from '../config/schema.js';
import { USAGE, VERBS } from '../commands/grammar.js';
import { ROLLOUT_VERB_SPECS } from './rollout-verbs.js';

/** The /help answer: the grammar and this repository's environments and services. */
export function helpText(config: Config | undefined): string {
  const lines = [
    '<!-- rollgate:help -->',
    '### rollgate commands',
    '',
    'Write a command as the first line of a pull-request comment:',
    '',
    '```',
    ...VERBS.map((v) => USAGE[v]),
    '```',
    '',
    'On an environment with `canary:`, `/promote` starts a rollout that the schedule steps; these steer it:',
    '',
    ...Object.values(ROLLOUT_VERB_SPECS).map((spec) => `- \`${spec.verb}\`: ${spec.summary}`),
  ];
  if (config) {
    lines.push('', '| environment | after | gates | services |', '| --- | --- | --- | --- |');
    for (const [name, env] of Object.entries(config.environments)) {
      const services = env.services ?? Object.keys(config.services);
      lines.push(
        `| ${name} | ${env.after ?? '—'} | ${env.gates.join(', ') || '—'} | ${services.join(', ')} |`,
      );
    }
  }
  lines.push('', 'Example: `/promote staging checkout --dry-run`');
  return lines.join('\n');
}

export function usageReply(problem: string, usage: string): string {
  return [
    `### 🤔 rollgate: ${problem}`,
    '',
    '```',
    usage,
    '```',
    '',
    'Comment `/help` for every command.',
  ].join('\n');
}
