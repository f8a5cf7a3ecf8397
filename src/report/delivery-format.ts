import { formatDuration } from '../core/duration.js';
import type { DeliveryFigures, Distribution } from './delivery.js';

// Shared wording of the delivery report's figures, so the text, Markdown and HTML forms agree.

export function seconds(value: number | undefined): string {
  return value === undefined ? '–' : formatDuration(value * 1000);
}

export function rate(value: number | undefined): string {
  return value === undefined ? '–' : `${(value * 100).toFixed(1)}%`;
}

export function perPeriod(value: number): string {
  return value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2);
}

export function spread(d: Distribution): string {
  if (d.count === 0) return '–';
  return `${seconds(d.median)} (p90 ${seconds(d.p90)})`;
}

/** The figures of one row: the column order of every table. */
export const COLUMNS = [
  'deployments',
  'per day',
  'per week',
  'lead time median (p90)',
  'no source time',
  'failures',
  'change failure rate',
  'time to restore median (p90)',
] as const;

export function row(f: DeliveryFigures): string[] {
  return [
    String(f.deployments),
    perPeriod(f.perDay),
    perPeriod(f.perWeek),
    spread(f.leadTime),
    String(f.withoutSourceTime),
    String(f.failures),
    rate(f.changeFailureRate),
    `${spread(f.timeToRestore)}${f.unrestored > 0 ? `, ${f.unrestored} not restored` : ''}`,
  ];
}
