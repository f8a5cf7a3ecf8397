// A bar chart as inline SVG, for pages that load nothing from outside (the delivery report's HTML).
// Text is escaped; sizes are fixed so the page renders the same everywhere.

export interface BarSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

export interface BarChart {
  readonly title: string;
  readonly labels: readonly string[];
  readonly series: readonly BarSeries[];
  /** Shown beside values on the axis, e.g. "h". */
  readonly unit?: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { left: 44, right: 12, top: 28, bottom: 40 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function barChartSvg(chart: BarChart, id: string): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...chart.series.flatMap((s) => s.values)));
  const groups = Math.max(1, chart.labels.length);
  const groupW = plotW / groups;
  const barW = Math.max(1, (groupW * 0.8) / Math.max(1, chart.series.length));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${escapeHtml(id)}" class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" aria-label="${escapeHtml(chart.title)}">`,
    `<title>${escapeHtml(chart.title)}</title>`,
    `<text x="${PAD.left}" y="18" class="chart-title">${escapeHtml(chart.title)}</text>`,
  ];
  for (const tick of [0, 0.5, 1]) {
    const v = max * tick;
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="axis">${format(v)}${escapeHtml(chart.unit ?? '')}</text>`,
    );
  }
  chart.labels.forEach((label, i) => {
    const x0 = PAD.left + i * groupW + groupW * 0.1;
    chart.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const top = y(v);
      parts.push(
        `<rect x="${(x0 + j * barW).toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${(PAD.top + plotH - top).toFixed(1)}" fill="${s.color}" class="bar" data-series="${escapeHtml(s.name)}" data-value="${v}"><title>${escapeHtml(`${label}: ${format(v)}${chart.unit ?? ''} ${s.name}`)}</title></rect>`,
      );
    });
    if (groups <= 16 || i % Math.ceil(groups / 16) === 0)
      parts.push(
        `<text x="${(PAD.left + (i + 0.5) * groupW).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" class="axis">${escapeHtml(label)}</text>`,
      );
  });
  chart.series.forEach((s, j) => {
    const x = PAD.left + j * 130;
    parts.push(
      `<rect x="${x}" y="${HEIGHT - 14}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${x + 14}" y="${HEIGHT - 5}" class="axis">${escapeHtml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
