import type { Config } from '../config/schema.js';
import type { RolloutCommand } from '../commands/parse.js';
import type { GitOpsStore } from '../gitops/store.js';
import type { ActionContext, CommentEvent } from './context.js';
import type { RunEnd } from './finish.js';
import type { Inputs } from './io.js';
import type { Clients } from './setup.js';

export interface RolloutComment {
  readonly ctx: ActionContext;
  readonly inputs: Inputs;
  readonly clients: () => Clients;
  readonly clock: () => Date;
  readonly event: CommentEvent;
  readonly command: RolloutCommand;
  readonly store: GitOpsStore;
  readonly config: Config;
}

/** /advance, /pause, /resume, /abort: wired to the rollout engine (src/core/rollout-run.ts) when it lands. */
export function runRolloutComment(c: RolloutComment): Promise<RunEnd> {
  return Promise.reject(new Error(`${c.command.verb} needs the rollout engine, which is not merged yet`));
}
