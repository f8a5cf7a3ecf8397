import type { Config } from '../config/schema.js';
import { strategyFor } from '../strategies/registry.js';
import type { PlanOutcome } from './plan.js';
import { holdsAfter } from './rollout.js';
import { stateAfterPromotion } from './rollout-state.js';
import { addEdits, stateOf } from './rollout-start.js';
import { runningOf } from './running.js';
import { formatState, type ServiceState, statePath } from './state.js';
import { type FileEdit, formatVersion, type PromotionRequest } from './types.js';

// A plain `rollback <env>` (no rollout active) on an environment whose strategy has its own way back
// (Strategy.rollbackTo; blue-green: the colours). One commit either way, with the state files:
// - `switch`: the previous version's colour still runs, so the traffic goes back to it at once;
//   that version is the stable one again and the version left is held;
// - `scale-up`: that colour is scaled up with the version, as a rollout with `rollbackOf` (the
//   version left, held from this commit on); a tick switches once the strategy's readiness passes.

/** The rollback plan in the strategy's moves; undefined when the strategy has none (the plain image rollback). */
export function planStrategyRollback(
  config: Config,
  request: PromotionRequest,
  files: Readonly<Record<string, string | undefined>>,
  now: Date,
): PlanOutcome | undefined {
  const strategy = strategyFor(config, request.environment);
  if (strategy?.rollbackTo === undefined) return undefined;
  const version = formatVersion(request.version);
  let current: Record<string, string | undefined> = { ...files };
  const edits = new Map<string, FileEdit>();
  const changed: string[] = [];
  const held = new Set<string>();
  const headlines: string[] = [];
  for (const service of request.services) {
    const target = { config, environment: request.environment, service };
    const loaded = stateOf(current, request.environment, service);
    if (!loaded.ok) return { ok: false, reasonCode: 'plan.state-invalid', message: loaded.message };
    const before = loaded.state;
    const live = runningOf(config, request.environment, service, current);
    if (live?.problem !== undefined)
      return { ok: false, reasonCode: 'plan.not-found', message: `${service}: ${live.problem}` };
    const left = live?.version;
    if (left === undefined || left === version) continue;
    const move = strategy.rollbackTo(target, current, { version, stable: before?.stable ?? left });
    if (!move.ok) return { ok: false, reasonCode: move.reasonCode, message: `${service}: ${move.message}` };
    const nowIso = now.toISOString();
    const state: ServiceState =
      move.move === 'switch'
        ? stateAfterPromotion(before, {
            environment: request.environment,
            service,
            version,
            now,
            hold: { version: left, reason: 'rollback' },
          })
        : {
            schema_version: 1,
            environment: request.environment,
            service,
            version: before?.version ?? left,
            landedAt: before?.landedAt ?? nowIso,
            stable: before?.stable ?? left,
            rollout: {
              strategy: strategy.kind,
              version,
              phase: move.phase,
              step: 0,
              steps: 1,
              weight: 0,
              windowStart: nowIso,
              startedAt: nowIso,
              reason: 'rollback',
              source: request.source,
              rollbackOf: left,
            },
            holds: holdsAfter(before?.holds, left, now, 'rollback'),
          };
    const path = statePath(request.environment, service);
    const stateEdit: FileEdit = {
      path,
      before: current[path] ?? '',
      after: formatState(state),
      descriptions: [
        move.move === 'switch'
          ? `${service} ${version} since ${state.landedAt}, ${left} held`
          : `rollback of ${service} to ${version}: ${move.phase}, ${left} held`,
      ],
    };
    current = addEdits(edits, current, [...move.edits, stateEdit]);
    changed.push(service);
    held.add(left);
    headlines.push(move.headline);
  }
  return {
    ok: true,
    plan: {
      environment: request.environment,
      edits: [...edits.values()],
      changedServices: changed,
      ...(held.size > 0 ? { held: [...held] } : {}),
      ...(headlines.length === 1 && headlines[0] !== undefined ? { headline: headlines[0] } : {}),
    },
  };
}
