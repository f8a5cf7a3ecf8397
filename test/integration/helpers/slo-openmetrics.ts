// Synthetic request counters for two services, 31 days at one sample a minute, ending at END.
// `healthy` fails about 0.02% of requests all along; `burning` fails 0.05% until the last three
// hours, then about 3%. Counts are integers from a fixed formula, so every run writes the same data.

export const END = new Date('2026-11-01T12:00:00Z');
export const STEP_S = 60;
export const DAYS = 31;
export const BURN_MINUTES = 180;

type Series = {
  job: string;
  code: string;
  perMinute: (i: number, fromEnd: number) => number;
};

const total = (i: number) => 6000 + ((i * 7919) % 601);
const SERIES: readonly Series[] = [
  {
    job: 'healthy',
    code: '200',
    perMinute: (i) => total(i) - (1 + (i % 3 === 0 ? 1 : 0)),
  },
  { job: 'healthy', code: '500', perMinute: (i) => 1 + (i % 3 === 0 ? 1 : 0) },
  {
    job: 'burning',
    code: '200',
    perMinute: (i, fromEnd) => total(i) - (fromEnd < BURN_MINUTES ? 180 + (i % 7) : 3),
  },
  {
    job: 'burning',
    code: '500',
    perMinute: (i, fromEnd) => (fromEnd < BURN_MINUTES ? 180 + (i % 7) : 3),
  },
];

/** The whole OpenMetrics exposition `promtool tsdb create-blocks-from openmetrics` reads. */
export function sloOpenMetrics(): string {
  const endS = END.getTime() / 1000;
  const points = (DAYS * 86_400) / STEP_S;
  const startS = endS - points * STEP_S;
  const lines: string[] = ['# HELP http_requests Requests served.', '# TYPE http_requests counter'];
  for (const series of SERIES) {
    let count = 0;
    for (let i = 0; i <= points; i++) {
      const fromEnd = points - i;
      if (i > 0) count += series.perMinute(i, fromEnd);
      lines.push(
        `http_requests_total{job="${series.job}",code="${series.code}"} ${count} ${startS + i * STEP_S}`,
      );
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
