import { notice, setFailed } from '@actions/core';
import { describeError } from './describe-error.js';
import { readContext, type ActionContext } from './context.js';
import { finish, type RunEnd } from './finish.js';
import { readInputs, type Inputs } from './io.js';
import type { Clients } from './setup.js';

type Handler = (
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
) => Promise<RunEnd>;

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
  schedule: async () => (await import('./on-schedule.js')).onSchedule,
  workflow_dispatch: async () => (await import('./on-dispatch.js')).onDispatch,
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
    const [handler, { makeClients }] = await Promise.all([load(), import('./setup.js')]);
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
