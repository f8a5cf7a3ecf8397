import { NOTIFY_SCHEMA_VERSION } from './events.js';
import type { NotifyFormat } from './format.js';

// A generic JSON webhook: the event as data (snake_case, `schema_version`), plus `text`, the same
// one-paragraph message a person would read, for receivers that only forward text.

export const webhookFormat: NotifyFormat = (event, face) => ({
  schema_version: NOTIFY_SCHEMA_VERSION,
  event: event.event,
  environment: event.environment,
  services: event.services,
  ...(event.flag !== undefined ? { flag: event.flag } : {}),
  version: event.version,
  ...(event.stable !== undefined ? { stable: event.stable } : {}),
  ...(event.phase !== undefined ? { phase: event.phase } : {}),
  ...(event.step !== undefined ? { step: event.step } : {}),
  ...(event.steps !== undefined ? { steps: event.steps } : {}),
  ...(event.weight !== undefined ? { weight: event.weight } : {}),
  summary: event.summary,
  why: event.why,
  reason_code: event.reasonCode,
  act: event.act.map((a) => ({ what: a.what, comment: a.comment, cli: a.cli })),
  ...(event.commit !== undefined ? { commit_sha: event.commit } : {}),
  requested_by: event.requestedBy,
  at: event.at,
  text: [
    event.summary,
    `Why: ${event.why}`,
    ...event.act.map((a) => `${face === 'comment' ? a.comment : a.cli}: ${a.what}`),
  ].join('\n'),
});
