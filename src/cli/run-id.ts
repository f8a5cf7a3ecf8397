import { randomUUID } from 'node:crypto';

/**
 * The identity of one CLI invocation, written as `Rollgate-Run` on every commit it makes (as the
 * Action writes its run id): a push whose answer was lost (the connection dropped after the remote
 * moved the branch) is recognised as this invocation's commit by core/own-commit.ts. `cli:` and a
 * nonce: two invocations never share one, even in one CI job.
 */
export function cliRunId(): string {
  return `cli:${randomUUID().slice(0, 8)}`;
}
