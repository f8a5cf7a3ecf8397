import type { Config } from '../config/schema.js';
import { isBeforePromotion, parseState, STATE_DIR } from '../core/state.js';
import type { RolloutView } from '../report/rollout.js';
import { strategyFor } from '../strategies/registry.js';
import type { PromotionResult } from './promotion.js';
import { stepsOf } from './rollout-publish.js';

/**
 * The rollouts a committed promotion started (an environment with a strategy: the plan wrote a
 * state file whose rollout began at this commit), as the sticky report shows them: the gates of
 * the promotion in the table, analysis to come. Empty for a plain promotion, a dry run or a denial.
 */
export function startedRollouts(config: Config, result: PromotionResult): RolloutView[] {
  const evaluation = result.evaluation;
  if (result.status.kind !== 'committed' || evaluation?.plan === undefined) return [];
  const environment = evaluation.decision.environment;
  const strategy = strategyFor(config, environment);
  if (strategy === undefined) return [];
  const commit = {
    sha: result.status.sha,
    ...(result.status.url !== undefined ? { url: result.status.url } : {}),
  };
  return evaluation.plan.edits.flatMap((edit): RolloutView[] => {
    if (!edit.path.startsWith(`${STATE_DIR}/${environment}/`)) return [];
    const parsed = parseState(edit.path, edit.after);
    const r = parsed.ok ? parsed.state.rollout : undefined;
    if (!parsed.ok || r === undefined || !isBeforePromotion(r.phase) || r.startedAt !== r.windowStart)
      return [];
    const state = parsed.state;
    const holdMs = strategy.holdMs({ config, environment, service: state.service }, r);
    return [
      {
        service: state.service,
        version: r.version,
        ...(state.stable !== undefined ? { stable: state.stable } : {}),
        phase: r.phase,
        step: r.step,
        steps: r.steps,
        weight: r.weight,
        ...stepsOf(config, environment),
        action:
          r.rollbackOf !== undefined
            ? {
                kind: 'rollback',
                reasonCode: 'rollback',
                message: `rollback of ${r.rollbackOf} started: the previous colour is scaled up with ${r.version}; the switch back follows once it is ready`,
              }
            : {
                kind: 'start',
                reasonCode: 'promote',
                // In the strategy's words where it has some (a blue-green preview, a shadow stage).
                message:
                  strategy.describe?.(
                    { config, environment, service: state.service },
                    {
                      kind: 'start',
                      reasonCode: 'promote',
                      message: `rollout of ${r.version} started`,
                      step: r.step,
                      weight: r.weight,
                    },
                    undefined,
                  ) ?? `rollout started: the canary runs ${r.version} with ${r.weight}% of the traffic`,
              },
        ...(r.rollbackOf !== undefined ? { rollbackOf: r.rollbackOf } : {}),
        commit,
        nextEligibleAt: new Date(Date.parse(r.windowStart) + holdMs).toISOString(),
        analysis: [],
        gates: evaluation.decision.verdicts,
      },
    ];
  });
}
