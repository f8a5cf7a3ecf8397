import type { Config, GateConfig } from '../config/schema.js';
import type { GateContext } from '../gates/gate.js';
import { GATE_KINDS } from '../gates/registry.js';
import { STRATEGIES, strategyFor } from '../strategies/registry.js';
import type { Strategy, StrategyTarget } from '../strategies/strategy.js';
import { deploysTo } from './overlay-paths.js';
import { parseVersion } from './request.js';
import {
  type AnalysisJudgement,
  analysisOutcome,
  analysisSummary,
  decideCommand,
  decideTick,
  type Refusal,
  type RolloutAction,
  type RolloutInput,
  type RolloutVerb,
} from './rollout.js';
import { mergeEdits } from './promote-together.js';
import { rolloutGroupMessage, rolloutMessage, type RolloutMessageInput } from './rollout-message.js';
import { stateAfter } from './rollout-state.js';
import {
  activeRollout,
  formatState,
  parseState,
  type RolloutState,
  type ServiceState,
  flagStatePath,
  statePath,
} from './state.js';
import type { FileEdit, PromotionRequest, Verdict } from './types.js';

// The adapters' way into the engine: a tick of every active rollout, and the operators' commands.
// Both read the GitOps head once (overlays and state files in one read) and judge each rollout with
// the pure engine. A tick writes one commit per action and service (nothing on wait); a command
// writes one commit for every service it acts on (a flag rollout: one of its own). The Action
// (src/action) and the CLI (src/cli/rollout-verbs.ts) call exactly these two functions.

export const ROLLOUT_SCHEMA_VERSION = 1;

/** The store as the runner uses it: one read of many paths, one commit on the head it read. */
export interface RolloutStore {
  read(paths: readonly string[]): Promise<RolloutSnapshot>;
  commit(
    snapshot: RolloutSnapshot,
    edits: readonly FileEdit[],
    message: string,
    at: Date,
  ): Promise<
    { readonly kind: 'committed'; readonly sha: string } | { readonly kind: 'moved'; readonly detail: string }
  >;
}

export interface RolloutSnapshot {
  readonly head: string;
  readonly files: Readonly<Record<string, string | undefined>>;
}

export interface AnalysisWindow {
  readonly from: Date;
  readonly to: Date;
}

/** Whose rollout the analysis judges: fills a metric query's {{environment}}, {{service}}, {{version}}. */
export interface AnalysisSubject {
  readonly environment: string;
  readonly service: string;
  /** The tag being rolled out (else its digest). */
  readonly version: string;
}

export interface RolloutDeps {
  readonly store: RolloutStore;
  /** The decision time; nothing in the core reads the system clock. */
  readonly clock: () => Date;
  /**
   * Fetches what the analysis gates need over the window (Prometheus range queries), keyed by gate
   * name, as facts.gateInputs. Trouble is data (a `*.error` verdict), never a throw; a throw is
   * reported as an error of every gate asked.
   */
  readonly analysis?: (
    gates: readonly GateConfig[],
    window: AnalysisWindow,
    subject: AnalysisSubject,
  ) => Promise<Record<string, unknown>>;
  /** Set when the clock is a what-if (`--simulate-clock`): every commit says so. */
  readonly simulatedClock?: boolean;
  readonly maxAttempts?: number;
  /**
   * The run that writes (the Action's run id): every commit carries it as `Rollgate-Run`, so a store
   * that lost the answer to a commit can recognise the commit as this run's (core/own-commit.ts).
   */
  readonly runId?: string;
}

export interface RolloutView {
  readonly environment: string;
  readonly service: string;
  readonly strategy: string;
  readonly version: string;
  readonly stable: string | undefined;
  readonly phase: string;
  readonly step: number;
  readonly steps: number;
  readonly weight: number;
  readonly since: string;
}

export interface RolloutResult extends RolloutView {
  readonly action: RolloutAction | Refusal;
  readonly commit?: string;
  /** The analysis of this tick: every verdict with its outcome. */
  readonly analysis?: { readonly summary: string | undefined; readonly verdicts: readonly Verdict[] };
  /** The freeze gates judged for this action: before a step or the promotion, and when frozen. */
  readonly gates?: readonly Verdict[];
}

export interface RolloutProblem {
  readonly environment: string;
  readonly service: string;
  readonly reasonCode: string;
  readonly message: string;
}

export interface TickReport {
  readonly schema_version: typeof ROLLOUT_SCHEMA_VERSION;
  readonly at: string;
  /** 0: every rollout did what the rules say; 3: one could not be judged or written (I/O). */
  readonly exitCode: 0 | 3;
  readonly rollouts: readonly RolloutResult[];
  readonly problems: readonly RolloutProblem[];
}

export interface CommandRequest {
  readonly verb: RolloutVerb;
  readonly environment: string;
  readonly services: readonly string[];
  /** Feature-flag rollouts by name (`--flag NAME`); with services named and no flag, none. */
  readonly flags?: readonly string[];
  readonly reason?: string;
  readonly requestedBy: string;
  readonly source: string;
}

export interface CommandReport {
  readonly schema_version: typeof ROLLOUT_SCHEMA_VERSION;
  readonly verb: RolloutVerb;
  readonly at: string;
  /** 0 done, 1 refused (nothing active, frozen, paused...), 3 I/O. */
  readonly exitCode: 0 | 1 | 3;
  readonly rollouts: readonly RolloutResult[];
  readonly problems: readonly RolloutProblem[];
}

interface Target extends StrategyTarget {
  readonly strategy: Strategy;
}

function targetsOf(
  config: Config,
  environments: readonly string[],
  services: readonly string[],
  flags: readonly string[] = [],
): Target[] {
  const envs = environments.length > 0 ? environments : Object.keys(config.environments);
  // Naming services and no flag means services only; naming flags and no service, flags only.
  const flagTargets = services.length > 0 && flags.length === 0 ? [] : flagTargetsOf(config, envs, flags);
  if (flags.length > 0 && services.length === 0) return flagTargets;
  return [...serviceTargetsOf(config, envs, services), ...flagTargets];
}

/** Feature-flag rollouts (environments.<env>.flags), keyed by name: the `service` of the target is the name. */
function flagTargetsOf(config: Config, envs: readonly string[], flags: readonly string[]): Target[] {
  const strategy = STRATEGIES.flag;
  if (strategy === undefined) return [];
  return envs.flatMap((environment) =>
    Object.keys(config.environments[environment]?.flags ?? {})
      .filter((name) => flags.length === 0 || flags.includes(name))
      .map((name) => ({ config, environment, service: name, flag: name, strategy })),
  );
}

/** The state file of a target: per service, or per flag rollout under flags/. */
export function stateFileOf(target: StrategyTarget): string {
  return target.flag !== undefined
    ? flagStatePath(target.environment, target.flag)
    : statePath(target.environment, target.service);
}

function serviceTargetsOf(config: Config, envs: readonly string[], services: readonly string[]): Target[] {
  return envs.flatMap((environment) => {
    const strategy = strategyFor(config, environment);
    if (strategy === undefined) return [];
    const names = services.length > 0 ? services : Object.keys(config.services);
    return names
      .filter((service) => deploysTo(config, environment, service))
      .map((service) => ({ config, environment, service, strategy }));
  });
}

function pathsOf(targets: readonly Target[]): string[] {
  return [...new Set(targets.flatMap((t) => [...t.strategy.paths(t), stateFileOf(t)]))];
}

type Loaded =
  | { readonly kind: 'idle' }
  | { readonly kind: 'problem'; readonly problem: RolloutProblem }
  | { readonly kind: 'active'; readonly state: ServiceState; readonly rollout: RolloutState };

function load(target: Target, files: RolloutSnapshot['files']): Loaded {
  const path = stateFileOf(target);
  const text = files[path];
  if (text === undefined) return { kind: 'idle' };
  const parsed = parseState(path, text);
  if (!parsed.ok) {
    return {
      kind: 'problem',
      problem: {
        environment: target.environment,
        service: target.service,
        reasonCode: 'state.invalid',
        message: parsed.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'),
      },
    };
  }
  const rollout = activeRollout(parsed.state);
  return rollout === undefined ? { kind: 'idle' } : { kind: 'active', state: parsed.state, rollout };
}

function viewOf(target: Target, state: ServiceState, rollout: RolloutState): RolloutView {
  return {
    environment: target.environment,
    service: target.service,
    strategy: rollout.strategy,
    version: rollout.version,
    stable: state.stable,
    phase: rollout.phase,
    step: rollout.step,
    steps: rollout.steps,
    weight: rollout.weight,
    since: rollout.windowStart,
  };
}

/** Where the overlay disagrees with the state (the overlay wins; the engine pauses). */
export function driftOf(
  target: Target,
  files: RolloutSnapshot['files'],
  state: ServiceState,
  rollout: RolloutState,
): string[] {
  const seen = target.strategy.observe(target, files, rollout);
  if (!seen.ok) return [seen.message];
  const drift: string[] = [];
  const [stable, candidate, weight] =
    target.flag !== undefined
      ? ['defaultVariant', 'first fractional variant', 'variant share']
      : ['stable image', `${rollout.strategy} image`, `${rollout.strategy} weight`];
  if (seen.stable !== state.version)
    drift.push(`the ${stable} is ${seen.stable ?? '(none)'}, the state says ${state.version}`);
  if (seen.candidate !== rollout.version)
    drift.push(`the ${candidate} is ${seen.candidate ?? '(none)'}, the state says ${rollout.version}`);
  if (seen.weight !== rollout.weight)
    drift.push(`the ${weight} is ${seen.weight ?? '(none)'}, the state says ${rollout.weight}`);
  drift.push(...(seen.drift ?? []));
  return drift;
}

function requestOf(target: Target, version: string, requestedBy: string, source: string): PromotionRequest {
  return {
    environment: target.environment,
    services: [target.service],
    version: parseVersion(version),
    requestedBy,
    source,
    kind: 'promote',
  };
}

function evaluateGate(gate: GateConfig, ctx: GateContext): Verdict {
  const kind = GATE_KINDS[gate.kind];
  const base = { gate: gate.name, kind: gate.kind, details: {} } as const;
  if (kind === undefined)
    return { ...base, outcome: 'fail', reasonCode: 'gate.unknown', reason: `unknown gate kind ${gate.kind}` };
  try {
    return kind.evaluate(gate.name, gate.config, ctx);
  } catch (err) {
    return {
      ...base,
      outcome: 'fail',
      reasonCode: 'gate.error',
      reason: `gate failed to evaluate: ${(err as Error).message}`,
    };
  }
}

async function judgeAnalysis(
  target: Target,
  rollout: RolloutState,
  now: Date,
  deps: RolloutDeps,
): Promise<AnalysisJudgement> {
  const names = target.strategy.analysisGates(target, rollout);
  if (names.length === 0) return { kind: 'none' };
  const from = new Date(Date.parse(rollout.windowStart) + target.strategy.analysisDelayMs(target));
  if (now < from) return { kind: 'pending', opensAt: from };
  const gates = names.flatMap((n) => target.config.gates[n] ?? []);
  const window = { from, to: now };
  let gateInputs: Record<string, unknown>;
  try {
    const version = parseVersion(rollout.version);
    const subject = {
      environment: target.environment,
      service: target.service,
      version: version.tag ?? version.digest ?? rollout.version,
    };
    gateInputs = deps.analysis ? await deps.analysis(gates, window, subject) : {};
  } catch (err) {
    const reason = `analysis inputs could not be fetched: ${(err as Error).message}`;
    return {
      kind: 'judged',
      window,
      verdicts: gates.map((g) => ({
        verdict: {
          gate: g.name,
          kind: g.kind,
          outcome: 'fail',
          reasonCode: 'analysis.error',
          reason,
          details: {},
        },
        outcome: 'error' as const,
      })),
    };
  }
  const ctx: GateContext = {
    request: requestOf(target, rollout.version, 'rollgate tick', 'analysis'),
    facts: { now, history: [], running: {}, gateInputs },
  };
  return {
    kind: 'judged',
    window,
    verdicts: gates.map((gate) => {
      const verdict = evaluateGate(gate, ctx);
      // A query Prometheus did not answer decides nothing, whatever the gate's onNoData says.
      const unanswered = queryError(gateInputs[gate.name]);
      if (unanswered !== undefined && verdict.outcome !== 'pass') {
        return {
          verdict: { ...verdict, reason: `${verdict.reason} (${unanswered})` },
          outcome: 'error' as const,
        };
      }
      return { verdict, outcome: analysisOutcome(verdict) };
    }),
  };
}

/** The first `{ kind: 'error', reason }` query result inside a gate's inputs, if any. */
function queryError(input: unknown, depth = 0): string | undefined {
  if (input === null || typeof input !== 'object' || depth > 6) return undefined;
  const record = input as Record<string, unknown>;
  if (record.kind === 'error' && typeof record.reason === 'string') return record.reason;
  for (const value of Object.values(record)) {
    const found = queryError(value, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Freeze gates now; an override given when the rollout started lasts for the whole rollout. */
function judgeFreeze(target: Target, rollout: RolloutState, now: Date): Verdict[] {
  const env = target.config.environments[target.environment];
  const ctx: GateContext = {
    request: requestOf(target, rollout.version, 'rollgate tick', 'freeze'),
    facts: { now, history: [], running: {} },
  };
  return (env?.gates ?? []).flatMap((name) => {
    const gate = target.config.gates[name];
    if (gate === undefined || gate.kind !== 'freeze') return [];
    const verdict = evaluateGate(gate, ctx);
    const carried = rollout.overrides?.find((o) => o.startsWith(`${name} `));
    if (verdict.outcome === 'fail' && carried !== undefined) {
      return [
        {
          ...verdict,
          outcome: 'warn' as const,
          reason: `${verdict.reason}; overridden at the start: ${carried}`,
        },
      ];
    }
    return [verdict];
  });
}

async function inputOf(
  target: Target,
  files: RolloutSnapshot['files'],
  state: ServiceState,
  rollout: RolloutState,
  now: Date,
  deps: RolloutDeps,
): Promise<RolloutInput> {
  const drift = driftOf(target, files, state, rollout);
  return {
    now,
    state,
    rollout,
    drift,
    // A drifted overlay is not judged: the overlay wins until a person resumes or aborts.
    analysis: drift.length > 0 ? { kind: 'none' } : await judgeAnalysis(target, rollout, now, deps),
    // DESIGN.md: nothing blocks a rollback, a rollback rollout's switch included.
    freeze: rollout.rollbackOf !== undefined ? [] : judgeFreeze(target, rollout, now),
    holdMs: target.strategy.holdMs(target, rollout),
    next: target.strategy.next(target, rollout),
    onFailure: target.strategy.onFailure(target, rollout),
    ...(target.strategy.awaitsAdvance?.(target, rollout) === true ? { awaitAdvance: true } : {}),
  };
}

interface Who {
  readonly requestedBy: string;
  readonly source: string;
  readonly reason?: string;
}

type Written =
  { kind: 'committed'; sha: string } | { kind: 'moved' } | { kind: 'problem'; problem: RolloutProblem };

/** An action's edits (the strategy's, and the state file) and its commit message; nothing written. */
type Planned =
  | { kind: 'planned'; edits: FileEdit[]; after: ServiceState; message: string; part: RolloutMessageInput }
  | { kind: 'problem'; problem: RolloutProblem };

function planAction(
  target: Target,
  files: RolloutSnapshot['files'],
  input: RolloutInput,
  action: Exclude<RolloutAction, { kind: 'wait' | 'start' }>,
  who: Who,
  deps: Pick<RolloutDeps, 'simulatedClock' | 'runId'>,
): Planned {
  const { state, rollout, now } = input;
  const written = target.strategy.write(target, files, action, {
    state,
    rollout,
    version: rollout.version,
    stable: state.stable,
  });
  if (!written.ok) {
    return {
      kind: 'problem',
      problem: {
        environment: target.environment,
        service: target.service,
        reasonCode: written.reasonCode,
        message: written.message,
      },
    };
  }
  const summary = analysisSummary(input.analysis);
  const phase = target.strategy.phaseAfter?.(target, action, rollout);
  const promotedWeight = target.strategy.promotedWeight;
  const after = stateAfter(state, rollout, action, {
    environment: target.environment,
    service: target.service,
    strategy: target.strategy.kind,
    now,
    hasVerify: target.strategy.hasVerify(target, rollout),
    ...(summary !== undefined ? { analysis: summary } : {}),
    ...(phase !== undefined ? { phase } : {}),
    ...(promotedWeight !== undefined ? { promotedWeight } : {}),
  });
  const path = stateFileOf(target);
  const stateEdit: FileEdit = {
    path,
    before: files[path] ?? '',
    after: formatState(after),
    descriptions: [
      `${after.rollout?.phase ?? 'state'} at step ${after.rollout?.step ?? 0}/${after.rollout?.steps ?? 0}`,
    ],
  };
  const edits = [...written.edits, stateEdit];
  const headline = target.strategy.headline?.(target, files, action, {
    rollout,
    version: rollout.version,
    stable: state.stable,
  });
  const part: RolloutMessageInput = {
    ...(headline !== undefined ? { headline } : {}),
    environment: target.environment,
    service: target.service,
    ...(target.flag !== undefined ? { flag: target.flag } : {}),
    action,
    before: state,
    after,
    edits,
    ...(summary !== undefined ? { analysis: summary } : {}),
    requestedBy: who.requestedBy,
    source: who.source,
    ...(who.reason !== undefined ? { reason: who.reason } : {}),
    simulated: deps.simulatedClock === true,
    ...(deps.runId !== undefined ? { run: deps.runId } : {}),
  };
  return { kind: 'planned', edits, after, message: rolloutMessage(part), part };
}

async function writeAction(
  target: Target,
  snapshot: RolloutSnapshot,
  input: RolloutInput,
  action: Exclude<RolloutAction, { kind: 'wait' | 'start' }>,
  who: Who,
  deps: RolloutDeps,
): Promise<Written> {
  const planned = planAction(target, snapshot.files, input, action, who, deps);
  if (planned.kind === 'problem') return planned;
  const outcome = await deps.store.commit(snapshot, planned.edits, planned.message, input.now);
  return outcome.kind === 'committed' ? { kind: 'committed', sha: outcome.sha } : { kind: 'moved' };
}

/** The abort of one service's active rollout, planned on the files as read: what `rollback` does to it. */
export type AbortPlan =
  | { readonly kind: 'idle' }
  | { readonly kind: 'problem'; readonly problem: RolloutProblem }
  | {
      readonly kind: 'abort';
      /** The rollout as it was, and the abort (for the report). */
      readonly result: RolloutResult;
      readonly edits: readonly FileEdit[];
      readonly after: ServiceState;
      /** The commit message of this abort alone (one service, as `abort` writes it). */
      readonly message: string;
      /** What the message is made of, for a commit of several aborts (rolloutGroupMessage). */
      readonly part: RolloutMessageInput;
    };

/** The files an abort of these services reads: overlays, traffic files and state files. */
export function abortPaths(config: Config, environment: string, services: readonly string[]): string[] {
  return pathsOf(serviceTargetsOf(config, [environment], services));
}

/**
 * Plans the abort of `service`'s active rollout in `environment` on `files` (nothing read, nothing
 * written): back to the stable version, with a hold, as `abort` does. Nothing blocks an abort, so no
 * gate and no analysis is judged. `idle` when no rollout of the service is active.
 */
export function planAbort(
  config: Config,
  environment: string,
  service: string,
  files: RolloutSnapshot['files'],
  now: Date,
  who: { readonly requestedBy: string; readonly source: string; readonly reason?: string },
  deps: Pick<RolloutDeps, 'simulatedClock' | 'runId'>,
): AbortPlan {
  const [target] = serviceTargetsOf(config, [environment], [service]);
  if (target === undefined) return { kind: 'idle' };
  const loaded = load(target, files);
  if (loaded.kind !== 'active') return loaded;
  const input: RolloutInput = {
    now,
    state: loaded.state,
    rollout: loaded.rollout,
    drift: driftOf(target, files, loaded.state, loaded.rollout),
    analysis: { kind: 'none' },
    freeze: [],
    holdMs: target.strategy.holdMs(target, loaded.rollout),
    next: target.strategy.next(target, loaded.rollout),
    onFailure: target.strategy.onFailure(target, loaded.rollout),
  };
  const decided = decideCommand('abort', input);
  if (decided.kind !== 'abort') return { kind: 'idle' };
  const action = worded(target, decided, loaded.rollout);
  if (action.kind !== 'abort') return { kind: 'idle' };
  const planned = planAction(target, files, input, action, who, deps);
  if (planned.kind === 'problem') return planned;
  return {
    kind: 'abort',
    result: { ...viewOf(target, loaded.state, loaded.rollout), action },
    edits: planned.edits,
    after: planned.after,
    message: planned.message,
    part: planned.part,
  };
}

/** The action in the strategy's own words, where it has some (a blue-green switch is not a canary weight). */
function worded(target: Target, action: RolloutAction, rollout: RolloutState): RolloutAction {
  const message = target.strategy.describe?.(target, action, rollout);
  return message === undefined ? action : { ...action, message };
}

function ioProblem(target: Target, err: unknown): RolloutProblem {
  return {
    environment: target.environment,
    service: target.service,
    reasonCode: 'io',
    message: (err as Error).message,
  };
}

/**
 * One tick of every active rollout (of the named environments and services, else all): exactly one
 * action each, one commit per action that writes. Ticks that change nothing write nothing.
 */
export async function runTick(
  config: Config,
  deps: RolloutDeps,
  options: {
    readonly environments?: readonly string[];
    readonly services?: readonly string[];
    readonly flags?: readonly string[];
    /** Who and where, for the commits' Requested-By and Source trailers (the Action: its run URL). */
    readonly requestedBy?: string;
    readonly source?: string;
  } = {},
): Promise<TickReport> {
  const now = deps.clock();
  const targets = targetsOf(config, options.environments ?? [], options.services ?? [], options.flags ?? []);
  const paths = pathsOf(targets);
  const rollouts: RolloutResult[] = [];
  const problems: RolloutProblem[] = [];
  let snapshot: RolloutSnapshot | undefined;
  try {
    snapshot = await deps.store.read(paths);
  } catch (err) {
    return {
      schema_version: 1,
      at: now.toISOString(),
      exitCode: 3,
      rollouts,
      problems: targets.slice(0, 1).map((t) => ioProblem(t, err)),
    };
  }
  const who: Who = {
    requestedBy: options.requestedBy ?? 'rollgate tick',
    source: options.source ?? 'rollgate tick',
  };
  for (const target of targets) {
    try {
      const maxAttempts = deps.maxAttempts ?? 5;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const loaded = load(target, snapshot.files);
        if (loaded.kind === 'problem') problems.push(loaded.problem);
        if (loaded.kind !== 'active') break;
        const input = await inputOf(target, snapshot.files, loaded.state, loaded.rollout, now, deps);
        const action = worded(target, decideTick(input), loaded.rollout);
        const analysis = analysisReport(input.analysis);
        const view = viewOf(target, loaded.state, loaded.rollout);
        if (action.kind === 'wait' || action.kind === 'start') {
          rollouts.push({
            ...view,
            action,
            ...(analysis ? { analysis } : {}),
            ...gatesReport(action, input.freeze),
          });
          break;
        }
        const written = await writeAction(target, snapshot, input, action, who, deps);
        if (written.kind === 'problem') {
          problems.push(written.problem);
          break;
        }
        // Whatever happened, the next target must see the new head.
        snapshot = await deps.store.read(paths);
        if (written.kind === 'committed') {
          rollouts.push({
            ...view,
            action,
            commit: written.sha,
            ...(analysis ? { analysis } : {}),
            ...gatesReport(action, input.freeze),
          });
          break;
        }
        if (attempt === maxAttempts)
          problems.push({
            ...ioProblem(target, new Error('the GitOps branch kept moving')),
            reasonCode: 'gave-up',
          });
      }
    } catch (err) {
      problems.push(ioProblem(target, err));
    }
  }
  const unjudged = rollouts.some((r) => r.action.kind === 'wait' && r.action.reasonCode === 'analysis.error');
  return {
    schema_version: 1,
    at: now.toISOString(),
    exitCode: unjudged || problems.length > 0 ? 3 : 0,
    rollouts,
    problems,
  };
}

/** The freeze verdicts worth reporting with an action: where the freeze was what decided or let it through. */
function gatesReport(
  action: RolloutAction | Refusal,
  freeze: readonly Verdict[],
): { readonly gates?: readonly Verdict[] } {
  const judged =
    action.kind === 'step' ||
    action.kind === 'promote' ||
    ((action.kind === 'wait' || action.kind === 'refused') && action.reasonCode === 'frozen');
  return judged && freeze.length > 0 ? { gates: freeze } : {};
}

function analysisReport(analysis: AnalysisJudgement): RolloutResult['analysis'] | undefined {
  if (analysis.kind !== 'judged') return undefined;
  return { summary: analysisSummary(analysis), verdicts: analysis.verdicts.map((v) => v.verdict) };
}

/**
 * An operator's `advance | pause | resume | abort` on the rollouts of one environment: one read of
 * the GitOps head, each rollout judged on it, and one commit of every rollout that acts (a flag
 * rollout in a commit of its own). A rollout the engine refuses is reported and writes nothing; it
 * does not hold the others. When the branch moved, the whole group is read, judged and written again.
 */
export async function runRolloutCommand(
  config: Config,
  deps: RolloutDeps,
  request: CommandRequest,
): Promise<CommandReport> {
  const now = deps.clock();
  const targets = targetsOf(config, [request.environment], request.services, request.flags ?? []);
  const paths = pathsOf(targets);
  const rollouts: RolloutResult[] = [];
  const problems: RolloutProblem[] = [];
  const report = (exitCode: 0 | 1 | 3): CommandReport => ({
    schema_version: 1,
    verb: request.verb,
    at: now.toISOString(),
    exitCode,
    rollouts,
    problems,
  });
  if (targets.length === 0) {
    problems.push({
      environment: request.environment,
      service: request.services.join(', '),
      reasonCode: 'not-active',
      message: `${request.environment} has no rollout strategy (no canary:, or no such flag rollout); there is nothing to ${request.verb}`,
    });
    return report(1);
  }
  let snapshot: RolloutSnapshot | undefined;
  try {
    snapshot = await deps.store.read(paths);
  } catch (err) {
    problems.push(ioProblem(targets[0] as Target, err));
    return report(3);
  }
  // Services together; a flag rollout alone (its commit names one flag: Rollgate-Flag).
  const groups = [
    targets.filter((t) => t.flag === undefined),
    ...targets.filter((t) => t.flag !== undefined).map((t) => [t]),
  ].filter((g) => g.length > 0);
  let refused = false;
  let failed = false;
  let wrote = false;
  for (const group of groups) {
    if (wrote) {
      // The next group is written on top of the commit just made.
      try {
        snapshot = await deps.store.read(paths);
      } catch (err) {
        problems.push(...group.map((t) => ioProblem(t, err)));
        failed = true;
        continue;
      }
    }
    const done = await commandGroup(group, snapshot, paths, request, deps, now);
    rollouts.push(...done.rollouts);
    problems.push(...done.problems);
    refused ||= done.refused;
    failed ||= done.failed;
    wrote ||= done.rollouts.some((r) => r.commit !== undefined);
  }
  if (rollouts.length === 0 && problems.length === 0) {
    problems.push({
      environment: request.environment,
      service: targets.map((t) => t.service).join(', '),
      reasonCode: 'not-active',
      message: `no active rollout in ${request.environment}; promote a version to start one`,
    });
    refused = true;
  }
  return report(failed ? 3 : refused ? 1 : 0);
}

interface GroupOutcome {
  readonly rollouts: readonly RolloutResult[];
  readonly problems: readonly RolloutProblem[];
  readonly refused: boolean;
  readonly failed: boolean;
}

/**
 * One command on a group of rollouts written as one commit: each judged and planned on the files as
 * the ones before it leave them, every planned action in the commit (the message names each service).
 * When the branch moved, the group is read again and judged again (a rollout someone else paused
 * meanwhile is then refused), up to `maxAttempts` attempts.
 */
async function commandGroup(
  group: readonly Target[],
  read: RolloutSnapshot,
  paths: readonly string[],
  request: CommandRequest,
  deps: RolloutDeps,
  now: Date,
): Promise<GroupOutcome> {
  const maxAttempts = deps.maxAttempts ?? 5;
  let snapshot = read;
  for (let attempt = 1; ; attempt++) {
    const files: Record<string, string | undefined> = { ...snapshot.files };
    const rollouts: RolloutResult[] = [];
    const problems: RolloutProblem[] = [];
    const writing: {
      target: Target;
      result: RolloutResult;
      planned: Extract<Planned, { kind: 'planned' }>;
    }[] = [];
    let refused = false;
    let failed = false;
    for (const target of group) {
      try {
        const loaded = load(target, files);
        if (loaded.kind === 'problem') {
          problems.push(loaded.problem);
          failed = true;
          continue;
        }
        if (loaded.kind === 'idle') {
          // Naming a service asks for it; when none is named, services without a rollout are skipped.
          if (request.services.length > 0) {
            refused = true;
            problems.push({
              environment: target.environment,
              service: target.service,
              reasonCode: 'not-active',
              message: `${target.service} has no active rollout in ${target.environment}; promote a version to start one`,
            });
          }
          continue;
        }
        const input = await inputOf(target, files, loaded.state, loaded.rollout, now, deps);
        const decided = decideCommand(request.verb, input);
        const action = decided.kind === 'refused' ? decided : worded(target, decided, loaded.rollout);
        const analysis = analysisReport(input.analysis);
        const result: RolloutResult = {
          ...viewOf(target, loaded.state, loaded.rollout),
          action,
          ...(analysis ? { analysis } : {}),
          ...gatesReport(action, input.freeze),
        };
        if (action.kind === 'refused' || action.kind === 'wait' || action.kind === 'start') {
          refused = true;
          rollouts.push(result);
          continue;
        }
        const planned = planAction(target, files, input, action, request, deps);
        if (planned.kind === 'problem') {
          problems.push(planned.problem);
          failed = true;
          continue;
        }
        // The next rollout is planned on the files as this one leaves them.
        for (const edit of planned.edits) files[edit.path] = edit.after;
        writing.push({ target, result, planned });
        rollouts.push(result);
      } catch (err) {
        failed = true;
        problems.push(ioProblem(target, err));
      }
    }
    const unwritten = (problem: (target: Target) => RolloutProblem): GroupOutcome => ({
      rollouts: rollouts.filter((r) => !writing.some((w) => w.result === r)),
      problems: [...problems, ...writing.map((w) => problem(w.target))],
      refused,
      failed: true,
    });
    if (writing.length === 0) return { rollouts, problems, refused, failed };
    const message = rolloutGroupMessage(
      request.verb,
      writing.map((w) => w.planned.part),
    );
    const edits = mergeEdits(writing.flatMap((w) => w.planned.edits));
    let outcome: Awaited<ReturnType<RolloutStore['commit']>>;
    try {
      outcome = await deps.store.commit(snapshot, edits, message, now);
    } catch (err) {
      return unwritten((t) => ioProblem(t, err));
    }
    if (outcome.kind === 'committed') {
      const sha = outcome.sha;
      return {
        rollouts: rollouts.map((r) => (writing.some((w) => w.result === r) ? { ...r, commit: sha } : r)),
        problems,
        refused,
        failed,
      };
    }
    if (attempt >= maxAttempts) {
      return unwritten((t) => ({
        ...ioProblem(t, new Error('the GitOps branch kept moving')),
        reasonCode: 'gave-up',
      }));
    }
    try {
      snapshot = await deps.store.read(paths);
    } catch (err) {
      return unwritten((t) => ioProblem(t, err));
    }
  }
}
