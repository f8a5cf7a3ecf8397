import type { NotifyTarget } from '../config/schema.js';
import type { NotificationEvent } from './events.js';
import { slackFormat } from './slack.js';
import { webhookFormat } from './webhook.js';

/** Where the reader acts: a PR comment (the Action) or a terminal (the CLI). */
export type NotifyFace = 'comment' | 'cli';

/** One target kind: the JSON body of one event. */
export type NotifyFormat = (event: NotificationEvent, face: NotifyFace) => Record<string, unknown>;

/** Every notification target kind, by `kind:`: one file each. */
export const NOTIFY_FORMATS: Readonly<Record<NotifyTarget['kind'], NotifyFormat>> = {
  slack: slackFormat,
  webhook: webhookFormat,
};
