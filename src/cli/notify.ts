import type { Config } from '../config/schema.js';
import type { NotificationEvent } from '../notify/events.js';
import type { CliIo } from './io.js';

/**
 * The CLI's notifications: every event to the config's `notify:` targets, the commands in them
 * written for a terminal. A failed delivery is a line on stderr; the exit code stays the verb's.
 * The sender loads only when a config has targets and there is something to send, so the verbs
 * that import this (promote, rollback, the rollout verbs) load it only then. check and plan
 * (verbs.ts) do not import this at all.
 */
export async function notifyCli(
  config: Config,
  events: readonly NotificationEvent[],
  io: CliIo,
): Promise<void> {
  if (config.notify === undefined || events.length === 0) return;
  const { sendNotifications } = await import('../notify/send.js');
  await sendNotifications(config, events, { env: io.env, face: 'cli', warn: (m) => io.stderr(m) });
}
