import type { DeliveryReport, EnvironmentDelivery } from './delivery.js';
import { COLUMNS, row } from './delivery-format.js';
import { cell } from './escape.js';
import { escape } from './mermaid.js';

// The delivery report as Markdown: a table per environment (its services and the total) and two
// mermaid xy charts per environment (deployments and failures per week, lead time per week).
// GitHub renders it in the job summary the Action writes on `schedule`.

function table(env: EnvironmentDelivery): string {
  const head = ['service', ...COLUMNS];
  const lines = [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const s of env.services) lines.push(`| ${[cell(s.service), ...row(s)].join(' | ')} |`);
  if (env.services.length > 1) lines.push(`| **all** | ${row(env).join(' | ')} |`);
  return lines.join('\n');
}

function weeklyChart(env: EnvironmentDelivery): string {
  const labels = env.weeks.map((w) => `"${w.week.slice(5)}"`).join(', ');
  const most = Math.max(1, ...env.weeks.map((w) => Math.max(w.deployments, w.failures)));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${escape(env.environment)}: deployments (bars) and failures (line) per week"`,
    `  x-axis [${labels}]`,
    `  y-axis "count" 0 --> ${most}`,
    `  bar [${env.weeks.map((w) => w.deployments).join(', ')}]`,
    `  line [${env.weeks.map((w) => w.failures).join(', ')}]`,
    '```',
  ].join('\n');
}

function leadChart(env: EnvironmentDelivery): string | undefined {
  if (env.leadTime.count === 0) return undefined;
  const hours = env.weeks.map((w) =>
    w.leadTimeMedian === undefined ? 0 : Math.round((w.leadTimeMedian / 3600) * 10) / 10,
  );
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${escape(env.environment)}: median lead time per week (hours)"`,
    `  x-axis [${env.weeks.map((w) => `"${w.week.slice(5)}"`).join(', ')}]`,
    `  y-axis "hours" 0 --> ${Math.max(1, Math.ceil(Math.max(...hours)))}`,
    `  bar [${hours.join(', ')}]`,
    '```',
  ].join('\n');
}

export function deliveryMarkdown(report: DeliveryReport): string {
  const parts = [
    `## 📈 rollgate delivery report`,
    '',
    `- **Window:** ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)} (${report.days} days), from the GitOps history`,
    `- **Deployment:** a version reaching an environment's stable workload; **change failure rate:** rollouts rolled back or aborted and plain rollbacks, over deployments`,
  ];
  if (report.environments.length === 0) {
    parts.push('', 'No promotion in this window.');
  }
  for (const env of report.environments) {
    parts.push('', `### ${cell(env.environment)}`, '', table(env), '', weeklyChart(env));
    const lead = leadChart(env);
    if (lead !== undefined) parts.push('', lead);
    if (env.withoutSourceTime > 0)
      parts.push(
        '',
        `${env.withoutSourceTime} deployment(s) have no \`Rollgate-Source-Time\` and are left out of lead time (promote with \`--source-time\`, or from the Action).`,
      );
  }
  return `${parts.join('\n')}\n`;
}
