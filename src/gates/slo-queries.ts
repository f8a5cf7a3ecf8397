import type { QueryResult, SloConfig, SloSamples } from './slo-schema.js';
import { sloWindows } from './slo-windows.js';

// What the slo fetcher asks Prometheus, and the shape of what it stores in
// facts.gateInputs[gateName] for the pure gate to read.

export type WindowQueries = { readonly errors: string; readonly total: string } | { readonly ratio: string };

/** A value spliced into a PromQL label matcher's double quotes. */
export function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

function fill(template: string, window: string): string {
  return template.replaceAll('{{window}}', window);
}

/** The PromQL per window. Errors and total are asked separately so "no samples" is told apart from 0/0. */
export function sloQueries(config: SloConfig): Record<string, WindowQueries> {
  const queries: Record<string, WindowQueries> = {};
  for (const window of sloWindows(config)) {
    if (config.sloth !== undefined) {
      const { service, slo } = config.sloth;
      queries[window] = {
        ratio: `slo:sli_error:ratio_rate${window}{sloth_service="${escapeLabel(service)}",sloth_slo="${escapeLabel(slo)}"}`,
      };
    } else if (config.ratio !== undefined) {
      queries[window] = { ratio: fill(config.ratio, window) };
    } else {
      queries[window] = {
        errors: fill(config.errors ?? '', window),
        total: fill(config.total ?? '', window),
      };
    }
  }
  return queries;
}

export type { QueryResult, SloSamples };

/** Prometheus's float text to a number: it writes NaN, +Inf and -Inf, which Number() only partly reads. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const n = Number(text);
  return text.trim() === '' ? Number.NaN : n;
}
