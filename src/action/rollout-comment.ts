import { info } from '@actions/core';
import { USAGE } from '../commands/grammar.js';
import type { RolloutCommand } from '../commands/parse.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { checkTarget } from '../core/request.js';
import { runRolloutCommand, type CommandReport } from '../core/rollout-run.js';
import { escapeMd } from '../report/markdown.js';
import type { RunStatus } from '../report/status.js';
import type { ActionContext, CommentEvent } from './context.js';
import type { RunEnd } from './finish.js';
import { usageReply } from './help.js';
import type { Inputs } from './io.js';
import { react } from './reactions.js';
import { rolloutDeps } from './rollout-deps.js';
import { publishRollouts } from './rollout-publish.js';
import { notifyRollouts } from './notify.js';
import { ROLLOUT_VERB_SPECS } from './rollout-verbs.js';
import { appGraphqlOver, gitopsRepository, type Clients } from './setup.js';
import { reply } from './sticky.js';
import type { GitOpsStore } from '../core/store.js';
import type { RecentDeployment } from '../github/app-read.js';

export interface RolloutComment {
  readonly ctx: ActionContext;
  readonly inputs: Inputs;
  readonly clients: () => Clients;
  readonly clock: () => Date;
  readonly event: CommentEvent;
  readonly command: RolloutCommand;
  readonly store: GitOpsStore;
  readonly config: Config;
  /** The latest deployments of this repository, when the run read them. */
  readonly deployments?: readonly RecentDeployment[];
  /** What acts instead of the engine's command (a /rollback's aborts, written in one commit). */
  readonly run?: () => Promise<CommandReport>;
}

/**
 * /advance, /pause, /resume, /abort: one call of the engine's runRolloutCommand, then the report
 * of every rollout it acted on (the sticky comment of the pull request that started it, a
 * deployment status), a reaction, and a reply where the command was written when the report went
 * elsewhere or the engine refused.
 */
export async function runRolloutComment(c: RolloutComment): Promise<RunEnd> {
  const { github } = c.clients();
  const repo = c.ctx.repository;
  const spec = ROLLOUT_VERB_SPECS[c.command.verb];
  let services: readonly string[];
  try {
    services = checkTarget(c.config, c.command.environment, c.command.services);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    await reply(github, repo, c.event.issueNumber, usageReply(err.message, USAGE[c.command.verb]));
    await react(github, repo, c.event.commentId, 'confused');
    return refusedEnd(c.command.environment, 'bad-command', err.message);
  }
  info(
    `rollgate: ${c.command.verb} ${c.command.environment} ${c.command.flag !== undefined ? `--flag ${c.command.flag}` : c.command.services.join(',')} by @${c.event.author}`,
  );
  const source =
    c.event.issueUrl || `${c.ctx.serverUrl}/${repo.owner}/${repo.repo}/issues/${c.event.issueNumber}`;
  const report =
    c.run !== undefined
      ? await c.run()
      : await runRolloutCommand(c.config, rolloutDeps(c.ctx, c.store, c.clock), {
          verb: spec.engine,
          environment: c.command.environment,
          // Named services only: none named means every rollout of the environment; --flag names a flag rollout.
          services: c.command.services.length > 0 ? services : [],
          ...(c.command.flag !== undefined ? { flags: [c.command.flag] } : {}),
          ...(c.command.reason !== undefined ? { reason: c.command.reason } : {}),
          requestedBy: c.event.author,
          source,
        });
  await notifyRollouts(c.config, c.ctx, report, c.event.author, c.command.reason);

  const status = statusOf(report);
  const { end, stickies } = await publishRollouts(
    {
      ctx: c.ctx,
      config: c.config,
      store: c.store,
      github,
      gitopsRepository: gitopsRepository(c.config, c.ctx),
      actor: c.event.author,
      via: source,
      commentedOn: c.event.issueNumber,
      ...(c.deployments !== undefined
        ? { deployments: c.deployments, graphql: appGraphqlOver(c.clients()) }
        : {}),
    },
    report,
    status,
    { environment: c.command.environment },
  );

  if (report.exitCode === 0) {
    if (!stickies.includes(c.event.issueNumber)) {
      const where = stickies.length > 0 ? stickies.map((n) => `#${n}`).join(', ') : 'the job summary';
      await reply(
        github,
        repo,
        c.event.issueNumber,
        `### rollgate: ${c.command.environment} ${spec.done}\n\n${report.rollouts
          .map(
            (r) => `- **${escapeMd(r.service)}** \`${escapeMd(r.version)}\`: ${escapeMd(r.action.message)}`,
          )
          .join('\n')}\n\nThe rollout report is on ${where}.`,
      );
    }
    await react(github, repo, c.event.commentId, 'rocket');
    return end;
  }

  const reasons = [
    ...report.rollouts
      .filter((r) => r.commit === undefined)
      .map(
        (r) =>
          `- **${escapeMd(r.service)}** \`${escapeMd(r.version)}\`: ${escapeMd(r.action.message)} (\`${r.action.reasonCode}\`)`,
      ),
    ...report.problems.map(
      (p) => `- **${escapeMd(p.service)}**: ${escapeMd(p.message)} (\`${p.reasonCode}\`)`,
    ),
  ];
  const headline = report.exitCode === 1 ? 'refused' : 'failed';
  await reply(
    github,
    repo,
    c.event.issueNumber,
    `### 🛑 rollgate: ${c.command.verb} ${escapeMd(c.command.environment)} ${headline}\n\n${reasons.join('\n')}\n\n${
      report.exitCode === 1 ? spec.whenRefused : `Nothing more was written. [Run log](${c.ctx.runUrl})`
    }`,
  );
  await react(github, repo, c.event.commentId, '-1');
  return end;
}

function statusOf(report: CommandReport): RunStatus {
  const commits = report.rollouts.flatMap((r) => (r.commit !== undefined ? [r.commit] : []));
  if (report.exitCode === 3) {
    return {
      kind: 'failed',
      message: report.problems.map((p) => `${p.environment}/${p.service}: ${p.message}`).join('; '),
    };
  }
  if (report.exitCode === 1) {
    const first = report.rollouts.find((r) => r.commit === undefined)?.action ?? report.problems[0];
    return {
      kind: 'aborted',
      reasonCode: first?.reasonCode ?? 'refused',
      message: first?.message ?? `${report.verb} refused`,
    };
  }
  const last = commits[commits.length - 1];
  return last !== undefined ? { kind: 'committed', sha: last } : { kind: 'no-op' };
}

function refusedEnd(environment: string, reasonCode: string, message: string): RunEnd {
  return {
    kind: 'ran',
    environment,
    services: [],
    version: '',
    status: { kind: 'aborted', reasonCode, message },
  };
}
