import { notice, setFailed } from '@actions/core';
import { describeError } from './describe-error.js';
import { readContext } from './context.js';
import { finish, type Handler } from './finish.js';
import { readInputs } from './io.js';
import type { Clients } from './setup.js';

/**
 * Which events rollgate answers, and how. Anything else gets a notice and exit 0. Each handler is
 * loaded only for its event (a dynamic import, one bundle chunk per handler file): a new event is
 * one row.
 */
export const HANDLERS: Readonly<Record<string, () => Promise<Handler>>> = {
  issue_comment: async () => (await import('./on-comment.js')).onComment,
  pull_request: async () => (await import('./on-pull-request.js')).onPullRequest,
  pull_request_target: async () => (await import('./on-pull-request.js')).onPullRequest,
  pull_request_review: async () => (await import('./on-pull-request.js')).onPullRequest,
  // A tick of the canary rollouts beside the freeze sweep.
  schedule: async () => {
    const [{ onSchedule }, { withTick }, { withDeliveryReport }] = await Promise.all([
      import('./on-schedule.js'),
      import('./on-tick.js'),
      import('./delivery-report.js'),
    ]);
    return withDeliveryReport(withTick(onSchedule));
  },
  // An external cron's tick (tighter timing than GitHub's schedule).
  repository_dispatch: async () => (await import('./on-tick.js')).onTick,
  // A promotion from inputs; without any, a tick.
  workflow_dispatch: async () => {
    const [{ onDispatch }, { dispatchOrTick }] = await Promise.all([
      import('./on-dispatch.js'),
      import('./on-tick.js'),
    ]);
    return dispatchOrTick(onDispatch);
  },
  push: async () => (await import('./on-dispatch.js')).onDispatch,
};

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const ctx = readContext(env);
    const load = Object.hasOwn(HANDLERS, ctx.eventName) ? HANDLERS[ctx.eventName] : undefined;
    if (load === undefined) {
      notice(
        `rollgate does not handle ${ctx.eventName} events; it answers ${Object.keys(HANDLERS).join(', ')}. Nothing to do.`,
      );
      return;
    }
    const inputs = readInputs();
    const [handler, { makeClients, pacingFor }] = await Promise.all([load(), import('./setup.js')]);
    // Clients are built lazily: an ignored comment must not even read a token.
    let clients: Clients | undefined;
    const lazyClients = () => (clients ??= makeClients(inputs, env, pacingFor(ctx.eventName)));
    // The run's one clock reading: every gate judges the same instant.
    const now = new Date();
    const end = await handler(ctx, inputs, lazyClients, () => now);
    await finish(end);
  } catch (err) {
    setFailed(`rollgate: ${describeError(err)}`);
  }
}

await main();
