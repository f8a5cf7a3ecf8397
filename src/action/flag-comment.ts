import { info, warning } from '@actions/core';
import { USAGE } from '../commands/grammar.js';
import type { Config } from '../config/schema.js';
import { suggestion } from '../config/did-you-mean.js';
import { startFlagRollout, type FlagStartReport } from '../core/flag-start.js';
import type { GitOpsStore } from '../core/store.js';
import { readHeadSha } from '../facts/github.js';
import { gateInputsFor } from '../facts/fetchers.js';
import type { AppPullRequest } from '../github/app-read.js';
import { escapeInline } from '../report/escape.js';
import { markerFor, renderReport } from '../report/markdown.js';
import { renderRolloutReport, type RolloutView } from '../report/rollout.js';
import { succeeded, type RunStatus } from '../report/status.js';
import { flagRollout } from '../strategies/flag.js';
import { STRATEGIES } from '../strategies/registry.js';
import type { ActionContext, CommentEvent } from './context.js';
import { recordDeployment } from './deployment.js';
import { describeError } from './describe-error.js';
import type { RunEnd } from './finish.js';
import { usageReply } from './help.js';
import { notifyFlagStart } from './notify.js';
import { HeadMovedError } from './promotion.js';
import { react } from './reactions.js';
import { readReviewFacts } from './review-facts.js';
import { rolloutDeps } from './rollout-deps.js';
import { describe, stepsOf, summaryOf } from './rollout-publish.js';
import { gitopsRepository, type Clients } from './setup.js';
import { reply, stickyHint, upsertSticky } from './sticky.js';

// `/promote <env> --flag NAME` on a pull request: starts the feature-flag rollout
// environments.<env>.flags.NAME through the core the CLI's `rollgate promote --flag` runs
// (src/core/flag-start.ts), with /promote's safety around it: the caller has checked the
// commenter's permission and the pull request (open, not a fork); here the head must predate the
// command, the gates read the pull request's reviews, labels and checks, and the head is read again
// right before the commit. The sticky comment, the deployment and the notifications say it is a
// flag rollout: the flag, the variant and its share.

export interface FlagComment {
  readonly ctx: ActionContext;
  readonly clients: () => Clients;
  readonly clock: () => Date;
  readonly event: CommentEvent;
  readonly command: {
    readonly environment: string;
    readonly flag: string;
    readonly dryRun: boolean;
    readonly reason?: string;
  };
  readonly config: Config;
  /** The config file's path, for the error that names where flag rollouts are declared. */
  readonly configPath: string;
  readonly pr: AppPullRequest;
  readonly store: GitOpsStore;
  /** /promote's exact-SHA rule: a refusal when the head may be newer than the command, else undefined. */
  readonly checkHead: (what: string) => Promise<RunEnd | undefined>;
}

export async function runFlagComment(c: FlagComment): Promise<RunEnd> {
  const { github } = c.clients();
  const repo = c.ctx.repository;
  const { environment, flag } = c.command;
  const again = `/promote ${environment} --flag ${flag}`;

  const unknown = unknownFlag(c.config, environment, flag, c.configPath);
  if (unknown !== undefined) {
    await reply(github, repo, c.event.issueNumber, usageReply(unknown, USAGE['/promote']));
    await react(github, repo, c.event.commentId, 'confused');
    return end(environment, '', { kind: 'aborted', reasonCode: 'unknown-flag', message: unknown });
  }
  const variant = flagRollout(c.config, environment, flag)?.variant ?? '';
  if (!c.command.dryRun) {
    const refusal = await c.checkHead(`flag ${flag} variant ${variant} to ${environment}`);
    if (refusal) return refusal;
  }

  const pr = c.pr;
  const reviewFacts = await readReviewFacts(github, repo, c.config, environment, pr, c.event.author);
  const recorded = pr.headSha;
  info(
    `rollgate: /promote ${environment} --flag ${flag} (variant ${variant}) on #${pr.number} at head ${recorded}`,
  );
  // The head again right before the commit: the gates judged this head, so only it may ship.
  let moved: HeadMovedError | undefined;
  const guarded: GitOpsStore = {
    read: (paths) => c.store.read(paths),
    history: (...args) => c.store.history(...args),
    commit: async (snapshot, edits, message, at) => {
      const now = await readHeadSha(github, repo, pr.number);
      if (now !== recorded) {
        moved = new HeadMovedError(recorded, now);
        throw moved;
      }
      return c.store.commit(snapshot, edits, message, at);
    },
  };
  const gateInputs = gateInputsFor(c.config, environment, { env: c.ctx.env });
  const source = c.event.issueUrl || `${c.ctx.serverUrl}/${repo.owner}/${repo.repo}/pull/${pr.number}`;
  const request = {
    environment,
    flag,
    requestedBy: c.event.author,
    source,
    labels: pr.labels,
    ...(c.command.reason !== undefined ? { reason: c.command.reason } : {}),
    ...(c.command.dryRun ? { dryRun: true } : {}),
  };
  const report = await startFlagRollout(
    c.config,
    {
      ...rolloutDeps(c.ctx, guarded, c.clock),
      extraFacts: async (now, req) => ({ pullRequest: pr, ...reviewFacts, ...(await gateInputs(now, req)) }),
    },
    request,
  );
  const commitUrl =
    report.commit !== undefined
      ? `${c.ctx.serverUrl}/${gitopsRepository(c.config, c.ctx)}/commit/${report.commit}`
      : undefined;
  const status = statusOf(report, moved, commitUrl);
  const view = report.commit !== undefined ? startedView(c.config, report, commitUrl) : undefined;
  const body =
    view !== undefined
      ? renderRolloutReport({
          environment,
          actor: c.event.author,
          via: source,
          at: report.at,
          rollouts: [view],
        })
      : renderReport({
          environment,
          services: [],
          version: variant,
          requestedBy: c.event.author,
          source,
          flag: { name: flag, variant, ...firstShare(c.config, environment, flag) },
          ...(report.decision !== undefined ? { decision: report.decision } : {}),
          edits: report.edits ?? [],
          status,
          ...nextStep(status, again),
        });

  let comment: number | undefined;
  try {
    const marker = markerFor(environment);
    comment = (await upsertSticky(github, repo, pr.number, marker, body, undefined, stickyHint(pr, marker)))
      .id;
  } catch (err) {
    warning(
      `rollgate: could not write the report comment on #${pr.number} (${describeError(err)}); the job summary has it`,
    );
  }
  if (view !== undefined && report.commit !== undefined) {
    await recordDeployment(github, repo, {
      ref: recorded,
      environment,
      state: 'in_progress',
      description: `${describe(view)} by @${c.event.author}`,
      logUrl: c.ctx.runUrl,
      ...(commitUrl !== undefined ? { commitUrl } : {}),
      payload: {
        flag,
        variant,
        commit: report.commit,
        phase: view.phase,
        step: view.step,
        weight: view.weight,
        pull: pr.number,
        ...(comment !== undefined ? { comment } : {}),
      },
    });
  }
  await notifyFlagStart(c.config, c.ctx, report, request);
  await react(github, repo, c.event.commentId, succeeded(status) ? 'rocket' : '-1');
  return {
    ...end(environment, variant, status),
    ...(report.decision !== undefined ? { decision: report.decision } : {}),
    report: body,
    ...(view !== undefined
      ? {
          rollouts: [summaryOf(environment, view)],
          rollout: { phase: view.phase, step: view.step, weight: view.weight },
        }
      : {}),
  };
}

/** Why `/promote <env> --flag NAME` names nothing to roll out, with the flag rollouts there are; undefined when it does. */
function unknownFlag(
  config: Config,
  environment: string,
  flag: string,
  configPath: string,
): string | undefined {
  const env = config.environments[environment];
  if (env === undefined) {
    const names = Object.keys(config.environments);
    return `no environment named "${environment}"${suggestion(environment, names)}; environments: ${names.join(', ')}`;
  }
  const declared = Object.keys(env.flags ?? {});
  if (declared.includes(flag)) return undefined;
  if (declared.length === 0)
    return `${environment} declares no flag rollouts; declare "${flag}" under environments.${environment}.flags in ${configPath} (docs/flags.md)`;
  return `${environment} has no flag rollout "${flag}"${suggestion(flag, declared)}; its flag rollouts: ${declared.join(', ')}`;
}

function firstShare(config: Config, environment: string, flag: string): { firstShare?: number } {
  const first = stepsOf(config, environment, flag).weights[0];
  return first !== undefined ? { firstShare: first } : {};
}

function statusOf(
  report: FlagStartReport,
  moved: HeadMovedError | undefined,
  url: string | undefined,
): RunStatus {
  if (moved !== undefined) return { kind: 'aborted', reasonCode: 'head-moved', message: moved.message };
  switch (report.result) {
    case 'committed':
      return { kind: 'committed', sha: report.commit ?? '', ...(url !== undefined ? { url } : {}) };
    case 'noop':
      return { kind: 'no-op' };
    case 'dry-run':
      return { kind: 'dry-run' };
    case 'denied':
      return { kind: 'denied' };
    case 'invalid':
      return { kind: 'aborted', reasonCode: 'flag-invalid', message: report.message };
    case 'gave-up':
    case 'error':
      return { kind: 'failed', message: report.message };
  }
}

function nextStep(status: RunStatus, again: string): { next?: string } {
  const command = escapeInline(again);
  switch (status.kind) {
    case 'denied':
      return { next: `Fix or wait out the failing gates above, then comment ${command} again.` };
    case 'dry-run':
      return { next: `Comment ${command} without --dry-run to start the rollout.` };
    case 'aborted':
    case 'failed':
      return { next: `Nothing was written. Comment ${command} again when the cause above is fixed.` };
    default:
      return {};
  }
}

/** The started rollout as the sticky shows it: the gates of the start in the table, analysis to come. */
function startedView(
  config: Config,
  report: FlagStartReport,
  commitUrl: string | undefined,
): RolloutView | undefined {
  const state = report.state;
  const r = state?.rollout;
  if (report.commit === undefined || r === undefined) return undefined;
  const target = { config, environment: report.environment, service: report.flag, flag: report.flag };
  const holdMs = STRATEGIES.flag?.holdMs(target, r) ?? 0;
  return {
    service: report.flag,
    flag: true,
    version: r.version,
    ...(state?.stable !== undefined ? { stable: state.stable } : {}),
    phase: r.phase,
    step: r.step,
    steps: r.steps,
    weight: r.weight,
    ...stepsOf(config, report.environment, report.flag),
    action: { kind: 'start', reasonCode: 'promote', message: report.message },
    commit: { sha: report.commit, ...(commitUrl !== undefined ? { url: commitUrl } : {}) },
    nextEligibleAt: new Date(Date.parse(r.windowStart) + holdMs).toISOString(),
    analysis: [],
    gates: report.decision?.verdicts ?? [],
  };
}

function end(environment: string, variant: string, status: RunStatus): Extract<RunEnd, { kind: 'ran' }> {
  return { kind: 'ran', environment, services: [], version: variant, status };
}
