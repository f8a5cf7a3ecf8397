import type { Config } from '../config/schema.js';
import { renderReport, type ReportInput } from '../report/markdown.js';
import { pipelineView } from '../report/pipeline-view.js';
import type { PromotionResult } from './promotion.js';

/** The report of one promotion run: what was asked (`asked`), then what the run decided and wrote. */
export function promotionReport(
  config: Config,
  asked: Omit<ReportInput, 'decision' | 'edits' | 'status' | 'pipeline'>,
  result: PromotionResult,
): string {
  return renderReport({
    ...asked,
    ...(result.evaluation ? { decision: result.evaluation.decision } : {}),
    edits: result.evaluation?.plan?.edits ?? [],
    status: result.status,
    ...(result.evaluation ? { pipeline: pipelineView(config, result.evaluation.facts.running) } : {}),
  });
}
