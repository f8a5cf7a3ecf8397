import { warning } from '@actions/core';
import type { Config } from '../config/schema.js';
import { runTick, type TickReport } from '../core/rollout-run.js';
import type { RunStatus } from '../report/status.js';
import { strategyFor } from '../strategies/registry.js';
import type { ActionContext } from './context.js';
import { describeError } from './describe-error.js';
import type { Handler, RunEnd } from './finish.js';
import type { Inputs } from './io.js';
import { rolloutDeps } from './rollout-deps.js';
import { publishRollouts } from './rollout-publish.js';
import { notifyRollouts } from './notify.js';
import type { AppRead } from '../github/app-read.js';
import {
  appGraphqlOver,
  cachingStore,
  gitopsRepository,
  makeStore,
  readAppRepository,
  scheduleWants,
  trustedConfigOf,
  type Clients,
} from './setup.js';

/**
 * One tick of every active rollout (DESIGN.md "Progressive delivery"): on `schedule` beside the
 * freeze sweep, on `repository_dispatch` (an external cron for tighter timing), and on a
 * `workflow_dispatch` that asks for no promotion. Each rollout gets exactly one action; a tick
 * that changes nothing writes nothing and posts nothing.
 */
export async function onTick(
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
  read?: AppRead,
): Promise<RunEnd> {
  const { github } = clients();
  // One read of this repository: the config, and the latest deployments the reports add a status to.
  const app =
    read ??
    (await readAppRepository(clients(), ctx.repository, { configPath: inputs.config, deployments: true }));
  const { config } = trustedConfigOf(app, ctx.repository, inputs.config, ctx.env);
  if (!hasRollouts(config))
    return { kind: 'ignored', why: 'no environment rolls out progressively (no canary:)' };
  // After a commit the tick's next reads are served from what it committed (see cachingStore).
  const store = cachingStore(makeStore(config, ctx, clients()), { mode: config.gitops.mode });
  // Like a promotion, each commit names the run that made it (Rollgate-Source), for the audit trail.
  const report = await runTick(config, rolloutDeps(ctx, store, clock), { source: ctx.runUrl });
  if (report.rollouts.length === 0 && report.problems.length === 0) {
    return { kind: 'ignored', why: 'tick: no active rollout' };
  }
  await notifyRollouts(config, ctx, report);
  const { end } = await publishRollouts(
    {
      ctx,
      config,
      store,
      github,
      gitopsRepository: gitopsRepository(config, ctx),
      actor: 'rollgate',
      via: ctx.runUrl,
      ...(app.deployments !== undefined
        ? { deployments: app.deployments, graphql: appGraphqlOver(clients()) }
        : {}),
    },
    report,
    statusOf(report),
    report.exitCode === 3
      ? {
          failStep: `rollgate: tick: ${report.problems.length || 'some'} rollout(s) could not be judged or written; see the log`,
        }
      : {},
  );
  return end;
}

function hasRollouts(config: Config): boolean {
  return Object.keys(config.environments).some((env) => strategyFor(config, env) !== undefined);
}

function statusOf(report: TickReport): RunStatus {
  if (report.exitCode === 3) {
    const problems = report.problems.map((p) => `${p.environment}/${p.service}: ${p.message}`);
    const unjudged = report.rollouts
      .filter((r) => r.action.kind === 'wait' && r.action.reasonCode === 'analysis.error')
      .map((r) => `${r.environment}/${r.service}: ${r.action.message}`);
    return { kind: 'failed', message: [...problems, ...unjudged].join('; ') };
  }
  const commits = report.rollouts.flatMap((r) => (r.commit !== undefined ? [r.commit] : []));
  const last = commits[commits.length - 1];
  return last !== undefined ? { kind: 'committed', sha: last } : { kind: 'no-op' };
}

/**
 * `schedule`: the tick, then the handler (the freeze sweep); one failing does not stop the other.
 * One GraphQL read of this repository serves both: the config, every open pull request's head with
 * its statuses (the sweep), the latest deployments (the rollout reports).
 */
export function withTick(handler: Handler): Handler {
  return async (ctx, inputs, clients, clock, given) => {
    const read = given ?? (await readAppRepository(clients(), ctx.repository, scheduleWants(inputs.config)));
    const [tick, other] = await Promise.allSettled([
      onTick(ctx, inputs, clients, clock, read),
      handler(ctx, inputs, clients, clock, read),
    ]);
    if (tick.status === 'rejected') {
      if (other.status === 'rejected') warning(`rollgate: ${describeError(other.reason)}`);
      throw tick.reason;
    }
    if (other.status === 'rejected') throw other.reason;
    return tick.value.kind === 'ran' ? tick.value : other.value;
  };
}

/** `workflow_dispatch`: a promotion when one is asked for (inputs command or environment), else a tick. */
export function dispatchOrTick(dispatch: Handler): Handler {
  return (ctx, inputs, clients, clock) =>
    inputs.command || inputs.environment
      ? dispatch(ctx, inputs, clients, clock)
      : onTick(ctx, inputs, clients, clock);
}
