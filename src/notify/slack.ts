import type { NotificationEvent } from './events.js';
import type { NotifyFormat } from './format.js';

// A Slack incoming webhook: `{ text, blocks }`, the text for notifications and clients without
// blocks, the blocks for the message itself. Slack's mrkdwn has three specials: & < >.

const ICONS: Readonly<Record<NotificationEvent['event'], string>> = {
  started: ':rocket:',
  stepped: ':arrow_up_small:',
  paused: ':double_vertical_bar:',
  promoted: ':white_check_mark:',
  verified: ':large_green_circle:',
  'rolled-back': ':rewind:',
  denied: ':no_entry:',
};

function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const slackFormat: NotifyFormat = (event, face) => {
  const head = `${ICONS[event.event]} *${mrkdwn(event.summary)}*`;
  const why = `Why: ${mrkdwn(event.why)}`;
  const acts = event.act.map(
    (a) => `• \`${mrkdwn(face === 'comment' ? a.comment : a.cli)}\`: ${mrkdwn(a.what)}`,
  );
  const lines = [head, why, ...(acts.length > 0 ? ['To act:', ...acts] : [])];
  const context = [
    `requested by ${mrkdwn(event.requestedBy)}`,
    ...(event.commit !== undefined ? [`commit ${event.commit.slice(0, 12)}`] : []),
    event.at,
  ].join(' · ');
  return {
    text: lines.join('\n'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
};
