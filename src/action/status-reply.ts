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
    `| service | ${environments.join(' | ')} |`,
    `| --- | ${environments.map(() => '---').join(' | ')} |`,
    ...services.map(
      (s) => `| ${s} | ${environments.map((e) => `\`${running[e]?.[s] ?? '—'}\``).join(' | ')} |`,
    ),
    '',
    '```mermaid',
    mermaid,
    '```',
  ];
  return lines.join('\n');
}
