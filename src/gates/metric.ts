import { checkShape } from '../config/shape.js';
import { SHAPES } from '../config/shapes.generated.js';
import { formatPromDuration, parseDuration } from '../core/duration.js';
import type { Verdict } from '../core/types.js';
import { defineGate } from './gate.js';
import type { MetricConfig, MetricInputs, RangeResult } from './metric-schema.js';
import { checkPrometheus, positiveDuration } from './slo-config.js';
import { escapeLabel, parseSampleValue } from './slo-queries.js';
import type { QueryResult } from './slo-schema.js';

// The `metric` gate: one PromQL query judged against a threshold range, like an Argo Rollouts
// AnalysisTemplate metric. As a promotion gate it judges the instant value at the decision time; as
// a canary's analysis it judges every point of a range query over the step's window, at `interval`,
// and fails once more than `failureLimit` points fall outside the range. Pure over what the fetchers
// (src/facts/fetchers.ts) stored in facts.gateInputs[name].
//
// Verdicts (docs/gates.md, and "PD3 decisions" for the engine):
//   metric.pass     pass
//   metric.fail     fail
//   metric.no-data  outcome by onNoData: pass | fail, or for `inconclusive` warn with details.inconclusive
//                   (a promotion goes ahead with the warning; a canary pauses, never rolls back)
//   metric.error    fail with details.error (Prometheus unreachable or refused the query: blocks a
//                   promotion; the engine neither steps nor rolls back)

export const DEFAULT_INTERVAL = '1m';
export const PLACEHOLDERS = ['service', 'environment', 'version', 'interval'] as const;

export type { MetricConfig };

/** What the placeholders stand for: the rollout or promotion being judged. */
export interface MetricSubject {
  readonly environment?: string;
  readonly service?: string;
  readonly version?: string;
}

export function intervalMs(config: MetricConfig): number {
  return parseDuration(config.interval ?? DEFAULT_INTERVAL) ?? 60_000;
}

/** Whether the query names `{{service}}`, so a promotion of several services asks once per service. */
export function usesService(config: MetricConfig): boolean {
  return config.query.includes('{{service}}');
}

/** The PromQL with its placeholders filled, or the placeholders the subject cannot fill. */
export function fillQuery(
  config: MetricConfig,
  subject: MetricSubject,
): { ok: true; query: string } | { ok: false; missing: string[] } {
  const values: Readonly<Record<string, string | undefined>> = {
    service: subject.service,
    environment: subject.environment,
    version: subject.version,
    interval: formatPromDuration(intervalMs(config)),
  };
  const missing: string[] = [];
  const query = config.query.replace(/\{\{(\w+)\}\}/g, (all, name: string) => {
    const value = values[name];
    if (value === undefined) {
      if (!missing.includes(name)) missing.push(name);
      return all;
    }
    return escapeLabel(value);
  });
  return missing.length === 0 ? { ok: true, query } : { ok: false, missing };
}

export type { MetricInputs, RangeResult };

/** Measurements by how they were judged, as an Argo AnalysisRun counts them. */
export interface MetricCounts {
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
}

interface Judged {
  readonly service?: string;
  readonly query: string;
  readonly counts: MetricCounts;
  /** The instant value, as Prometheus wrote it. */
  readonly value?: string;
  /** Points outside the range, the first ten. */
  readonly outside: { at: string; value: string }[];
  readonly noData?: string;
  readonly error?: { reasonCode: string; reason: string };
}

const MAX_SHOWN = 10;

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

/** Prometheus's float text for a reason: 0.09999999999999999 reads as 0.1 (details keep the text). */
function show(text: string | undefined): string {
  if (text === undefined) return '?';
  const n = parseSampleValue(text);
  return Number.isFinite(n) ? fmt(n) : text;
}

export function describeRange(range: MetricConfig['thresholdRange']): string {
  const { min, max } = range;
  if (min !== undefined && max !== undefined) return `between ${fmt(min)} and ${fmt(max)}`;
  if (max !== undefined) return `at most ${fmt(max)}`;
  return `at least ${fmt(min ?? Number.NEGATIVE_INFINITY)}`;
}

function within(value: number, range: MetricConfig['thresholdRange']): boolean {
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

function zero(): MetricCounts {
  return { successful: 0, failed: 0, inconclusive: 0, error: 0 };
}

/** What an instant and a range judgement start from: fresh counts and the entry's labels. */
function judgementOf(entry: { service?: string | undefined; query: string }) {
  const counts = zero();
  const base = {
    ...(entry.service === undefined ? {} : { service: entry.service }),
    query: entry.query,
    counts,
  };
  return { counts, base };
}

/** A query Prometheus could not answer: one error, no points judged. */
function failedQuery(
  base: ReturnType<typeof judgementOf>['base'],
  result: { reasonCode: string; reason: string },
): Judged {
  base.counts.error = 1;
  return { ...base, outside: [], error: { reasonCode: result.reasonCode, reason: result.reason } };
}

function judgeInstant(
  entry: { service?: string | undefined; query: string; result: QueryResult },
  at: string,
  range: MetricConfig['thresholdRange'],
): Judged {
  const { counts, base } = judgementOf(entry);
  const { result } = entry;
  if (result.kind === 'error') return failedQuery(base, result);
  if (result.kind === 'empty') {
    counts.inconclusive = 1;
    return { ...base, outside: [], noData: 'no samples' };
  }
  const value = parseSampleValue(result.value);
  if (Number.isNaN(value)) {
    counts.inconclusive = 1;
    return { ...base, value: result.value, outside: [], noData: 'the value is NaN' };
  }
  if (within(value, range)) {
    counts.successful = 1;
    return { ...base, value: result.value, outside: [] };
  }
  counts.failed = 1;
  return { ...base, value: result.value, outside: [{ at, value: result.value }] };
}

/** How many points a range query over [from, to] at `stepMs` evaluates. */
export function expectedPoints(fromMs: number, toMs: number, stepMs: number): number {
  return toMs < fromMs || !(stepMs > 0) ? 0 : Math.floor((toMs - fromMs) / stepMs) + 1;
}

function judgeRange(
  entry: { service?: string | undefined; query: string; result: RangeResult },
  expected: number,
  range: MetricConfig['thresholdRange'],
): Judged {
  const { counts, base } = judgementOf(entry);
  const { result } = entry;
  if (result.kind === 'error') return failedQuery(base, result);
  const outside: { at: string; value: string }[] = [];
  const points = result.kind === 'series' ? result.points : [];
  for (const [seconds, text] of points) {
    const value = parseSampleValue(text);
    if (Number.isNaN(value)) counts.inconclusive++;
    else if (within(value, range)) counts.successful++;
    else {
      counts.failed++;
      if (outside.length < MAX_SHOWN)
        outside.push({ at: new Date(seconds * 1000).toISOString(), value: text });
    }
  }
  // A step where the series has no sample (no traffic, a scrape gap) is a measurement without data.
  counts.inconclusive += Math.max(0, expected - points.length);
  const noData =
    counts.successful + counts.failed > 0
      ? undefined
      : points.length === 0
        ? 'no samples in the window'
        : `only NaN in the window (${points.length} points)`;
  return { ...base, outside, ...(noData === undefined ? {} : { noData }) };
}

function sum(judged: readonly Judged[]): MetricCounts {
  const total = zero();
  for (const j of judged) {
    total.successful += j.counts.successful;
    total.failed += j.counts.failed;
    total.inconclusive += j.counts.inconclusive;
    total.error += j.counts.error;
  }
  return total;
}

function who(j: Judged, many: boolean): string {
  return many && j.service !== undefined ? `${j.service}: ` : '';
}

export const metricGate = defineGate<MetricConfig>({
  kind: 'metric',
  check(config) {
    const problems = checkPrometheus(config.prometheus);
    const { min, max } = config.thresholdRange;
    if (min === undefined && max === undefined) {
      problems.push({
        path: ['thresholdRange'],
        message: 'thresholdRange needs min, max or both, e.g. { max: 0.01 }',
      });
    } else if (min !== undefined && max !== undefined && min > max) {
      problems.push({
        path: ['thresholdRange', 'min'],
        message: `min ${min} is above max ${max}: no value could pass; swap them`,
      });
    }
    positiveDuration(config.interval, ['interval'], problems);
    const known: readonly string[] = PLACEHOLDERS;
    for (const match of config.query.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      const name = match[1] ?? '';
      if (!known.includes(name) || match[0] !== `{{${name}}}`) {
        problems.push({
          path: ['query'],
          message: `unknown placeholder ${match[0]} in the query: use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        });
      }
    }
    return problems;
  },
  evaluate(name, config, ctx): Verdict {
    const range = config.thresholdRange;
    const failureLimit = config.failureLimit ?? 0;
    const onNoData = config.onNoData ?? 'inconclusive';
    const settings = {
      thresholdRange: range,
      interval: formatPromDuration(intervalMs(config)),
      failureLimit,
      onNoData,
    };
    const verdict = (
      outcome: Verdict['outcome'],
      reasonCode: string,
      reason: string,
      details: Record<string, unknown>,
    ): Verdict => ({ gate: name, kind: 'metric', outcome, reasonCode, reason, details });

    const parsed = checkShape(SHAPES.metricInputs, ctx.facts.gateInputs?.[name]);
    if (!parsed.ok) {
      return verdict(
        'fail',
        'metric.error',
        'no Prometheus results were fetched for this gate: run it through rollgate, which queries Prometheus first',
        { ...settings, counts: { ...zero(), error: 1 }, error: true },
      );
    }
    const inputs = parsed.data;
    const expected =
      inputs.mode === 'range'
        ? expectedPoints(Date.parse(inputs.from), Date.parse(inputs.to), inputs.stepSeconds * 1000)
        : 1;
    const judged =
      inputs.mode === 'instant'
        ? inputs.results.map((r) => judgeInstant(r, inputs.at, range))
        : inputs.results.map((r) => judgeRange(r, expected, range));
    const counts = sum(judged);
    const many = judged.length > 1;
    const where =
      inputs.mode === 'instant'
        ? { mode: 'instant' as const, at: inputs.at }
        : {
            mode: 'range' as const,
            window: {
              from: inputs.from,
              to: inputs.to,
              step: formatPromDuration(inputs.stepSeconds * 1000),
              points: expected,
            },
          };
    const details = { ...where, prometheus: inputs.prometheus, ...settings, counts, results: judged };
    const wanted = describeRange(range);

    // An instant value outside the range fails; over a window, more than failureLimit points do.
    const limit = inputs.mode === 'instant' ? 0 : failureLimit;
    const failing = judged.filter((j) => j.counts.failed > limit);
    if (failing.length > 0) {
      const text = failing.map((j) =>
        inputs.mode === 'instant'
          ? `${who(j, many)}value ${show(j.value)} is not ${wanted}`
          : `${who(j, many)}${j.counts.failed} of ${expected} points not ${wanted} (failureLimit ${failureLimit}; first ${show(j.outside[0]?.value)} at ${j.outside[0]?.at ?? '?'})`,
      );
      return verdict('fail', 'metric.fail', text.join('; '), details);
    }
    const errors = judged.filter((j) => j.error !== undefined);
    if (errors.length > 0) {
      const text = errors.map((j) => `${who(j, many)}${j.error?.reason ?? ''}`).join('; ');
      return verdict('fail', 'metric.error', `cannot judge: ${text}`, { ...details, error: true });
    }
    // Every query must have data: one service of several without any is no data for the promotion.
    const empty = judged.filter((j) => j.noData !== undefined);
    if (empty.length > 0 || judged.length === 0) {
      const why =
        judged.length === 0
          ? 'nothing was queried'
          : empty.map((j) => `${who(j, many)}${j.noData ?? ''}`).join('; ');
      const effect =
        onNoData === 'inconclusive'
          ? 'inconclusive: a canary pauses; a promotion goes ahead with this warning'
          : `onNoData is ${onNoData}`;
      const outcome = onNoData === 'inconclusive' ? 'warn' : onNoData;
      return verdict(outcome, 'metric.no-data', `no data (${why}): ${effect}`, {
        ...details,
        ...(onNoData === 'inconclusive' ? { inconclusive: true } : {}),
      });
    }
    const text = judged.map((j) =>
      inputs.mode === 'instant'
        ? `${who(j, many)}value ${show(j.value)} is ${wanted}`
        : `${who(j, many)}${j.counts.successful} of ${expected} points ${wanted}, ${j.counts.failed} outside (failureLimit ${failureLimit})${j.counts.inconclusive > 0 ? `, ${j.counts.inconclusive} without data` : ''}`,
    );
    return verdict('pass', 'metric.pass', text.join('; '), details);
  },
});
