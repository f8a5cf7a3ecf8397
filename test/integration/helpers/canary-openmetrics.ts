import { END } from './slo-openmetrics.js';

// Request counters of canary releases of `checkout` in production over the three hours before END,
// a sample every 15 seconds (so rate(...[1m]) has four), as `promtool tsdb create-blocks-from
// openmetrics` reads them. Counts come from a fixed formula, so every run writes the same data.
//   1.5.0  healthy: 1 failed request in 400 (0.25%) all along
//   1.6.0  healthy like 1.5.0, then 10% failed from FAILING_FROM (the last 20 minutes)
//   1.7.0  healthy, but serving only since TRAFFIC_FROM (the last 10 minutes): earlier steps have no data
// (relative to `end`, END by default)

export { END };
export const SAMPLE_S = 15;
export const HOURS = 3;
export const FAILING_FROM = new Date(END.getTime() - 20 * 60_000);
export const TRAFFIC_FROM = new Date(END.getTime() - 10 * 60_000);

type Release = { version: string; start: Date; failingFrom?: Date };

/** The three releases for data ending at `end` (a rollout test picks a weekday, clear of freezes). */
export function releases(end: Date = END): Release[] {
  const start = new Date(end.getTime() - HOURS * 3_600_000);
  return [
    { version: '1.5.0', start },
    { version: '1.6.0', start, failingFrom: new Date(end.getTime() - 20 * 60_000) },
    { version: '1.7.0', start: new Date(end.getTime() - 10 * 60_000) },
  ];
}

/** Requests per sample: 100; failed ones: 1 in every 4th sample when healthy, 10 when failing. */
function perSample(release: Release, i: number, atMs: number): { ok: number; failed: number } {
  const failing = release.failingFrom !== undefined && atMs > release.failingFrom.getTime();
  const failed = failing ? 10 : i % 4 === 0 ? 1 : 0;
  return { ok: 100 - failed, failed };
}

export function canaryOpenMetrics(end: Date = END): string {
  const lines = ['# HELP http_requests Requests served.', '# TYPE http_requests counter'];
  for (const code of ['200', '500'] as const) {
    for (const release of releases(end)) {
      let count = 0;
      const first = release.start.getTime() / 1000;
      const last = end.getTime() / 1000;
      for (let i = 0, t = first; t <= last; i++, t += SAMPLE_S) {
        if (i > 0) {
          const n = perSample(release, i, t * 1000);
          count += code === '200' ? n.ok : n.failed;
        }
        lines.push(
          `http_requests_total{job="checkout",env="production",track="canary",version="${release.version}",code="${code}"} ${count} ${t}`,
        );
      }
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
