import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import { formatInZone } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import { ASSERTED_NOTE, type Override, type Verdict } from '../core/types.js';
import { firstAfter, latestAtOrBefore, parseLocalTime } from '../core/zoned-cron.js';
import type { FreezeConfig } from './freeze-schema.js';
import { defineGate, type GateContext } from './gate.js';

export type { FreezeConfig };

type FreezeWindow = FreezeConfig['windows'][number];

interface ActiveWindow {
  readonly label: string;
  readonly zone: string;
  readonly start: Date;
  readonly end: Date;
}

function zoneOf(window: FreezeWindow): string {
  return window.timezone ?? 'UTC';
}

function labelOf(window: FreezeWindow, index: number): string {
  if (window.name !== undefined) return window.name;
  if ('from' in window) return `${window.from} to ${window.to} ${zoneOf(window)}`;
  return `window ${index + 1} (${window.start} ${zoneOf(window)})`;
}

/**
 * The window's occurrence that covers `at`, if any: for a recurring window, the latest start at or
 * before `at` followed by an end after `at` (see src/core/zoned-cron.ts for the DST rules).
 */
export function activeOccurrence(
  window: FreezeWindow,
  at: Date,
  index: number,
  ends: EndMemo = new Map(),
): ActiveWindow | undefined {
  const zone = zoneOf(window);
  const label = labelOf(window, index);
  if ('from' in window) {
    const from = parseLocalTime(window.from, zone);
    const to = parseLocalTime(window.to, zone);
    if (from === undefined || to === undefined) return undefined;
    return from <= at && at < to ? { label, zone, start: from, end: to } : undefined;
  }
  const start = latestAtOrBefore(window.start, zone, at);
  if (start === undefined) return undefined;
  const end =
    'duration' in window
      ? new Date(start.getTime() + (parseDuration(window.duration) ?? 0))
      : endAfter(window.end, zone, start, ends);
  // A cron end that never comes again leaves the freeze on: say so rather than open silently.
  if (end === undefined) return { label, zone, start, end: new Date(NEVER) };
  return end > at ? { label, zone, start, end } : undefined;
}

/** Cron ends already found, by expression, zone and start: following windows meets the same starts again. */
type EndMemo = Map<string, Date | undefined>;

function endAfter(expr: string, zone: string, start: Date, ends: EndMemo): Date | undefined {
  const key = `${start.getTime()} ${zone} ${expr}`;
  if (!ends.has(key)) ends.set(key, firstAfter(expr, zone, start));
  return ends.get(key);
}

function activeWindows(config: FreezeConfig, at: Date, ends: EndMemo): ActiveWindow[] {
  return config.windows.flatMap((w, i) => activeOccurrence(w, at, i, ends) ?? []);
}

const NEVER = 8.64e15;
const MAX_HOPS = 100;

/**
 * When promotions open again: follows windows that overlap or abut. Bounded so a config whose
 * windows follow one another without a gap cannot loop; then `endless` is set and `at` is only how
 * far the search got.
 */
export function opensAt(
  config: FreezeConfig,
  at: Date,
): { at: Date; windows: ActiveWindow[]; endless: boolean } | undefined {
  const ends: EndMemo = new Map();
  let active = activeWindows(config, at, ends);
  if (active.length === 0) return undefined;
  const seen = [...active];
  let until = at;
  for (let hop = 0; hop < MAX_HOPS && active.length > 0; hop++) {
    until = new Date(Math.max(...active.map((w) => w.end.getTime())));
    if (until.getTime() >= NEVER) break;
    active = activeWindows(config, until, ends);
    for (const w of active) if (!seen.some((s) => s.label === w.label)) seen.push(w);
  }
  return { at: until, windows: seen, endless: active.length > 0 };
}

/** The next time any window starts after `at` (for the verdict's details when nothing is frozen). */
export function nextStart(config: FreezeConfig, at: Date): { at: Date; label: string } | undefined {
  let best: { at: Date; label: string } | undefined;
  config.windows.forEach((w, i) => {
    const zone = zoneOf(w);
    const start = 'from' in w ? parseLocalTime(w.from, zone) : firstAfter(w.start, zone, at);
    if (start === undefined || start <= at) return;
    if (best === undefined || start < best.at) best = { at: start, label: labelOf(w, i) };
  });
  return best;
}

type OverrideFound = Override | { missingReason: string } | undefined;

/**
 * The override that applies, if any. A label is verified when the pull request carries it (or the
 * request's labels come from GitHub); break-glass is verified when the requester is. On the CLI both
 * are only asserted, and the override says so.
 */
function findOverride(config: FreezeConfig, ctx: GateContext): OverrideFound {
  const { request, facts } = ctx;
  const asserted = request.identity === 'asserted';
  const verifiedLabels = [...(asserted ? [] : (request.labels ?? [])), ...(facts.pullRequest?.labels ?? [])];
  const labels = [...verifiedLabels, ...(asserted ? (request.labels ?? []) : [])];
  const label = config.unless?.labels?.find((l) => labels.includes(l));
  if (label !== undefined) {
    const mark = verifiedLabels.includes(label) ? {} : { asserted: true as const };
    return { by: 'label', who: request.requestedBy, reason: `label "${label}"`, ...mark };
  }
  const glass = config.unless?.breakGlass;
  if (glass === undefined) return undefined;
  const teams = facts.teamsOf?.[request.requestedBy] ?? [];
  const allowed =
    glass.users?.includes(request.requestedBy) === true ||
    glass.teams?.some((t) => teams.includes(t)) === true;
  if (!allowed) return undefined;
  if (request.reason === undefined || request.reason.trim() === '')
    return { missingReason: request.requestedBy };
  return {
    by: 'break-glass',
    who: request.requestedBy,
    reason: request.reason.trim(),
    ...(asserted ? { asserted: true as const } : {}),
  };
}

function howToOverride(config: FreezeConfig): string {
  const ways: string[] = [];
  const labels = config.unless?.labels ?? [];
  if (labels.length > 0) ways.push(`label the pull request ${labels.map((l) => `"${l}"`).join(' or ')}`);
  const glass = config.unless?.breakGlass;
  const who = [...(glass?.users ?? []), ...(glass?.teams ?? [])];
  if (who.length > 0) ways.push(`${who.join(', ')} may break glass with --reason`);
  return ways.length > 0 ? `; to override: ${ways.join(', or ')}` : '';
}

export const freezeGate = defineGate<FreezeConfig>({
  kind: 'freeze',
  check(config) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    config.windows.forEach((w, i) => {
      const zone = zoneOf(w);
      if (!IANAZone.isValidZone(zone)) {
        problems.push({
          path: ['windows', i, 'timezone'],
          message: `unknown time zone "${zone}": use an IANA name such as Europe/Berlin or America/New_York`,
        });
        return;
      }
      const crons = 'from' in w ? [] : 'end' in w ? (['start', 'end'] as const) : (['start'] as const);
      for (const key of crons) {
        const expr = (w as Record<string, string>)[key] ?? '';
        // cron-parser draws a hashed field (H, H/15, H(0-29)) at random on every parse: the window
        // would open at another minute each time the gate is judged.
        if (hasHashedField(expr)) {
          problems.push({
            path: ['windows', i, key],
            message: `cron "${expr}" has an H (hashed) field, which would move the window on every evaluation; write the minute and hour, e.g. "30 16 * * FRI"`,
          });
          continue;
        }
        try {
          CronExpressionParser.parse(expr, { tz: 'UTC' }).next();
        } catch (err) {
          problems.push({
            path: ['windows', i, key],
            message: `bad cron "${expr}": ${(err as Error).message}; expected 5 fields such as "0 16 * * FRI"`,
          });
        }
      }
      if ('duration' in w && !((parseDuration(w.duration) ?? 0) > 0)) {
        problems.push({
          path: ['windows', i, 'duration'],
          message: `duration ${w.duration} must be more than zero`,
        });
      }
      if ('from' in w) {
        const from = parseLocalTime(w.from, zone);
        const to = parseLocalTime(w.to, zone);
        if (from === undefined)
          problems.push({
            path: ['windows', i, 'from'],
            message: `not an ISO time: "${w.from}" (write 2026-12-21T00:00)`,
          });
        if (to === undefined)
          problems.push({
            path: ['windows', i, 'to'],
            message: `not an ISO time: "${w.to}" (write 2027-01-04T00:00)`,
          });
        if (from !== undefined && to !== undefined && to <= from)
          problems.push({
            path: ['windows', i, 'to'],
            message: `"to" (${w.to}) must be after "from" (${w.from})`,
          });
      }
    });
    return problems;
  },
  evaluate(name, config, ctx): Verdict {
    const base = { gate: name, kind: 'freeze' } as const;
    const now = ctx.facts.now;
    const open = opensAt(config, now);
    if (open === undefined) {
      const next = nextStart(config, now);
      return {
        ...base,
        outcome: 'pass',
        reasonCode: 'freeze.inactive',
        reason: 'no freeze window is active',
        details: next === undefined ? {} : { nextWindow: next.label, nextStart: next.at.toISOString() },
      };
    }
    const first = open.windows[0] as ActiveWindow;
    const opens = open.endless ? {} : { opensAt: open.at.toISOString() };
    const details = {
      windows: open.windows.map((w) => w.label),
      timezone: first.zone,
      startedAt: first.start.toISOString(),
      opensAt: open.endless ? null : open.at.toISOString(),
    };
    const frozen = open.endless
      ? `frozen by ${first.label} with no end in sight: its windows follow one another without a gap`
      : `frozen by ${first.label} until ${formatInZone(open.at, first.zone)}`;
    const override = findOverride(config, ctx);
    if (override !== undefined && 'missingReason' in override) {
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'freeze.break-glass-needs-reason',
        reason: `${frozen}; ${override.missingReason} may break glass but must say why: add --reason "..."`,
        details,
        ...opens,
      };
    }
    if (override !== undefined && override.asserted && config.unless?.verifiedOnly === true) {
      const what = override.by === 'label' ? override.reason : `break-glass by ${override.who}`;
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'freeze.override-not-verified',
        reason: `${frozen}; ${what} is ${ASSERTED_NOTE}, and this freeze takes only overrides GitHub verifies (unless.verifiedOnly): label the pull request or /promote from a comment`,
        details: { ...details, refusedOverride: override },
        ...opens,
      };
    }
    if (override !== undefined) {
      // Never silent: a warn verdict of its own, with `override` set for the report and the trailers.
      const note = override.asserted ? `; ${ASSERTED_NOTE}` : '';
      return {
        ...base,
        outcome: 'warn',
        reasonCode: `freeze.overridden.${override.by}`,
        reason: `${frozen}, overridden by ${override.by} (${override.who}: ${override.reason}${note})`,
        details,
        override,
      };
    }
    return {
      ...base,
      outcome: 'fail',
      reasonCode: 'freeze.active',
      reason: `${frozen}${howToOverride(config)}`,
      details,
      ...opens,
    };
  },
});

/** A field element that starts with H: `H`, `H/15`, `H(0-29)` (day names such as THU do not). */
function hasHashedField(expr: string): boolean {
  return expr
    .trim()
    .split(/\s+/)
    .some((field) => field.split(',').some((element) => /^H/i.test(element)));
}
