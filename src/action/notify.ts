import { setSecret, warning } from '@actions/core';
import type { Config } from '../config/schema.js';
import type { CommandReport, TickReport } from '../core/rollout-run.js';
import type { PromotionRequest } from '../core/types.js';
import type { FlagStartReport } from '../core/flag-start.js';
import { flagStartEvents, type NotificationEvent, promotionEvents, rolloutEvents } from '../notify/events.js';
import { sendNotifications } from '../notify/send.js';
import type { ActionContext } from './context.js';
import type { PromotionResult } from './promotion.js';

// The Action's notifications (`notify:` in the config): the commands in them are PR comments,
// every expanded secret is masked in the log before it is used, and a failed delivery is a
// warning annotation: the promotion, the tick or the command stands.

async function send(config: Config, ctx: ActionContext, events: readonly NotificationEvent[]): Promise<void> {
  if (config.notify === undefined || events.length === 0) return;
  await sendNotifications(config, events, { env: ctx.env, face: 'comment', warn: warning, mask: setSecret });
}

/** After a tick or /advance, /pause, /resume, /abort. */
export function notifyRollouts(
  config: Config,
  ctx: ActionContext,
  report: TickReport | CommandReport,
  requestedBy?: string,
  reason?: string,
): Promise<void> {
  return send(config, ctx, rolloutEvents(report, requestedBy, reason));
}

/** After a /promote, a /rollback or a promotion from a workflow: committed (started, promoted, rolled back) or denied. */
export function notifyPromotion(
  config: Config,
  ctx: ActionContext,
  request: PromotionRequest,
  result: PromotionResult,
): Promise<void> {
  const { status, evaluation } = result;
  if (evaluation === undefined) return Promise.resolve();
  if (status.kind === 'committed')
    return send(config, ctx, promotionEvents(request, { kind: 'committed', evaluation, sha: status.sha }));
  if (status.kind === 'denied')
    return send(config, ctx, promotionEvents(request, { kind: 'denied', evaluation }));
  return Promise.resolve();
}

/** After `/promote <env> --flag NAME`: started (its first commit) or denied. */
export function notifyFlagStart(
  config: Config,
  ctx: ActionContext,
  report: FlagStartReport,
  request: { readonly requestedBy: string; readonly reason?: string; readonly dryRun?: boolean },
): Promise<void> {
  if (request.dryRun === true) return Promise.resolve();
  return send(config, ctx, flagStartEvents(report, request));
}
