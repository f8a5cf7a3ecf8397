import type { Config } from '../config/schema.js';
import { flagRollout } from '../strategies/flag.js';
import { STRATEGIES } from '../strategies/registry.js';
import type { StrategyTarget } from '../strategies/strategy.js';
import { decide } from './decide.js';
import { parseVersion } from './request.js';
import type { RolloutAction } from './rollout.js';
import { rolloutMessage } from './rollout-message.js';
import type { RolloutDeps, RolloutSnapshot } from './rollout-run.js';
import { stateAtStart } from './rollout-state.js';
import { activeRollout, flagStatePath, formatState, holdOn, parseState, type ServiceState } from './state.js';
import {
  ASSERTED_NOTE,
  type Decision,
  type Facts,
  type FileEdit,
  type PromotionRequest,
  type Verdict,
} from './types.js';

// `promote <env> --flag NAME` (CLI) and `/promote <env> --flag NAME` (Action): start the feature-flag
// rollout `environments.<env>.flags.<NAME>`. The environment's gates are judged as for a promotion
// (bake and order judge versions moving through environments, which a flag variant does not: they
// are skipped and shown as skipped), a held variant needs --reason, and one commit sets the first
// share with the state file `.rollgate/state/<env>/flags/<NAME>.yaml` and a Rollgate-Flag trailer.
// The tick (runTick) takes it from there.

export const FLAG_START_SCHEMA_VERSION = 1;

export interface FlagStartRequest {
  readonly environment: string;
  /** The rollout's name under environments.<env>.flags. */
  readonly flag: string;
  readonly requestedBy: string;
  readonly source: string;
  readonly reason?: string;
  readonly labels?: readonly string[];
  readonly approvedBy?: readonly string[];
  readonly identity?: PromotionRequest['identity'];
  readonly dryRun?: boolean;
}

export interface FlagStartReport {
  readonly schema_version: typeof FLAG_START_SCHEMA_VERSION;
  readonly at: string;
  /** 0 started (or nothing to do), 1 denied by a gate or a hold, 2 no such rollout or a bad flag file, 3 I/O. */
  readonly exitCode: 0 | 1 | 2 | 3;
  readonly result: 'committed' | 'noop' | 'dry-run' | 'denied' | 'invalid' | 'gave-up' | 'error';
  readonly environment: string;
  readonly flag: string;
  readonly variant?: string;
  readonly message: string;
  readonly decision?: Decision;
  readonly edits?: readonly FileEdit[];
  readonly commit?: string;
  readonly state?: ServiceState;
}

export interface FlagStartDeps extends RolloutDeps {
  /** Gate inputs (Prometheus samples, reviews) for the start's decision, as for a promotion. */
  readonly extraFacts?: (
    now: Date,
    request: PromotionRequest,
  ) => Promise<Omit<Facts, 'now' | 'history' | 'running'>>;
}

const SKIPPED_KINDS = new Set(['bake', 'order']);

/** The environment's gates over the start, bake and order skipped; a hold on the variant fails without --reason. */
export function decideFlagStart(
  config: Config,
  request: PromotionRequest,
  facts: Facts,
  state: ServiceState | undefined,
): Decision {
  const env = config.environments[request.environment];
  const judged = (env?.gates ?? []).filter((g) => !SKIPPED_KINDS.has(config.gates[g]?.kind ?? ''));
  const skipped: Verdict[] = (env?.gates ?? [])
    .filter((g) => !judged.includes(g))
    .map((gate) => ({
      gate,
      kind: config.gates[gate]?.kind ?? 'unknown',
      outcome: 'skip',
      reasonCode: 'flag.skipped',
      reason: 'a flag variant does not move through environments: not judged for a flag rollout',
      details: {},
    }));
  const { after: _after, ...rest } = env ?? { path: '', gates: [] };
  const scoped: Config = {
    ...config,
    environments: { ...config.environments, [request.environment]: { ...rest, gates: judged } },
  };
  const decision = decide(scoped, request, facts);
  const variant = request.version.tag ?? '';
  const hold = holdOn(state, variant);
  const held: Verdict[] =
    hold === undefined
      ? []
      : [
          request.reason !== undefined && request.reason.trim() !== ''
            ? {
                gate: 'hold',
                kind: 'hold',
                outcome: 'warn',
                reasonCode: 'hold.lifted',
                reason: `variant ${variant} was held since ${hold.at} (${hold.reason}); lifted with --reason: ${request.reason}`,
                details: { heldAt: hold.at, heldFor: hold.reason },
              }
            : {
                gate: 'hold',
                kind: 'hold',
                outcome: 'fail',
                reasonCode: 'hold.active',
                reason: `variant ${variant} is held since ${hold.at} (${hold.reason}); promote with --reason "..." to lift the hold`,
                details: { heldAt: hold.at, heldFor: hold.reason },
              },
        ];
  const verdicts = [...decision.verdicts, ...skipped, ...held];
  return { ...decision, verdicts, allowed: verdicts.every((v) => v.outcome !== 'fail') };
}

function overridesOf(decision: Decision): string[] {
  return decision.verdicts.flatMap((v) =>
    v.override
      ? [
          `${v.gate} by ${v.override.by} ${v.override.who}${v.override.asserted ? ` (${ASSERTED_NOTE})` : ''}: ${v.override.reason}`,
        ]
      : [],
  );
}

/** Starts (or restarts) a flag rollout: one commit, or why not. */
export async function startFlagRollout(
  config: Config,
  deps: FlagStartDeps,
  req: FlagStartRequest,
): Promise<FlagStartReport> {
  const now = deps.clock();
  const base = {
    schema_version: FLAG_START_SCHEMA_VERSION,
    at: now.toISOString(),
    environment: req.environment,
    flag: req.flag,
  } as const;
  const rollout = flagRollout(config, req.environment, req.flag);
  const strategy = STRATEGIES.flag;
  if (rollout === undefined || strategy === undefined) {
    const known = Object.keys(config.environments[req.environment]?.flags ?? {});
    return {
      ...base,
      exitCode: 2,
      result: 'invalid',
      message: `${req.environment} has no flag rollout ${req.flag}; ${known.length > 0 ? `its flag rollouts are ${known.join(', ')}` : `declare one under environments.${req.environment}.flags`}`,
    };
  }
  const target: StrategyTarget = { config, environment: req.environment, service: req.flag, flag: req.flag };
  const statePath = flagStatePath(req.environment, req.flag);
  const paths = [...strategy.paths(target), statePath];
  const variant = rollout.variant;
  const request: PromotionRequest = {
    environment: req.environment,
    services: [req.flag],
    version: parseVersion(variant),
    requestedBy: req.requestedBy,
    source: req.source,
    kind: 'promote',
    ...(req.reason !== undefined ? { reason: req.reason } : {}),
    ...(req.labels !== undefined ? { labels: req.labels } : {}),
    ...(req.approvedBy !== undefined ? { approvedBy: req.approvedBy } : {}),
    ...(req.identity !== undefined ? { identity: req.identity } : {}),
  };
  let extra: Omit<Facts, 'now' | 'history' | 'running'> = {};
  try {
    extra = deps.extraFacts ? await deps.extraFacts(now, request) : {};
  } catch (err) {
    return {
      ...base,
      exitCode: 3,
      result: 'error',
      variant,
      message: `gate inputs could not be fetched: ${(err as Error).message}`,
    };
  }
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let snapshot: RolloutSnapshot;
    try {
      snapshot = await deps.store.read(paths);
    } catch (err) {
      return { ...base, exitCode: 3, result: 'error', variant, message: (err as Error).message };
    }
    const stateText = snapshot.files[statePath];
    const parsed = stateText === undefined ? undefined : parseState(statePath, stateText);
    if (parsed !== undefined && !parsed.ok) {
      return {
        ...base,
        exitCode: 2,
        result: 'invalid',
        variant,
        message: parsed.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'),
      };
    }
    const before = parsed?.ok === true ? parsed.state : undefined;
    const seen = strategy.observe(target, snapshot.files);
    if (!seen.ok) return { ...base, exitCode: 2, result: 'invalid', variant, message: seen.message };
    const active = activeRollout(before);
    const stable = active !== undefined ? before?.stable : (seen.stable ?? before?.stable);
    if (stable === undefined) {
      return {
        ...base,
        exitCode: 2,
        result: 'invalid',
        variant,
        message: `flag ${req.flag} has no defaultVariant: the users outside the rollout need one to stay on; set it (rollgate edit flag ... --default VARIANT)`,
      };
    }
    if (active !== undefined && active.version === variant)
      return {
        ...base,
        exitCode: 0,
        result: 'noop',
        variant,
        message: `variant ${variant} is already rolling out (${active.phase}, step ${active.step}/${active.steps})`,
      };
    if (active === undefined && stable === variant)
      return {
        ...base,
        exitCode: 0,
        result: 'noop',
        variant,
        message: `${variant} is already the defaultVariant of ${req.flag} in ${req.environment}`,
      };
    const facts: Facts = { ...extra, now, history: [], running: {} };
    const decision = decideFlagStart(config, request, facts, before);
    if (!decision.allowed)
      return {
        ...base,
        exitCode: 1,
        result: 'denied',
        variant,
        decision,
        message: 'denied by a gate: nothing committed',
      };
    const first = strategy.start(target);
    const action: Extract<RolloutAction, { kind: 'start' }> = {
      kind: 'start',
      reasonCode: 'promote',
      step: first.step,
      weight: first.weight,
      message: `rollout of variant ${variant} starts at step ${first.step}/${first.steps} with ${first.weight}% of users`,
    };
    const written = strategy.write(target, snapshot.files, action, {
      state: before,
      rollout: active,
      version: variant,
      stable,
    });
    if (!written.ok)
      return { ...base, exitCode: 2, result: 'invalid', variant, decision, message: written.message };
    const overrides = overridesOf(decision);
    const state = stateAtStart(
      active === undefined && before !== undefined && seen.stable !== before.version
        ? { ...before, version: stable, landedAt: now.toISOString() }
        : before,
      action,
      {
        environment: req.environment,
        service: req.flag,
        strategy: strategy.kind,
        now,
        hasVerify: strategy.hasVerify(target),
        version: variant,
        stable,
        steps: first.steps,
        ...(overrides.length > 0 ? { overrides } : {}),
        source: req.source,
      },
    );
    const edits: FileEdit[] = [
      ...written.edits,
      {
        path: statePath,
        before: stateText ?? '',
        after: formatState(state),
        descriptions: [`rollout of ${variant} at step ${first.step}/${first.steps}`],
      },
    ];
    if (req.dryRun === true)
      return {
        ...base,
        exitCode: 0,
        result: 'dry-run',
        variant,
        decision,
        edits,
        state,
        message: 'dry run: nothing committed',
      };
    const message = rolloutMessage({
      environment: req.environment,
      service: req.flag,
      flag: req.flag,
      action,
      before,
      after: state,
      edits,
      requestedBy: req.requestedBy,
      source: req.source,
      ...(req.reason !== undefined ? { reason: req.reason } : {}),
      ...(decision.verdicts.some((v) => v.reasonCode === 'hold.lifted') ? { reasonFor: 'hold-lifted' } : {}),
      overrides,
      decision: `allowed (${decision.verdicts.map((v) => `${v.gate}=${v.outcome}`).join(', ') || 'no gates'})`,
      simulated: deps.simulatedClock === true,
      // The Action's run: a commit whose answer GitHub lost is recognised as this run's (own-commit.ts).
      ...(deps.runId !== undefined ? { run: deps.runId } : {}),
    });
    try {
      const outcome = await deps.store.commit(snapshot, edits, message, now);
      if (outcome.kind === 'committed')
        return {
          ...base,
          exitCode: 0,
          result: 'committed',
          variant,
          decision,
          edits,
          state,
          commit: outcome.sha,
          message: action.message,
        };
    } catch (err) {
      return { ...base, exitCode: 3, result: 'error', variant, decision, message: (err as Error).message };
    }
  }
  return {
    ...base,
    exitCode: 3,
    result: 'gave-up',
    variant,
    message: 'the GitOps branch kept moving; nothing committed, retry later',
  };
}
