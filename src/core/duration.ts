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

const SHOWN_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

/**
 * `1d 2h`, `59m 42s`, `18s`: the largest unit and the one below it, rounded down to whole seconds.
 * Never rounded up, so a baked time and the time left add up to no more than the whole ("18s of 1h:
 * 59m 42s left", not "1h left"). Under a second but more than nothing shows as 1s.
 */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  if (total <= 0) return ms > 0 ? '1s' : '0s';
  let left = total;
  const parts: string[] = [];
  for (const [unit, size] of SHOWN_UNITS) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (parts.length > 0 || n > 0) parts.push(n > 0 ? `${n}${unit}` : '');
    if (parts.length === 2) break;
  }
  return parts.filter((p) => p !== '').join(' ');
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
