import { notice, setFailed } from '@actions/core';
import { describeError } from './describe-error.js';
import { readContext } from './context.js';
import { finish, type Handler } from './finish.js';
import { readInputs } from './io.js';
import { onComment } from './on-comment.js';
import { onDispatch } from './on-dispatch.js';
import { onPullRequest } from './on-pull-request.js';
import { onSchedule } from './on-schedule.js';
import { dispatchOrTick, onTick, withTick } from './on-tick.js';
import { makeClients, type Clients } from './setup.js';

/** Which events rollgate answers, and how. Anything else gets a notice and exit 0. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  issue_comment: onComment,
  pull_request: onPullRequest,
  pull_request_target: onPullRequest,
  pull_request_review: onPullRequest,
  schedule: withTick(onSchedule),
  repository_dispatch: onTick,
  workflow_dispatch: dispatchOrTick(onDispatch),
  push: onDispatch,
};

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const ctx = readContext(env);
    const handler = HANDLERS[ctx.eventName];
    if (handler === undefined) {
      notice(
        `rollgate does not handle ${ctx.eventName} events; it answers ${Object.keys(HANDLERS).join(', ')}. Nothing to do.`,
      );
      return;
    }
    const inputs = readInputs();
    // Clients are built lazily: an ignored comment must not even read a token.
    let clients: Clients | undefined;
    const lazyClients = () => (clients ??= makeClients(inputs, env));
    // The run's one clock reading: every gate judges the same instant.
    const now = new Date();
    const end = await handler(ctx, inputs, lazyClients, () => now);
    await finish(end);
  } catch (err) {
    setFailed(`rollgate: ${describeError(err)}`);
  }
}

await main();
