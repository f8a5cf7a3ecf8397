import type { Config } from '../config/schema.js';
import type { GateContext } from '../gates/gate.js';
import { orderGate } from '../gates/order.js';
import { GATE_KINDS } from '../gates/registry.js';
import {
  ASSERTED_NOTE,
  type Decision,
  type Facts,
  formatVersion,
  type PromotionRequest,
  type Verdict,
} from './types.js';

/**
 * Every gate of the target environment over the facts (pure). Allowed when no verdict fails. An
 * override (label, break-glass) turns a failing gate into a warning and adds a verdict of its own,
 * so it is never silent.
 */
export function decide(config: Config, request: PromotionRequest, facts: Facts): Decision {
  const env = config.environments[request.environment];
  const upstream = env?.after;
  const ctx: GateContext = { request, facts, ...(upstream !== undefined ? { upstream } : {}) };
  const verdicts: Verdict[] = [];
  if (request.kind === 'rollback') {
    // Restoring a version the environment already ran: order, bake and SLO judge new versions, and a
    // freeze must not block the way back. Each gate still shows, as skipped, so nothing is hidden.
    const skipped = [...(upstream !== undefined ? ['order'] : []), ...(env?.gates ?? [])].map(
      (name): Verdict => ({
        gate: name,
        kind: name === 'order' ? 'order' : (config.gates[name]?.kind ?? 'unknown'),
        outcome: 'skip',
        reasonCode: 'rollback.skipped',
        reason: `rollback to a version ${request.environment} ran before: not gated`,
        details: {},
      }),
    );
    return finish(request, facts, skipped);
  }
  if (upstream !== undefined) verdicts.push(orderGate.evaluate('order', {}, ctx));
  for (const name of env?.gates ?? []) {
    const gate = config.gates[name];
    const kind = gate ? GATE_KINDS[gate.kind] : undefined;
    if (gate === undefined || kind === undefined) {
      verdicts.push({
        gate: name,
        kind: 'unknown',
        outcome: 'fail',
        reasonCode: 'gate.unknown',
        reason: `no gate named ${name}`,
        details: {},
      });
      continue;
    }
    const verdict = evaluateSafely(name, kind.kind, () => kind.evaluate(name, gate.config, ctx));
    verdicts.push(verdict);
    if (verdict.override !== undefined) {
      verdicts.push({
        gate: name,
        kind: 'override',
        outcome: 'warn',
        reasonCode: `override.${verdict.override.by}`,
        reason: `${name} overridden by ${verdict.override.by}: ${verdict.override.who} (${verdict.override.reason})${verdict.override.asserted ? `, ${ASSERTED_NOTE}` : ''}`,
        details: { ...verdict.override },
      });
    }
  }
  return finish(request, facts, verdicts);
}

function finish(request: PromotionRequest, facts: Facts, verdicts: readonly Verdict[]): Decision {
  return {
    allowed: verdicts.every((v) => v.outcome !== 'fail'),
    environment: request.environment,
    services: [...request.services],
    version: formatVersion(request.version),
    evaluatedAt: facts.now.toISOString(),
    verdicts,
  };
}

/** A gate that throws must fail closed, with the error as its reason: a bug never waves a change through. */
function evaluateSafely(name: string, kind: string, run: () => Verdict): Verdict {
  try {
    return run();
  } catch (err) {
    return {
      gate: name,
      kind,
      outcome: 'fail',
      reasonCode: 'gate.error',
      reason: `gate failed to evaluate: ${(err as Error).message}`,
      details: {},
    };
  }
}
