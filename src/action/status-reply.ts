import type { FlagRolloutStatus } from '../core/rollout-status.js';
import { cell, codeBlock, escapeInline } from '../report/escape.js';

/**
 * The /status answer: the version of each service in each environment, the flag rollouts (from
 * their state files, as `rollgate status` lists them), and the pipeline picture.
 */
export function statusText(
  running: Record<string, Record<string, string | undefined>>,
  mermaid: string,
  flags: readonly FlagRolloutStatus[] = [],
): string {
  const environments = Object.keys(running);
  const services = [...new Set(environments.flatMap((e) => Object.keys(running[e] ?? {})))].sort();
  const lines = [
    '<!-- rollgate:status -->',
    '### rollgate status',
    '',
    `| service | ${environments.map(cell).join(' | ')} |`,
    `| --- | ${environments.map(() => '---').join(' | ')} |`,
    ...services.map(
      (s) =>
        `| ${cell(s)} | ${environments.map((e) => escapeInline(running[e]?.[s] ?? '—').replace(/\|/g, '\\|')).join(' | ')} |`,
    ),
    ...(flags.length > 0 ? ['', ...flagTable(flags)] : []),
    '',
    codeBlock(mermaid, 'mermaid'),
  ];
  return lines.join('\n');
}

function flagTable(flags: readonly FlagRolloutStatus[]): string[] {
  return [
    '| flag rollout | environment | variant | phase | step | share |',
    '| --- | --- | --- | --- | --- | --- |',
    ...flags.map((f) => {
      const r = f.rollout;
      const phase = r?.phase ?? (f.problem !== undefined ? '?' : '—');
      const step = r !== undefined ? `${r.step}/${r.steps}` : '—';
      const share = r !== undefined ? `${r.weight}%` : '—';
      return `| ${[f.flag, f.environment, f.variant, phase, step, share].map(cell).join(' | ')} |`;
    }),
  ];
}
