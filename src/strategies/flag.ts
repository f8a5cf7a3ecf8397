import type { CanaryStep, Config, FlagRolloutConfig } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { normalizeRepoPath } from '../core/repo-paths.js';
import type { NextMove } from '../core/rollout.js';
import type { RolloutState } from '../core/state.js';
import { type FlagChange, readFlag, setFlag } from '../overlays/flags/edit-flag.js';
import { isFailure } from '../overlays/yaml/parse.js';
import type { Observation, Strategy, StrategyTarget, WriteOutcome } from './strategy.js';

// The feature-flag strategy: a flagd flag's `fractional` rule serves the rollout's variant to a
// rising share of users, one commit per step (the variant listed first, so each step only adds
// users); the promotion gives it 100% and makes it the defaultVariant; a rollback takes its share
// back to 0 (the flag stays ENABLED) and holds the variant. Targets are chosen by name
// (`environments.<env>.flags`, `--flag NAME`), never for a whole environment's services.

export function flagRollout(
  config: Config,
  environment: string,
  name: string,
): FlagRolloutConfig | undefined {
  return config.environments[environment]?.flags?.[name];
}

function rolloutOf(target: StrategyTarget): FlagRolloutConfig {
  const name = target.flag ?? target.service;
  const rollout = flagRollout(target.config, target.environment, name);
  if (rollout === undefined) throw new Error(`environment ${target.environment} has no flag rollout ${name}`);
  return rollout;
}

/** Where the flag lives: the file (from the repository root) and the flag key in it. */
export function flagLayout(target: StrategyTarget): { file: string; flag: string; variant: string } {
  const rollout = rolloutOf(target);
  return {
    file: normalizeRepoPath(rollout.file),
    flag: rollout.flag ?? target.flag ?? target.service,
    variant: rollout.variant,
  };
}

const weightOf = (step: CanaryStep) => (typeof step === 'number' ? step : step.weight);
const ms = (text: string | undefined) => (text === undefined ? 0 : (parseDuration(text) ?? 0));
const phaseOf = (rollout: RolloutState) =>
  rollout.phase === 'paused' ? (rollout.pausedFrom ?? 'progressing') : rollout.phase;

type Files = Readonly<Record<string, string | undefined>>;

function observe(target: StrategyTarget, files: Files): Observation {
  const { file, flag, variant } = flagLayout(target);
  const text = files[file];
  if (text === undefined)
    return {
      ok: false,
      reasonCode: 'flag.no-file',
      message: `no flag file ${file}; check environments.${target.environment}.flags.${target.flag ?? target.service}.file`,
    };
  const seen = readFlag(text, flag);
  if (isFailure(seen)) {
    const at = seen.at === undefined ? '' : `:${seen.at.line}:${seen.at.col}`;
    return { ok: false, reasonCode: `flag.${seen.code}`, message: `${file}${at}: ${seen.message}` };
  }
  if (seen.state !== 'ENABLED')
    return {
      ok: false,
      reasonCode: 'flag.disabled',
      message: `${file}: flag ${flag} is ${seen.state ?? 'without a state'}: flagd serves nobody a variant of a disabled flag; enable it first (rollgate edit flag ${file} ${flag} --state ENABLED)`,
    };
  const first = seen.buckets?.[0];
  return {
    ok: true,
    stable: seen.defaultVariant,
    // The variant listed first in fractional is the one being rolled out; its share is the weight.
    candidate: first?.variant ?? variant,
    weight: first === undefined ? 0 : first.variant === variant ? first.weight : 0,
  };
}

function write(
  target: StrategyTarget,
  files: Files,
  action: Parameters<Strategy['write']>[2],
  before: Parameters<Strategy['write']>[3],
): WriteOutcome {
  const { file, flag } = flagLayout(target);
  const variant = before.version;
  const text = files[file];
  if (text === undefined)
    return { ok: false, reasonCode: 'plan.no-flag-file', message: `no flag file ${file}` };
  const promoted = before.rollout?.phase === 'promoted' || before.rollout?.pausedFrom === 'promoted';
  const stable = before.stable;
  let change: FlagChange | undefined;
  switch (action.kind) {
    case 'start':
      change = {
        fractions: [{ variant, weight: action.weight }],
        ...(promoted && stable !== undefined ? { defaultVariant: stable } : {}),
      };
      break;
    case 'step':
      change = { fractions: [{ variant, weight: action.weight }] };
      break;
    case 'promote':
      change = { fractions: [{ variant, weight: 100 }], defaultVariant: variant };
      break;
    case 'rollback':
    case 'abort':
      // Share 0, not DISABLED: a disabled flag would send everyone to the code default.
      change = {
        fractions: [{ variant, weight: 0 }],
        ...(promoted && stable !== undefined ? { defaultVariant: stable } : {}),
      };
      break;
    case 'verify':
    case 'pause':
    case 'resume':
    case 'wait':
      return { ok: true, edits: [] };
  }
  const edited = setFlag(text, flag, change);
  if (!edited.ok) {
    const at = edited.at === undefined ? '' : `:${edited.at.line}:${edited.at.col}`;
    return { ok: false, reasonCode: `plan.${edited.code}`, message: `${file}${at}: ${edited.message}` };
  }
  if (!edited.changed) return { ok: true, edits: [] };
  return {
    ok: true,
    edits: [{ path: file, before: text, after: edited.text, descriptions: [...edited.descriptions] }],
  };
}

export const flagStrategy: Strategy = {
  kind: 'flag',
  // Flag rollouts are named targets (environments.<env>.flags), never an environment's way of
  // promoting its services: the engine picks this strategy for them by name.
  appliesTo: () => false,
  paths: (target) => [flagLayout(target).file],
  observe,
  start(target) {
    const rollout = rolloutOf(target);
    const first = rollout.steps[0];
    return { steps: rollout.steps.length, step: 1, weight: first === undefined ? 0 : weightOf(first) };
  },
  next(target, rollout): NextMove {
    const steps = rolloutOf(target).steps;
    if (phaseOf(rollout) === 'promoted') return { kind: 'verify' };
    const following = steps[rollout.step];
    if (rollout.step < steps.length && following !== undefined)
      return { kind: 'step', step: rollout.step + 1, weight: weightOf(following) };
    return { kind: 'promote' };
  },
  holdMs(target, rollout) {
    const config = rolloutOf(target);
    if (phaseOf(rollout) === 'promoted') return ms(config.verify?.duration);
    const step = config.steps[rollout.step - 1];
    const own = step !== undefined && typeof step !== 'number' ? step.interval : undefined;
    return ms(own ?? config.interval);
  },
  analysisGates(target, rollout) {
    const config = rolloutOf(target);
    return phaseOf(rollout) === 'promoted' ? (config.verify?.analysis ?? []) : config.analysis;
  },
  analysisDelayMs: (target) => ms(rolloutOf(target).analysisDelay),
  onFailure: (target) => rolloutOf(target).onFailure,
  hasVerify: (target) => rolloutOf(target).verify !== undefined,
  // A promoted flag serves its variant to everyone: the state's share is 100, as the file says (a
  // 0 there would read as drift at the verify tick).
  promotedWeight: 100,
  // The engine speaks of canary weights; a flag rollout moves a variant's share of users.
  describe(target, action, rollout) {
    const variant = rollout?.version ?? rolloutOf(target).variant;
    switch (action.kind) {
      case 'step':
        return `step ${action.step}/${rollout?.steps ?? action.step}: variant ${variant} serves ${rollout?.weight ?? 0}% -> ${action.weight}% of users`;
      case 'promote':
        return `promoting variant ${variant}: 100% of users, and the defaultVariant`;
      case 'abort':
        return `aborted: variant ${variant} back to 0% of users, ${variant} held`;
      default:
        return undefined;
    }
  },
  write,
};
