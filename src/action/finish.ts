import { info, notice, setFailed, summary } from '@actions/core';
import type { Decision } from '../core/types.js';
import { toResult, type RolloutSummary } from '../report/result.js';
import type { RunStatus } from '../report/status.js';
import type { ActionContext } from './context.js';
import { writeOutputs, type Inputs } from './io.js';
import type { Clients } from './setup.js';
import type { AppRead } from '../github/app-read.js';

/** An event's handler: the context, the inputs, lazily built clients and the run's one clock. */
export type Handler = (
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
  /** This repository as already read by the run (the schedule reads it once for the tick and the sweep). */
  read?: AppRead,
) => Promise<RunEnd>;

/** How a run ended: what the outputs, the job summary and the exit code say. */
export type RunEnd =
  | { readonly kind: 'ignored'; readonly why: string }
  /** Work that is not one promotion (the freeze sweep): a summary, and a failure when part of it failed. */
  | { readonly kind: 'done'; readonly why: string; readonly failStep?: string }
  | {
      readonly kind: 'ran';
      readonly environment: string;
      readonly services: readonly string[];
      readonly version: string;
      readonly status: RunStatus;
      readonly decision?: Decision;
      /** Markdown for the job summary. */
      readonly report?: string;
      /** Fail the step (a pipeline promotion that was denied or failed). */
      readonly failStep?: string;
      /** Every rollout a tick or a rollout command acted on (or found waiting). */
      readonly rollouts?: readonly RolloutSummary[];
      /** The outputs phase/step/weight: the one rollout the run was about. */
      readonly rollout?: { readonly phase: string; readonly step: number; readonly weight: number };
    };

/** Every exit of the Action goes through here: outputs, job summary, exit code. */
export async function finish(end: RunEnd): Promise<void> {
  if (end.kind === 'ignored') {
    info(`rollgate: ${end.why}; nothing to do`);
    return;
  }
  if (end.kind === 'done') {
    info(`rollgate: ${end.why}`);
    if (end.failStep) setFailed(end.failStep);
    return;
  }
  const result = toResult(end);
  const sha = end.status.kind === 'committed' || end.status.kind === 'proposed' ? end.status.sha : undefined;
  writeOutputs({
    allowed: String(result.allowed),
    environment: end.environment,
    version: end.version,
    ...(sha !== undefined ? { 'commit-sha': sha } : {}),
    ...(end.rollout !== undefined
      ? { phase: end.rollout.phase, step: String(end.rollout.step), weight: String(end.rollout.weight) }
      : {}),
    result: JSON.stringify(result),
  });
  if (end.report) {
    try {
      await summary.addRaw(end.report, true).write();
    } catch (err) {
      // Outside a runner (no GITHUB_STEP_SUMMARY) the summary is cosmetic.
      notice(`rollgate: job summary not written (${(err as Error).message})`);
    }
  }
  info(`rollgate: ${end.environment}: ${result.status} (${result.reason_code})`);
  // A technical failure fails the step whatever the event: an answer on the PR is not success.
  if (end.failStep) setFailed(end.failStep);
  else if (end.status.kind === 'failed') setFailed(`rollgate: ${end.environment}: ${end.status.message}`);
}
