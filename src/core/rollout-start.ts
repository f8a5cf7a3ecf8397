import type { Config } from '../config/schema.js';
import { strategyFor } from '../strategies/registry.js';
import type { RolloutAction } from './rollout.js';
import { stateAtStart } from './rollout-state.js';
import {
  activeRollout,
  formatState,
  isPromotedPhase,
  parseState,
  type ServiceState,
  statePath,
} from './state.js';
import { type FileEdit, formatVersion, type Plan, type PromotionRequest } from './types.js';

// `promote` on an environment with a rollout strategy starts a rollout instead of swapping the
// stable image: the canary workload gets the version and the first weight, in one commit with the
// state files. A new version while one is rolling out restarts from the first step; the stable
// version stays the last one that finished.

export interface RolloutStart {
  readonly service: string;
  readonly state: ServiceState;
  /** Set when the start replaces a rollout of another version. */
  readonly replaced?: string;
}

export type RolloutStartPlan =
  | {
      readonly ok: true;
      readonly plan: Plan;
      readonly starts: readonly RolloutStart[];
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reasonCode: string; readonly message: string };

/** Reads the state file of a service from a snapshot; a broken file is an error that says where. */
export function stateOf(
  files: Readonly<Record<string, string | undefined>>,
  environment: string,
  service: string,
  path = statePath(environment, service),
): { ok: true; state: ServiceState | undefined } | { ok: false; message: string } {
  const text = files[path];
  if (text === undefined) return { ok: true, state: undefined };
  const parsed = parseState(path, text);
  if (parsed.ok) return { ok: true, state: parsed.state };
  return {
    ok: false,
    message: parsed.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('; '),
  };
}

/**
 * Adds one service's edits to a plan of several (one FileEdit per path: the first `before`, the
 * last `after`, every description) and returns the files as the plan leaves them.
 */
export function addEdits(
  edits: Map<string, FileEdit>,
  files: Readonly<Record<string, string | undefined>>,
  more: readonly FileEdit[],
): Record<string, string | undefined> {
  const current: Record<string, string | undefined> = { ...files };
  for (const edit of more) {
    const prior = edits.get(edit.path);
    edits.set(edit.path, {
      path: edit.path,
      before: prior?.before ?? edit.before,
      after: edit.after,
      descriptions: [...(prior?.descriptions ?? []), ...edit.descriptions],
    });
    current[edit.path] = edit.after;
  }
  return current;
}

export function planRolloutStart(
  config: Config,
  request: PromotionRequest,
  files: Readonly<Record<string, string | undefined>>,
  now: Date,
  extra: { readonly overrides?: readonly string[] } = {},
): RolloutStartPlan {
  const strategy = strategyFor(config, request.environment);
  if (strategy === undefined) {
    return {
      ok: false,
      reasonCode: 'plan.no-strategy',
      message: `${request.environment} has no rollout strategy`,
    };
  }
  const version = formatVersion(request.version);
  let current: Record<string, string | undefined> = { ...files };
  const edits = new Map<string, FileEdit>();
  const starts: RolloutStart[] = [];
  const notes: string[] = [];
  const headlines: (string | undefined)[] = [];
  for (const service of request.services) {
    const target = { config, environment: request.environment, service };
    const loaded = stateOf(current, request.environment, service);
    if (!loaded.ok) return { ok: false, reasonCode: 'plan.state-invalid', message: loaded.message };
    const before = loaded.state;
    const seen = strategy.observe(target, current);
    if (!seen.ok)
      return { ok: false, reasonCode: `plan.${seen.reasonCode}`, message: `${service}: ${seen.message}` };
    const active = activeRollout(before);
    // The stable version: the state's while a rollout runs; otherwise what the stable workload runs
    // (a hand-set version counts as one that ran).
    const stable = active !== undefined ? before?.stable : (seen.stable ?? before?.stable);
    if (stable === undefined) {
      return {
        ok: false,
        reasonCode: 'plan.not-found',
        message: `${service}: the stable workload of ${request.environment} pins no version; promote without a rollout first, or set its image`,
      };
    }
    if (active !== undefined && active.version === version) {
      notes.push(
        `${service}: ${version} is already rolling out (${active.phase}, step ${active.step}/${active.steps})`,
      );
      continue;
    }
    if (active === undefined && stable === version) {
      notes.push(`${service}: ${request.environment} already runs ${version}`);
      continue;
    }
    if (active !== undefined && stable === version) {
      return {
        ok: false,
        reasonCode: 'plan.stable-version',
        message: `${service}: ${version} is the stable version and ${active.version} is rolling out; to stop that rollout use abort`,
      };
    }
    const first = strategy.start(target);
    const decided: Extract<RolloutAction, { kind: 'start' }> = {
      kind: 'start',
      reasonCode: 'promote',
      step: first.step,
      weight: first.weight,
      message: active
        ? `${version} replaces ${active.version} (${active.phase}): the rollout restarts at step ${first.step}/${first.steps}`
        : `rollout of ${version} starts at step ${first.step}/${first.steps} with weight ${first.weight}%`,
    };
    const action = { ...decided, message: strategy.describe?.(target, decided, active) ?? decided.message };
    const phase = strategy.phaseAfter?.(target, action, active);
    const written = strategy.write(target, current, action, {
      state: before,
      rollout: active,
      version,
      stable,
    });
    if (!written.ok)
      return { ok: false, reasonCode: written.reasonCode, message: `${service}: ${written.message}` };
    headlines.push(strategy.headline?.(target, current, action, { rollout: active, version, stable }));
    const verifying = isPromotedPhase(active?.phase) || isPromotedPhase(active?.pausedFrom);
    const base =
      verifying && before !== undefined
        ? { ...before, version: stable, landedAt: now.toISOString() }
        : before;
    const state = stateAtStart(
      // Without a state file, or after a hand edit, the stable workload's version is what runs.
      active === undefined && before !== undefined && seen.stable !== before.version
        ? { ...before, version: stable, landedAt: now.toISOString() }
        : base,
      action,
      {
        environment: request.environment,
        service,
        strategy: strategy.kind,
        now,
        hasVerify: strategy.hasVerify(target),
        ...(phase !== undefined ? { phase } : {}),
        version,
        stable,
        steps: first.steps,
        ...(extra.overrides !== undefined ? { overrides: extra.overrides } : {}),
        source: request.source,
      },
    );
    const path = statePath(request.environment, service);
    const stateEdit: FileEdit = {
      path,
      before: current[path] ?? '',
      after: formatState(state),
      descriptions: [`rollout of ${version} at step ${first.step}/${first.steps}`],
    };
    current = addEdits(edits, current, [...written.edits, stateEdit]);
    starts.push({ service, state, ...(active !== undefined ? { replaced: active.version } : {}) });
  }
  return {
    ok: true,
    plan: {
      environment: request.environment,
      edits: [...edits.values()],
      changedServices: starts.map((s) => s.service),
      // One service started: the subject in the strategy's words, when it has some.
      ...(starts.length === 1 && headlines.length === 1 && headlines[0] !== undefined
        ? { headline: headlines[0] }
        : {}),
    },
    starts,
    notes,
  };
}
