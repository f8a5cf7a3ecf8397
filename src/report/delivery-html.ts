import type { DeliveryReport, EnvironmentDelivery } from './delivery.js';
import { COLUMNS, row, seconds } from './delivery-format.js';
import { barChartSvg, escapeHtml } from './svg-chart.js';

// The delivery report as one self-contained HTML page: inline CSS, inline SVG charts, no script,
// no font, no image or stylesheet from anywhere. It opens from a file, an artifact or an email.

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; max-width: 1000px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; }
.meta { color: #57606a; margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0 12px; } th, td { border: 1px solid #d0d7de; padding: 4px 8px; }
th { background: #f6f8fa; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card .v { font-size: 20px; font-weight: 600; } .card .k { color: #57606a; font-size: 12px; }
.chart { display: block; margin: 8px 0; } .chart-title { font-size: 13px; font-weight: 600; fill: #1f2328; }
.axis { font-size: 11px; fill: #57606a; } .grid { stroke: #eaeef2; }
.note { color: #57606a; }
`;

function card(key: string, value: string, id: string): string {
  return `<div class="card" data-figure="${escapeHtml(id)}"><div class="v">${escapeHtml(value)}</div><div class="k">${escapeHtml(key)}</div></div>`;
}

function section(env: EnvironmentDelivery, index: number): string {
  const [deployments, perDay, perWeek, lead, , , cfr, restore] = row(env);
  const labels = env.weeks.map((w) => w.week.slice(5));
  const head = ['service', ...COLUMNS].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = [
    ...env.services.map((s) => ({ name: s.service, cells: row(s) })),
    ...(env.services.length > 1 ? [{ name: 'all', cells: row(env) }] : []),
  ]
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.name)}</td>${r.cells.map((c) => `<td class="n">${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const charts = [
    barChartSvg(
      {
        title: `${env.environment}: deployments and failures per week`,
        labels,
        series: [
          { name: 'deployments', color: '#2da44e', values: env.weeks.map((w) => w.deployments) },
          { name: 'failures', color: '#cf222e', values: env.weeks.map((w) => w.failures) },
        ],
      },
      `chart-deployments-${index}`,
    ),
    barChartSvg(
      {
        title: `${env.environment}: median lead time per week (hours)`,
        labels,
        unit: 'h',
        series: [
          {
            name: 'lead time median',
            color: '#0969da',
            values: env.weeks.map((w) =>
              w.leadTimeMedian === undefined ? 0 : Math.round(w.leadTimeMedian / 360) / 10,
            ),
          },
        ],
      },
      `chart-lead-time-${index}`,
    ),
  ];
  return [
    `<section class="environment" data-environment="${escapeHtml(env.environment)}">`,
    `<h2>${escapeHtml(env.environment)}</h2>`,
    '<div class="cards">',
    card('deployments', deployments ?? '', 'deployments'),
    card('per day / per week', `${perDay ?? ''} / ${perWeek ?? ''}`, 'frequency'),
    card('lead time median (p90)', lead ?? '', 'lead-time'),
    card('change failure rate', cfr ?? '', 'change-failure-rate'),
    card('time to restore median (p90)', restore ?? '', 'time-to-restore'),
    '</div>',
    ...charts,
    `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`,
    env.withoutSourceTime > 0
      ? `<p class="note">${env.withoutSourceTime} deployment(s) have no Rollgate-Source-Time and are left out of lead time.</p>`
      : '',
    env.failures > 0
      ? `<p class="note">Failures: ${env.services
          .flatMap((s) =>
            s.failureList.map(
              (f) =>
                `${escapeHtml(s.service)} ${escapeHtml(f.version)} ${escapeHtml(f.kind)} at ${escapeHtml(f.at.slice(0, 16).replace('T', ' '))}${f.timeToRestore !== undefined ? `, restored after ${escapeHtml(seconds(f.timeToRestore))}` : ', not restored'}`,
            ),
          )
          .join('; ')}</p>`
      : '',
    '</section>',
  ].join('\n');
}

export function deliveryHtml(report: DeliveryReport): string {
  const body =
    report.environments.length === 0
      ? '<p>No promotion in this window.</p>'
      : report.environments.map((env, i) => section(env, i)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rollgate delivery report ${escapeHtml(report.from.slice(0, 10))} to ${escapeHtml(report.to.slice(0, 10))}</title>
<style>${CSS}</style>
</head>
<body>
<h1>rollgate delivery report</h1>
<p class="meta">${escapeHtml(report.from.slice(0, 10))} to ${escapeHtml(report.to.slice(0, 10))} (${report.days} days), from the GitOps history. A deployment is a version reaching an environment's stable workload; the change failure rate counts rollouts rolled back or aborted and plain rollbacks, over deployments.</p>
${body}
</body>
</html>
`;
}
