import type { NotifyEvent as EventKind } from '../config/schema.js';
import type { Evaluation, PromotionOutcome } from '../core/pipeline.js';
import { rolloutOf } from '../core/pipeline.js';
import type { FlagStartReport } from '../core/flag-start.js';
import type { CommandReport, RolloutResult, TickReport } from '../core/rollout-run.js';
import type { PromotionRequest } from '../core/types.js';

// What a promotion or a rollout action did, as events a person is told about (Slack, a webhook).
// Pure: a function of the reports runTick, runRolloutCommand and promote already return. Each event
// says what happened, why, and the commands that act on it, as a PR comment and on the CLI.

export const NOTIFY_SCHEMA_VERSION = 1;

/** One way to act on an event: the PR comment and the CLI line that do the same. */
export interface NotifyAct {
  readonly what: string;
  readonly comment: string;
  readonly cli: string;
}

export interface NotificationEvent {
  readonly event: EventKind;
  readonly environment: string;
  /** The services; empty for a feature-flag rollout (`flag` names it). */
  readonly services: readonly string[];
  /** A feature-flag rollout's name: `version` is then the variant, `stable` the defaultVariant, `weight` the share. */
  readonly flag?: string;
  readonly version: string;
  readonly stable?: string;
  /** The rollout after the action: phase, step of steps, canary weight. */
  readonly phase?: string;
  readonly step?: number;
  readonly steps?: number;
  readonly weight?: number;
  /** What happened, one line. */
  readonly summary: string;
  /** Why: the engine's or the gates' reason. */
  readonly why: string;
  readonly reasonCode: string;
  readonly act: readonly NotifyAct[];
  readonly commit?: string;
  readonly requestedBy: string;
  readonly at: string;
}

const PHASE_AFTER: Readonly<Record<string, string>> = {
  step: 'progressing',
  promote: 'promoted',
  verify: 'verified',
  pause: 'paused',
  resume: 'progressing',
  rollback: 'rolled-back',
  abort: 'aborted',
};

const EVENT_OF: Readonly<Record<string, EventKind>> = {
  step: 'stepped',
  promote: 'promoted',
  verify: 'verified',
  pause: 'paused',
  rollback: 'rolled-back',
  abort: 'rolled-back',
};

function quoted(text: string): string {
  return /^[\w./:@+-]+$/.test(text) ? text : `"${text.replace(/["\\]/g, '\\$&')}"`;
}

function rolloutActs(
  verbs: readonly string[],
  environment: string,
  service: string,
  flag = false,
): NotifyAct[] {
  const what: Readonly<Record<string, string>> = {
    pause: 'stop stepping (a failing analysis still rolls back)',
    resume: 'carry on from this step with a fresh hold',
    abort: 'roll back to the stable version now, with a hold',
    advance: 'skip the rest of this hold',
  };
  const flagWhat: Readonly<Record<string, string>> = {
    abort: 'take the share back to 0 now, with a hold',
  };
  return verbs.map((verb) => ({
    what: (flag ? flagWhat[verb] : undefined) ?? what[verb] ?? verb,
    comment: flag ? `/${verb} ${environment} --flag ${service}` : `/${verb} ${environment} ${service}`,
    cli: `rollgate ${verb} ${environment} --${flag ? 'flag' : 'service'} ${service}`,
  }));
}

function relaunch(environment: string, services: readonly string[], version: string): NotifyAct {
  return {
    what: `ship ${version} again once fixed (--reason lifts its hold)`,
    comment: `/promote ${environment} ${services.join(' ')} --version ${quoted(version)} --reason "..."`,
    cli: `rollgate promote ${environment} ${services.map((s) => `--service ${s}`).join(' ')} --version ${quoted(version)} --reason "..."`,
  };
}

function rollbackAct(environment: string, services: readonly string[]): NotifyAct {
  return {
    what: 'go back to the version that ran before',
    comment: `/rollback ${environment} ${services.join(' ')}`,
    cli: `rollgate rollback ${environment} ${services.map((s) => `--service ${s}`).join(' ')}`,
  };
}

/** Events of a tick's or an operator command's report: one per action that wrote a commit. */
export function rolloutEvents(
  report: TickReport | CommandReport,
  requestedBy = 'rollgate tick',
  /** The operator's --reason, told with the engine's. */
  reason?: string,
): NotificationEvent[] {
  return report.rollouts.flatMap((r) => {
    const event = r.commit !== undefined ? EVENT_OF[r.action.kind] : undefined;
    return event === undefined ? [] : [rolloutEvent(r, event, report.at, requestedBy, reason)];
  });
}

function rolloutEvent(
  r: RolloutResult,
  event: EventKind,
  at: string,
  requestedBy: string,
  reason: string | undefined,
): NotificationEvent {
  const a = r.action;
  const step = a.kind === 'step' ? a.step : r.step;
  const weight = a.kind === 'step' ? a.weight : a.kind === 'pause' ? r.weight : 0;
  if (r.strategy === 'flag') return flagRolloutEvent(r, event, at, requestedBy, reason, step, weight);
  const who = `${r.service} ${r.version} in ${r.environment}`;
  const stable = r.stable ?? 'the stable version';
  const summaries: Readonly<Record<EventKind, string>> = {
    started: `${who}: rollout started`,
    stepped: `${who}: step ${step}/${r.steps}, canary at ${weight}%`,
    paused: `${who}: rollout paused at ${r.weight}%`,
    promoted: `${who}: promoted to the stable workload`,
    verified: `${who}: verified, now the stable version`,
    'rolled-back': `${who}: ${a.kind === 'abort' ? 'aborted' : 'rolled back'} to ${stable}; ${r.version} is held`,
    denied: `${who}: denied`,
  };
  const acts: Readonly<Record<EventKind, NotifyAct[]>> = {
    started: rolloutActs(['pause', 'abort'], r.environment, r.service),
    stepped: rolloutActs(['pause', 'abort', 'advance'], r.environment, r.service),
    paused: rolloutActs(['resume', 'abort'], r.environment, r.service),
    promoted: rolloutActs(['abort'], r.environment, r.service),
    verified: [rollbackAct(r.environment, [r.service])],
    'rolled-back': [relaunch(r.environment, [r.service], r.version)],
    denied: [],
  };
  const why = [
    a.message,
    r.analysis?.summary !== undefined ? `analysis: ${r.analysis.summary}` : '',
    reason !== undefined ? `${requestedBy}: ${reason}` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
  return {
    event,
    environment: r.environment,
    services: [r.service],
    version: r.version,
    ...(r.stable !== undefined ? { stable: r.stable } : {}),
    phase: PHASE_AFTER[a.kind] ?? r.phase,
    step,
    steps: r.steps,
    weight,
    summary: summaries[event],
    why,
    reasonCode: a.reasonCode,
    act: acts[event],
    ...(r.commit !== undefined ? { commit: r.commit } : {}),
    requestedBy,
    at,
  };
}

function whyOf(r: RolloutResult, requestedBy: string, reason: string | undefined): string {
  return [
    r.action.message,
    r.analysis?.summary !== undefined ? `analysis: ${r.analysis.summary}` : '',
    reason !== undefined ? `${requestedBy}: ${reason}` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
}

/** A feature-flag rollout's action: the flag, the variant and its share; the commands name `--flag`. */
function flagRolloutEvent(
  r: RolloutResult,
  event: EventKind,
  at: string,
  requestedBy: string,
  reason: string | undefined,
  step: number,
  weight: number,
): NotificationEvent {
  const a = r.action;
  const who = `flag ${r.service} variant ${r.version} in ${r.environment}`;
  const stable = r.stable ?? 'the defaultVariant';
  const share = a.kind === 'promote' ? 100 : weight;
  const summaries: Readonly<Record<EventKind, string>> = {
    started: `${who}: rollout started`,
    stepped: `${who}: step ${step}/${r.steps}, ${weight}% of users`,
    paused: `${who}: rollout paused at ${r.weight}% of users`,
    promoted: `${who}: 100% of users, now the defaultVariant`,
    verified: `${who}: verified, the defaultVariant`,
    'rolled-back': `${who}: ${a.kind === 'abort' ? 'aborted' : 'rolled back'} to 0% (everyone on ${stable}); ${r.version} is held`,
    denied: `${who}: denied`,
  };
  const acts = (verbs: string[]) => rolloutActs(verbs, r.environment, r.service, true);
  const relaunchFlag: NotifyAct = {
    what: `roll ${r.version} out again once fixed (--reason lifts its hold)`,
    comment: `/promote ${r.environment} --flag ${r.service} --reason "..."`,
    cli: `rollgate promote ${r.environment} --flag ${r.service} --reason "..."`,
  };
  const byEvent: Readonly<Record<EventKind, NotifyAct[]>> = {
    started: acts(['pause', 'abort']),
    stepped: acts(['pause', 'abort', 'advance']),
    paused: acts(['resume', 'abort']),
    promoted: acts(['abort']),
    verified: [],
    'rolled-back': [relaunchFlag],
    denied: [],
  };
  return {
    event,
    environment: r.environment,
    services: [],
    flag: r.service,
    version: r.version,
    ...(r.stable !== undefined ? { stable: r.stable } : {}),
    phase: PHASE_AFTER[a.kind] ?? r.phase,
    step,
    steps: r.steps,
    weight: share,
    summary: summaries[event],
    why: whyOf(r, requestedBy, reason),
    reasonCode: a.reasonCode,
    act: byEvent[event],
    ...(r.commit !== undefined ? { commit: r.commit } : {}),
    requestedBy,
    at,
  };
}

/** The event of `promote <env> --flag NAME`: started (its first commit) or denied by a gate or a hold. */
export function flagStartEvents(
  report: FlagStartReport,
  request: { readonly requestedBy: string; readonly reason?: string },
): NotificationEvent[] {
  const { environment, flag } = report;
  const variant = report.variant ?? '';
  const verdicts = report.decision?.verdicts ?? [];
  const who = `flag ${flag} variant ${variant} in ${environment}`;
  const base = {
    environment,
    services: [],
    flag,
    version: variant,
    requestedBy: request.requestedBy,
    at: report.at,
  };
  if (report.result === 'denied') {
    const failed = verdicts.filter((v) => v.outcome === 'fail');
    return [
      {
        ...base,
        event: 'denied',
        summary: `${who}: rollout denied by ${failed.map((v) => v.gate).join(', ') || 'the gates'}`,
        why: failed.map((v) => `${v.gate}: ${v.reason}`).join('; ') || 'a gate failed',
        reasonCode: failed[0]?.reasonCode ?? 'denied',
        act: [
          {
            what: 'see every gate and what it needs',
            comment: `/promote ${environment} --flag ${flag} --dry-run`,
            cli: `rollgate promote ${environment} --flag ${flag} --dry-run`,
          },
        ],
      },
    ];
  }
  const rollout = report.state?.rollout;
  if (report.result !== 'committed' || rollout === undefined) return [];
  const allowed = verdicts.map((v) => `${v.gate}=${v.outcome}`).join(', ') || 'no gates';
  return [
    {
      ...base,
      event: 'started',
      ...(report.state?.stable !== undefined ? { stable: report.state.stable } : {}),
      phase: rollout.phase,
      step: rollout.step,
      steps: rollout.steps,
      weight: rollout.weight,
      summary: `${who}: rollout started, step ${rollout.step}/${rollout.steps} at ${rollout.weight}% of users`,
      why: `requested by ${request.requestedBy}; gates: ${allowed}${request.reason !== undefined ? `; reason: ${request.reason}` : ''}`,
      reasonCode: 'promote',
      act: rolloutActs(['pause', 'abort'], environment, flag, true),
      ...(report.commit !== undefined ? { commit: report.commit } : {}),
    },
  ];
}

/** The outcome of a promotion as the event sender needs it (the CLI has PromotionOutcome itself). */
export type PromotionResultLike =
  | { readonly kind: 'committed'; readonly evaluation: Evaluation; readonly sha: string }
  | { readonly kind: 'denied'; readonly evaluation: Evaluation }
  | { readonly kind: Exclude<PromotionOutcome['kind'], 'committed' | 'denied'> };

/** The event of one promotion: started (a rollout), promoted, rolled-back (a plain rollback) or denied. */
export function promotionEvents(
  request: PromotionRequest,
  outcome: PromotionResultLike,
): NotificationEvent[] {
  if (outcome.kind !== 'committed' && outcome.kind !== 'denied') return [];
  if (request.dryRun === true) return [];
  const decision = outcome.evaluation.decision;
  const plan = outcome.evaluation.plan;
  const services =
    plan !== undefined && plan.changedServices.length > 0 ? plan.changedServices : request.services;
  const environment = request.environment;
  const version = decision.version;
  const who = `${services.join(', ')} ${version} in ${environment}`;
  const base = {
    environment,
    services,
    version,
    requestedBy: request.requestedBy,
    at: decision.evaluatedAt,
  };
  if (outcome.kind === 'denied') {
    const failed = decision.verdicts.filter((v) => v.outcome === 'fail');
    const opens = failed.flatMap((v) => (v.opensAt !== undefined ? [v.opensAt] : [])).sort();
    const latest = opens[opens.length - 1];
    return [
      {
        ...base,
        event: 'denied',
        summary: `${who}: promotion denied by ${failed.map((v) => v.gate).join(', ') || 'the gates'}`,
        why: failed.map((v) => `${v.gate}: ${v.reason}`).join('; ') || 'a gate failed',
        reasonCode: failed[0]?.reasonCode ?? 'denied',
        act: [
          {
            what:
              latest !== undefined
                ? `see every gate and what it needs; the gates open again at ${latest}`
                : 'see every gate and what it needs',
            comment: `/promote ${environment} ${services.join(' ')} --version ${quoted(version)} --dry-run`,
            cli: `rollgate check ${environment} ${services.map((s) => `--service ${s}`).join(' ')} --version ${quoted(version)}`,
          },
        ],
      },
    ];
  }
  const rollout = plan !== undefined ? rolloutOf(plan, services) : undefined;
  const commit = { commit: outcome.sha };
  if (request.kind === 'rollback') {
    return [
      {
        ...base,
        ...commit,
        event: 'rolled-back',
        summary: `${who}: rolled back`,
        why:
          request.reason !== undefined
            ? `rollback requested by ${request.requestedBy}: ${request.reason}`
            : `rollback requested by ${request.requestedBy}`,
        reasonCode: 'operator.rollback',
        act: [],
      },
    ];
  }
  const allowed = decision.verdicts.map((v) => `${v.gate}=${v.outcome}`).join(', ') || 'no gates';
  const why = `requested by ${request.requestedBy}; gates: ${allowed}${request.reason !== undefined ? `; reason: ${request.reason}` : ''}`;
  if (rollout !== undefined) {
    const service = services[0] ?? '';
    return [
      {
        ...base,
        ...commit,
        event: 'started',
        ...(rollout.stable !== undefined ? { stable: rollout.stable } : {}),
        phase: rollout.phase,
        step: rollout.step,
        steps: rollout.steps,
        weight: rollout.weight,
        summary: `${who}: rollout started, step ${rollout.step}/${rollout.steps} at ${rollout.weight}%`,
        why,
        reasonCode: 'promote',
        act: services.length === 1 ? rolloutActs(['pause', 'abort'], environment, service) : [],
      },
    ];
  }
  return [
    {
      ...base,
      ...commit,
      event: 'promoted',
      summary: `${who}: promoted`,
      why,
      reasonCode: 'promote',
      act: [rollbackAct(environment, services)],
    },
  ];
}
