import type { Config } from '../config/schema.js';
import { USAGE, VERBS } from '../commands/grammar.js';
import { cell, codeBlock, escapeMd } from '../report/escape.js';
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
    '',
    '`/promote <env> --flag NAME` starts the feature-flag rollout NAME declared under `environments.<env>.flags`; the verbs above with `--flag NAME` steer it.',
  ];
  if (config) {
    lines.push('', '| environment | after | gates | services |', '| --- | --- | --- | --- |');
    for (const [name, env] of Object.entries(config.environments)) {
      const services = env.services ?? Object.keys(config.services);
      lines.push(
        `| ${cell(name)} | ${cell(env.after ?? '—')} | ${cell(env.gates.join(', ') || '—')} | ${cell(services.join(', '))} |`,
      );
    }
  }
  const flags = Object.entries(config?.environments ?? {}).flatMap(([name, env]) =>
    Object.keys(env.flags ?? {}).length > 0
      ? [
          `${escapeMd(name)}: ${Object.keys(env.flags ?? {})
            .map((f) => `\`${escapeMd(f)}\``)
            .join(', ')}`,
        ]
      : [],
  );
  if (flags.length > 0) lines.push('', `Flag rollouts: ${flags.join('; ')}.`);
  lines.push('', 'Example: `/promote staging checkout --dry-run`');
  return lines.join('\n');
}

/** The reply to a command rollgate cannot run as written; `problem` may quote the comment, so it is escaped. */
export function usageReply(problem: string, usage: string): string {
  return [
    `### 🤔 rollgate: ${escapeMd(problem)}`,
    '',
    codeBlock(usage),
    '',
    'Comment `/help` for every command.',
  ].join('\n');
}
