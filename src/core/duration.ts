// Durations as people write them in config: `90s`, `30m`, `1h`, `24h`, `7d`, `1h30m`.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/** Parses a duration; returns undefined when the text is not one (callers turn that into a config error). */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    const unit = UNIT_MS[match[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
  }
  return total;
}

/** `1d 2h 5m`: whole minutes, largest units first; under a minute shows seconds. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.ceil(ms / 1000))}s`;
  let minutes = Math.ceil(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  return parts.join(' ');
}

const PROM_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/**
 * A duration as Prometheus and Sloth spell it: the largest units first, no weeks (`30d`, `1h30m`, `5m`).
 * One canonical spelling matters because Sloth's recording rules carry the window in their names
 * (`slo:sli_error:ratio_rate30m`), so `0.5h` in a config must become `30m`.
 */
export function formatPromDuration(ms: number): string {
  let left = Math.round(ms);
  if (left <= 0) return '0s';
  let text = '';
  for (const [unit, size] of PROM_UNITS) {
    const n = Math.floor(left / size);
    if (n > 0) {
      text += `${n}${unit}`;
      left -= n * size;
    }
  }
  return text;
}

export const PERCENT_PATTERN = /^\d+(?:\.\d+)?%$/;

/** `25%` or `25` -> 0.25; undefined when it is neither a percent nor a number. */
export function parsePercent(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value / 100 : undefined;
  if (!PERCENT_PATTERN.test(value)) return undefined;
  return Number(value.slice(0, -1)) / 100;
}
