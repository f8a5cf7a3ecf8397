// The requests a cluster would have served during the canary demo, as an OpenMetrics text for
// `promtool tsdb create-blocks-from openmetrics`: counters `http_requests_total{job, track, code}`
// (track stable or canary, code 200 or 500), a sample every 15 seconds. The canary's share of the
// traffic and each track's error ratio follow a table of segments, so the demo's story (a healthy
// release, then one that fails under load) is data a real Prometheus answers queries about. Counts
// come from a fixed formula: every run writes the same samples.

/** From `from` on (until the next segment), the traffic looks like this. */
export interface TrafficSegment {
  readonly from: Date;
  /** Percentage of requests the canary serves. */
  readonly canaryWeight: number;
  /** Fraction of the stable track's requests that fail (code 500). */
  readonly stableErrors: number;
  /** Fraction of the canary track's requests that fail. */
  readonly canaryErrors: number;
}

export const SAMPLE_SECONDS = 15;
/** Requests a second over both tracks, give or take a few (a fixed ripple). */
const RATE = 200;

/** Counter samples of `job` from the first segment's start to `until`. */
export function trafficOpenMetrics(job: string, segments: readonly TrafficSegment[], until: Date): string {
  const first = segments[0];
  if (first === undefined) throw new Error('trafficOpenMetrics: no segments');
  const startS = Math.floor(first.from.getTime() / 1000);
  const endS = Math.floor(until.getTime() / 1000);
  const counters = { stable200: 0, stable500: 0, canary200: 0, canary500: 0 };
  const rows: Record<keyof typeof counters, string[]> = {
    stable200: [],
    stable500: [],
    canary200: [],
    canary500: [],
  };
  let segment = 0;
  for (let t = startS, i = 0; t <= endS; t += SAMPLE_SECONDS, i++) {
    while ((segments[segment + 1]?.from.getTime() ?? Infinity) <= t * 1000) segment++;
    const s = segments[segment] ?? first;
    if (i > 0) {
      const requests = SAMPLE_SECONDS * (RATE + ((i * 37) % 11) - 5);
      const canary = (requests * s.canaryWeight) / 100;
      const stable = requests - canary;
      counters.stable500 += stable * s.stableErrors;
      counters.stable200 += stable * (1 - s.stableErrors);
      counters.canary500 += canary * s.canaryErrors;
      counters.canary200 += canary * (1 - s.canaryErrors);
    }
    for (const key of Object.keys(counters) as (keyof typeof counters)[]) {
      rows[key].push(`${Math.floor(counters[key])} ${t}`);
    }
  }
  const lines = ['# HELP http_requests Requests served.', '# TYPE http_requests counter'];
  for (const [key, samples] of Object.entries(rows)) {
    const track = key.startsWith('stable') ? 'stable' : 'canary';
    const code = key.slice(track.length);
    const labels = `{job="${job}",track="${track}",code="${code}"}`;
    for (const sample of samples) lines.push(`http_requests_total${labels} ${sample}`);
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
