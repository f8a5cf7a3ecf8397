// Synthetic request counters for two services over 31 days, ending at END: a sample a minute for
// the last four days, every ten minutes before. `healthy` fails about 0.02% of requests all along;
// `burning` fails 0.05% until the last three hours, then about 3%. Counts are integers from a fixed
// formula, so every run writes the same data.

export const END = new Date('2026-11-01T12:00:00Z');
export const STEP_S = 60;
export const DAYS = 31;
export const BURN_MINUTES = 180;
const DENSE_MINUTES = 4 * 1440;

/** Sloth-style error ratios per window for service `search`: burning on the 6h/30m pair only. */
export const SLOTH_RATIOS: Readonly<Record<string, number>> = {
  '5m': 0.0011,
  '30m': 0.0072,
  '1h': 0.0068,
  '2h': 0.0066,
  '6h': 0.0065,
  '1d': 0.002,
  '3d': 0.0009,
  '30d': 0.0004,
};

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
      // Every minute for the last four days (the 5m to 3d windows, also three hours back); every
      // ten minutes before that, which is plenty for rate() over 30 days and quarters the backfill.
      if (fromEnd > DENSE_MINUTES && i % 10 !== 0) continue;
      lines.push(
        `http_requests_total{job="${series.job}",code="${series.code}"} ${count} ${startS + i * STEP_S}`,
      );
    }
  }
  // Sloth's recording rules for one SLO, as gauges over the last ten minutes (a rule's output is
  // read at the decision time only). Values are fixed fractions so the test can name them.
  for (const [window, ratio] of Object.entries(SLOTH_RATIOS)) {
    const family = `slo:sli_error:ratio_rate${window}`;
    lines.push(`# TYPE ${family} gauge`);
    for (let i = 10; i >= 0; i--) {
      lines.push(
        `${family}{sloth_service="search",sloth_slo="requests-availability"} ${ratio} ${endS - i * STEP_S}`,
      );
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
