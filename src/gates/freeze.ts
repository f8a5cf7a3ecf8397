import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { formatInZone, isKnownZone } from '../core/clock.js';
import { DURATION_PATTERN, parseDuration } from '../core/duration.js';
import type { Override, Verdict } from '../core/types.js';
import { defineGate, type GateContext } from './gate.js';

const timezone = z
  .string()
  .describe('IANA time zone the window is written in, e.g. Europe/Berlin. UTC when absent.')
  .optional();
const name = z.string().describe('A name for the window, shown in the verdict.').optional();

const cronWindow = z.strictObject({
  name,
  start: z
    .string()
    .describe('Cron expression (5 or 6 fields) for when the freeze starts, in the window zone.'),
  end: z.string().describe('Cron expression for when the freeze ends, in the window zone.'),
  timezone,
});
const durationWindow = z.strictObject({
  name,
  start: z.string().describe('Cron expression for when the freeze starts, in the window zone.'),
  duration: z
    .string()
    .regex(DURATION_PATTERN, 'a duration such as 30m, 8h, 2d')
    .describe('How long each freeze lasts.'),
  timezone,
});
const oneOffWindow = z.strictObject({
  name,
  from: z
    .string()
    .describe('Start: local ISO time in the window zone (2026-12-21T00:00), or with an explicit offset.'),
  to: z.string().describe('End (exclusive): local ISO time in the window zone, or with an explicit offset.'),
  timezone,
});

export const freezeSchema = z
  .strictObject({
    windows: z.array(z.union([cronWindow, durationWindow, oneOffWindow])).min(1),
    unless: z
      .strictObject({
        labels: z
          .array(z.string())
          .describe('A pull request with one of these labels is let through.')
          .optional(),
        breakGlass: z
          .strictObject({
            users: z.array(z.string()).optional(),
            teams: z.array(z.string()).describe('org/team slugs').optional(),
          })
          .describe('Who may override the freeze with --reason.')
          .optional(),
      })
      .optional(),
  })
  .describe('Deny promotions while any window is active.');

export type FreezeConfig = z.output<typeof freezeSchema>;
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

function localTime(text: string, zone: string): DateTime {
  // An explicit offset or Z wins over the zone; a bare local time is read in the zone.
  return DateTime.fromISO(text, { zone, setZone: false });
}

/** The window's occurrence that covers `at`, if any. */
export function activeOccurrence(window: FreezeWindow, at: Date, index: number): ActiveWindow | undefined {
  const zone = zoneOf(window);
  if ('from' in window) {
    const from = localTime(window.from, zone).toJSDate();
    const to = localTime(window.to, zone).toJSDate();
    const label = window.name ?? `${window.from} to ${window.to} ${zone}`;
    return from <= at && at < to ? { label, zone, start: from, end: to } : undefined;
  }
  // The latest start at or before `at` (prev() is strict, so look from one millisecond later).
  const starts = CronExpressionParser.parse(window.start, {
    currentDate: new Date(at.getTime() + 1),
    tz: zone,
  });
  const start = starts.prev().toDate();
  let end: Date;
  if ('duration' in window) {
    end = new Date(start.getTime() + (parseDuration(window.duration) ?? 0));
  } else {
    end = CronExpressionParser.parse(window.end, { currentDate: start, tz: zone }).next().toDate();
  }
  const label = window.name ?? `window ${index + 1} (${window.start} ${zone})`;
  return end > at ? { label, zone, start, end } : undefined;
}

function activeWindows(config: FreezeConfig, at: Date): ActiveWindow[] {
  return config.windows.flatMap((w, i) => activeOccurrence(w, at, i) ?? []);
}

/** When promotions open again: follows windows that overlap or abut, bounded so bad config cannot loop. */
export function opensAt(config: FreezeConfig, at: Date): { at: Date; windows: ActiveWindow[] } | undefined {
  let active = activeWindows(config, at);
  if (active.length === 0) return undefined;
  const seen = [...active];
  let until = at;
  for (let hop = 0; hop < 100 && active.length > 0; hop++) {
    until = new Date(Math.max(...active.map((w) => w.end.getTime())));
    active = activeWindows(config, until);
    seen.push(...active);
  }
  return { at: until, windows: seen };
}

function findOverride(
  config: FreezeConfig,
  ctx: GateContext,
): Override | { missingReason: string } | undefined {
  const { request } = ctx;
  const label = config.unless?.labels?.find((l) => request.labels?.includes(l));
  if (label !== undefined) return { by: 'label', who: request.requestedBy, reason: `label "${label}"` };
  const glass = config.unless?.breakGlass;
  if (glass === undefined) return undefined;
  const teams = ctx.facts.teamsOf?.[request.requestedBy] ?? [];
  const allowed = glass.users?.includes(request.requestedBy) || glass.teams?.some((t) => teams.includes(t));
  if (!allowed) return undefined;
  if (request.reason === undefined || request.reason.trim() === '')
    return { missingReason: request.requestedBy };
  return { by: 'break-glass', who: request.requestedBy, reason: request.reason };
}

export const freezeGate = defineGate({
  kind: 'freeze',
  description:
    'Freeze windows: recurring (cron start/end or start/duration) and one-off (from/to), per time zone.',
  schema: freezeSchema,
  check(config) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    config.windows.forEach((w, i) => {
      const zone = zoneOf(w);
      if (!isKnownZone(zone)) {
        problems.push({
          path: ['windows', i, 'timezone'],
          message: `unknown time zone "${zone}": use an IANA name such as Europe/Berlin`,
        });
        return;
      }
      const crons = 'from' in w ? [] : 'end' in w ? (['start', 'end'] as const) : (['start'] as const);
      for (const key of crons) {
        const expr = (w as Record<string, string>)[key] ?? '';
        try {
          CronExpressionParser.parse(expr, { tz: zone }).next();
        } catch (err) {
          problems.push({
            path: ['windows', i, key],
            message: `bad cron "${expr}": ${(err as Error).message}`,
          });
        }
      }
      if ('duration' in w && !(parseDuration(w.duration) ?? 0)) {
        problems.push({ path: ['windows', i, 'duration'], message: 'duration must be more than zero' });
      }
      if ('from' in w) {
        const from = localTime(w.from, zone);
        const to = localTime(w.to, zone);
        if (!from.isValid)
          problems.push({
            path: ['windows', i, 'from'],
            message: `not an ISO time: "${w.from}" (write 2026-12-21T00:00)`,
          });
        if (!to.isValid)
          problems.push({
            path: ['windows', i, 'to'],
            message: `not an ISO time: "${w.to}" (write 2027-01-04T00:00)`,
          });
        if (from.isValid && to.isValid && to <= from)
          problems.push({ path: ['windows', i, 'to'], message: '"to" must be after "from"' });
      }
    });
    return problems;
  },
  evaluate(name, config, ctx): Verdict {
    const now = ctx.facts.now;
    const open = opensAt(config, now);
    if (open === undefined) {
      return {
        gate: name,
        kind: 'freeze',
        outcome: 'pass',
        reasonCode: 'freeze.inactive',
        reason: 'no freeze window is active',
        details: {},
      };
    }
    const first = open.windows[0] as ActiveWindow;
    const until = formatInZone(open.at, first.zone);
    const details = { windows: open.windows.map((w) => w.label), opensAt: open.at.toISOString() };
    const override = findOverride(config, ctx);
    if (override !== undefined && 'missingReason' in override) {
      return {
        gate: name,
        kind: 'freeze',
        outcome: 'fail',
        reasonCode: 'freeze.break-glass-needs-reason',
        reason: `frozen by ${first.label} until ${until}; ${override.missingReason} may break glass but must give --reason`,
        details,
        opensAt: open.at.toISOString(),
      };
    }
    if (override !== undefined) {
      return {
        gate: name,
        kind: 'freeze',
        outcome: 'warn',
        reasonCode: `freeze.overridden.${override.by}`,
        reason: `frozen by ${first.label} until ${until}, overridden by ${override.by} (${override.who}: ${override.reason})`,
        details,
        override,
      };
    }
    return {
      gate: name,
      kind: 'freeze',
      outcome: 'fail',
      reasonCode: 'freeze.active',
      reason: `frozen by ${first.label} until ${until}`,
      details,
      opensAt: open.at.toISOString(),
    };
  },
});
