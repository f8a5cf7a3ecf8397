import type { Config } from '../config/schema.js';
import { renderReport, type ReportInput } from '../report/markdown.js';
import { pipelineView } from '../report/pipeline-view.js';
import type { PromotionResult } from './promotion.js';
import { renderRolloutReport } from '../report/rollout.js';
import { startedRollouts } from './rollout-start.js';

/**
 * The report of one promotion run: what was asked (`asked`), then what the run decided and wrote.
 * A promotion that started a canary rollout gets the rollout's report, which every later action
 * of the rollout rewrites in the same sticky comment.
 */
export function promotionReport(
  config: Config,
  asked: Omit<ReportInput, 'decision' | 'edits' | 'status' | 'pipeline'>,
  result: PromotionResult,
): string {
  const started = startedRollouts(config, result);
  if (started.length > 0 && result.evaluation !== undefined) {
    return renderRolloutReport({
      environment: asked.environment,
      actor: asked.requestedBy,
      ...(asked.source !== undefined ? { via: asked.source } : {}),
      at: result.evaluation.decision.evaluatedAt,
      rollouts: started,
    });
  }
  return renderReport({
    ...asked,
    ...(result.evaluation ? { decision: result.evaluation.decision } : {}),
    edits: result.evaluation?.plan?.edits ?? [],
    status: result.status,
    ...(result.evaluation ? { pipeline: pipelineView(config, runningAfter(result)) } : {}),
  });
}

/** What runs where once this run's commit has landed: the facts are from before it. */
function runningAfter(
  result: PromotionResult,
): Readonly<Record<string, Readonly<Record<string, string | undefined>>>> {
  const evaluation = result.evaluation;
  if (evaluation === undefined) return {};
  const running = evaluation.facts.running;
  if (result.status.kind !== 'committed' || evaluation.plan === undefined) return running;
  const { environment, version } = evaluation.decision;
  const updated = { ...running[environment] };
  for (const service of evaluation.plan.changedServices) updated[service] = version;
  return { ...running, [environment]: updated };
}
