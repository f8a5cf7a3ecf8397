import { cell, codeBlock, escapeInline } from '../report/escape.js';

/** The /status answer: the version of each service in each environment, and the pipeline picture. */
export function statusText(
  running: Record<string, Record<string, string | undefined>>,
  mermaid: string,
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
    '',
    codeBlock(mermaid, 'mermaid'),
  ];
  return lines.join('\n');
}
