import type { CommentEvent } from './context.js';
import { listInput } from './io.js';

/**
 * Whether a comment comes from a bot account that the `allow-bots` input does not name. Such
 * comments are ignored without a word: a bot answering a bot is a loop, and an app that can
 * comment is not a person who approved a release.
 */
export function isUnlistedBot(
  event: Pick<CommentEvent, 'author' | 'authorType'>,
  allowBots: string,
): boolean {
  const bot = event.authorType === 'Bot' || event.author.toLowerCase().endsWith('[bot]');
  if (!bot) return false;
  const allowed = listInput(allowBots).map((b) => b.toLowerCase());
  return !allowed.includes(event.author.toLowerCase());
}
