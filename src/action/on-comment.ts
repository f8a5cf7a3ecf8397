import { info, warning } from '@actions/core';
import { USAGE } from '../commands/grammar.js';
import {
  isRolloutCommand,
  parseComment,
  type Command,
  type ParseResult,
  type RolloutCommand,
} from '../commands/parse.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import type { CommitOutcome, GitOpsStore } from '../core/store.js';
import { strategyFor } from '../strategies/registry.js';
import { checkTarget } from '../core/request.js';
import { formatVersion, type PromotionRequest } from '../core/types.js';
import { flagRolloutStatuses, flagStatusPaths } from '../core/rollout-status.js';
import { runningPaths, runningVersions } from '../core/running.js';
import {
  permissionAtLeast,
  PERMISSION_LEVELS,
  readHeadSha,
  readPermission,
  type Permission,
  type PullRequest,
} from '../facts/github.js';
import type { AppRead } from '../github/app-read.js';
import { gateInputsFor } from '../facts/fetchers.js';
import { markerFor } from '../report/markdown.js';
import { pipelineMermaid } from '../report/mermaid.js';
import { pipelineView } from '../report/pipeline-view.js';
import { succeeded, type RunStatus } from '../report/status.js';
import { describeError } from './describe-error.js';
import { rollbackPaths, rollbackTogether, type RollbackResult } from '../core/rollback-together.js';
import { recognisingStore } from '../core/own-commit.js';
import type { CommandReport, RolloutProblem } from '../core/rollout-run.js';
import { stateOf } from '../core/rollout-start.js';
import { activeRollout } from '../core/state.js';
import { statusText } from './status-reply.js';
import { asCommentEvent, type ActionContext, type CommentEvent, type Repo } from './context.js';
import { recordPromotion } from './deployment.js';
import { notifyPromotion } from './notify.js';
import type { RunEnd } from './finish.js';
import { helpText, usageReply } from './help.js';
import { booleanInput, secondsInput, type Inputs } from './io.js';
import { isUnlistedBot } from './bots.js';
import { confirmDeployment } from './confirm.js';
import { headSafety } from './head-safety.js';
import { codeBlock, escapeInline } from '../report/escape.js';
import { promotionReport } from './promotion-report.js';
import { startedRollouts } from './rollout-start.js';
import { HeadMovedError, resolveVersion, resultOf, runPromotion, type PromotionResult } from './promotion.js';
import { readReviewFacts } from './review-facts.js';
import { react } from './reactions.js';
import { runRolloutComment } from './rollout-comment.js';
import { runFlagComment } from './flag-comment.js';
import { cachingStore, makeStore, readAppRepository, trustedConfigOf, type Clients } from './setup.js';
import { reply, stickyHint, upsertSticky } from './sticky.js';

/** issue_comment: the comment grammar. Only a rollgate command costs an API call. */
export async function onComment(
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
): Promise<RunEnd> {
  const event = asCommentEvent(ctx.payload);
  if (!event) return { kind: 'ignored', why: 'the issue_comment payload has no comment' };
  if (event.action !== 'created') return { kind: 'ignored', why: `comment ${event.action}, not created` };
  const parsed = parseComment(event.body);
  if (parsed.kind === 'ignored') return { kind: 'ignored', why: 'the comment is not a rollgate command' };
  if (isUnlistedBot(event, inputs['allow-bots'])) {
    return { kind: 'ignored', why: `@${event.author} is a bot that allow-bots does not name` };
  }

  const { github } = clients();
  const repo = ctx.repository;
  // One GraphQL read answers who asks, the config and policies at the default branch's head, and
  // (for /promote and /rollback) the pull request: head, state, labels, reviews, rollgate's comments.
  const verb = parsed.kind === 'command' ? parsed.command.verb : parsed.verb;
  const needsPull = event.isPullRequest && (verb === '/promote' || verb === '/rollback');
  const app = await readAppRepository(clients(), repo, {
    configPath: inputs.config,
    permissionOf: event.author,
    ...(needsPull && parsed.kind === 'command' ? { pull: event.issueNumber } : {}),
    // A rollout verb's report adds a status to the deployment that started the rollout.
    ...(parsed.kind === 'command' && isRolloutCommand(parsed.command) ? { deployments: true } : {}),
  });
  // Who may ask comes first: anyone can comment on a public repository, and a reply to each of
  // their comments would be a spam amplifier. A refusal costs them one reaction, nothing more.
  const needed = permissionInput(inputs.permission);
  const has = await permissionOf(github, repo, event.author, app, needed);
  if (!permissionAtLeast(has, needed)) {
    await react(github, repo, event.commentId, '-1');
    return aborted(
      'not-permitted',
      `@${event.author} has ${has} permission on ${repo.owner}/${repo.repo}; ${verb} needs ${needed} or above`,
    );
  }
  try {
    return await handleCommand(ctx, inputs, clients, clock, event, parsed, app);
  } catch (err) {
    // The commenter sees what went wrong where they asked, not only in the run log.
    const message = describeError(err);
    await reply(
      github,
      repo,
      event.issueNumber,
      `### 💥 rollgate failed\n\n${codeBlock(message.slice(0, 4000))}\n\nNothing was written. [Run log](${ctx.runUrl})`,
    ).catch(() => undefined);
    await react(github, repo, event.commentId, '-1');
    throw err;
  }
}

/**
 * The commenter's role from the GraphQL read; REST only where GraphQL cannot answer: the token may
 * not list collaborators, or it lists no role and the input admits read access (REST knows what
 * the public may do on a public repository, the collaborators list does not).
 */
async function permissionOf(
  github: Clients['github'],
  repo: Repo,
  author: string,
  app: AppRead,
  needed: Permission,
): Promise<Permission> {
  const known = app.permission;
  if (known !== undefined && !(known === 'none' && needed === 'read')) return known;
  return readPermission(github, repo, author);
}

async function handleCommand(
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
  event: CommentEvent,
  parsed: Exclude<ParseResult, { kind: 'ignored' }>,
  app: AppRead,
): Promise<RunEnd> {
  const { github } = clients();
  const repo = ctx.repository;
  // A command rollgate understood but cannot run as written: say why with the usage, react, stop.
  const confused = async (reasonCode: string, problem: string, usage: string): Promise<RunEnd> => {
    await reply(github, repo, event.issueNumber, usageReply(problem, usage));
    await react(github, repo, event.commentId, 'confused');
    return aborted(reasonCode, problem);
  };

  if (parsed.kind === 'invalid') {
    return confused('bad-command', parsed.problem, parsed.usage);
  }

  const command = parsed.command;
  if (command.verb === '/help') {
    let trusted;
    try {
      trusted = trustedConfigOf(app, repo, inputs.config, ctx.env);
    } catch {
      trusted = undefined; // help without the environments list
    }
    await reply(github, repo, event.issueNumber, helpText(trusted?.config));
    return { kind: 'ignored', why: '/help answered' };
  }

  const trusted = trustedConfigOf(app, repo, inputs.config, ctx.env);
  const config = trusted.config;
  const store = cachingStore(makeStore(config, ctx, clients()), { mode: config.gitops.mode });

  if (command.verb === '/status') {
    const services = Object.keys(config.services);
    // The flag rollouts' state files come in the same read (no extra request).
    const snapshot = await store.read([
      ...new Set([...runningPaths(config, services), ...flagStatusPaths(config)]),
    ]);
    const running = runningVersions(config, services, snapshot.files);
    await reply(
      github,
      repo,
      event.issueNumber,
      statusText(
        running,
        pipelineMermaid(pipelineView(config, running)),
        flagRolloutStatuses(config, snapshot.files),
      ),
    );
    return { kind: 'ignored', why: '/status answered' };
  }

  // Steering a rollout works from any issue or pull request, open or closed (the one that started
  // it is often merged by then); each verb is one file under src/action/, registered in rollout-verbs.ts.
  if (isRolloutCommand(command)) {
    return runRolloutComment({
      ctx,
      inputs,
      clients,
      clock,
      event,
      command,
      store,
      config,
      ...(app.deployments !== undefined ? { deployments: app.deployments } : {}),
    });
  }

  // DESIGN.md: `rollback` of an active rollout is `abort` (the canary back to the stable version,
  // weight 0, a hold), as on the CLI; a plain rollback would move the stable workload instead.
  if (command.verb === '/rollback' && !command.dryRun) {
    // A flag rollout has no plain rollback: /rollback --flag is /abort --flag (share 0, held).
    const rolling =
      command.flag !== undefined
        ? [command.flag]
        : await rollingOut(store, config, command.environment, command.services);
    if (rolling.length > 0) {
      const abort: RolloutCommand = {
        verb: '/abort',
        environment: command.environment,
        services: command.services,
        ...(command.flag !== undefined ? { flag: command.flag } : {}),
        ...(command.reason !== undefined ? { reason: command.reason } : {}),
      };
      if (command.flag !== undefined)
        return runRolloutComment({ ctx, inputs, clients, clock, event, command: abort, store, config });
      // Every rollout named (or, none named, every one under way) is aborted in one commit, read
      // once: the read that found them serves the rollback's (issue 10).
      const source =
        event.issueUrl || `${ctx.serverUrl}/${repo.owner}/${repo.repo}/issues/${event.issueNumber}`;
      return runRolloutComment({
        ctx,
        inputs,
        clients,
        clock,
        event,
        command: abort,
        store,
        config,
        run: async () => {
          const done = await rollbackTogether(
            config,
            {
              environment: command.environment,
              services: rolling,
              requestedBy: event.author,
              source,
              runId: ctx.runId,
              ...(command.reason !== undefined ? { reason: command.reason } : {}),
            },
            { store: recognisingStore(store, { log: info, afterMoved: true }), clock },
          );
          // A named service without a rollout is not rolled back here: said, as /abort says it.
          const named =
            command.services.length > 0 ? checkTarget(config, command.environment, command.services) : [];
          const idle = named
            .filter((service) => !rolling.includes(service))
            .map((service) => ({
              environment: command.environment,
              service,
              reasonCode: 'not-active',
              message: `${service} has no active rollout in ${command.environment}; /rollback it on its own to return it to its previous version`,
            }));
          return abortReport(clock(), done, idle);
        },
      });
    }
  }

  if (!event.isPullRequest) {
    await reply(
      github,
      repo,
      event.issueNumber,
      usageReply(`${command.verb} runs on pull requests only`, `${command.verb} ${command.environment}`),
    );
    return aborted('not-a-pull-request', `${command.verb} was commented on an issue`);
  }

  const pr = app.pull;
  if (pr === undefined) throw new Error(`the read of pull request #${event.issueNumber} is missing`);
  if (pr.fromFork && !booleanInput('allow-forks', inputs['allow-forks'])) {
    await reply(
      github,
      repo,
      event.issueNumber,
      `### 🛑 rollgate: pull requests from forks cannot be promoted\n\n- **Pull request:** #${pr.number} comes from another repository\n\nPush the branch to ${repo.owner}/${repo.repo}, or set \`allow-forks: true\` on the rollgate step if you trust forks.`,
    );
    await react(github, repo, event.commentId, '-1');
    return aborted('fork', `pull request #${pr.number} comes from a fork and allow-forks is false`);
  }
  if (!pr.open) {
    await reply(
      github,
      repo,
      event.issueNumber,
      usageReply(`pull request #${pr.number} is closed`, USAGE_OPEN),
    );
    return aborted('pull-request-closed', `pull request #${pr.number} is closed`);
  }

  // `/promote <env> --flag NAME`: a feature-flag rollout, with the same safety (src/action/flag-comment.ts).
  if (command.verb === '/promote' && command.flag !== undefined) {
    return runFlagComment({
      ctx,
      clients,
      clock,
      event,
      command: {
        environment: command.environment,
        flag: command.flag,
        dryRun: command.dryRun,
        ...(command.reason !== undefined ? { reason: command.reason } : {}),
      },
      config,
      configPath: inputs.config,
      pr,
      store,
      checkHead: (what) => checkHead(github, repo, inputs, event, pr, command.environment, what),
    });
  }

  let services: readonly string[];
  try {
    services = checkTarget(config, command.environment, command.services);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return confused('bad-command', err.message, USAGE[command.verb]);
  }

  // The report of a promotion or a rollback: the sticky, a deployment, notifications, one reaction.
  const publish = async (
    request: PromotionRequest,
    result: PromotionResult,
    version: string,
    services: readonly string[],
    source: string,
    recorded: string,
  ): Promise<RunEnd> => {
    const report = promotionReport(
      config,
      {
        environment: command.environment,
        services,
        version,
        requestedBy: event.author,
        source,
        ...nextStep(result.status, command),
      },
      result,
    );
    let comment: number | undefined;
    try {
      const marker = markerFor(command.environment);
      comment = (
        await upsertSticky(github, repo, pr.number, marker, report, undefined, stickyHint(pr, marker))
      ).id;
    } catch (err) {
      // The promotion has happened (or been refused) by now; a lost report must not read as a failed run.
      warning(
        `rollgate: could not write the report comment on #${pr.number} (${describeError(err)}); the job summary has it`,
      );
    }
    await recordPromotion(github, repo, {
      ref: recorded,
      environment: command.environment,
      services,
      version,
      actor: event.author,
      logUrl: ctx.runUrl,
      status: result.status,
      rollout: startedRollouts(config, result).length > 0,
      pull: pr.number,
      ...(comment !== undefined ? { comment } : {}),
    });
    await notifyPromotion(config, ctx, request, result);
    // One reaction per command, its outcome (no 👀 first: the sticky report follows within the run).
    await react(github, repo, event.commentId, succeeded(result.status) ? 'rocket' : '-1');
    return {
      kind: 'ran',
      environment: command.environment,
      services,
      version,
      status: result.status,
      ...(result.evaluation ? { decision: result.evaluation.decision } : {}),
      report,
    };
  };

  const source = event.issueUrl || `${ctx.serverUrl}/${repo.owner}/${repo.repo}/pull/${pr.number}`;
  if (command.verb === '/rollback') {
    // One read and one commit whatever the number of services, even when they go back to
    // different versions (core/rollback-together.ts; the read was served by rollingOut's).
    let last: CommitOutcome | undefined;
    const recognising =
      config.gitops.mode === 'push' ? recognisingStore(store, { log: info, afterMoved: true }) : store;
    const capturing: GitOpsStore = {
      ...recognising,
      commit: async (...args) => (last = await recognising.commit(...args)),
    };
    const done = await rollbackTogether(
      config,
      {
        environment: command.environment,
        services,
        requestedBy: event.author,
        source,
        labels: pr.labels,
        runId: ctx.runId,
        requireAll: true,
        ...(command.dryRun ? { dryRun: true } : {}),
        ...(command.reason !== undefined ? { reason: command.reason } : {}),
      },
      { store: capturing, clock, extraFacts: () => Promise.resolve({ pullRequest: pr }) },
    );
    const [first] = done.requests;
    const outcome = done.outcomes[0];
    if (first === undefined || outcome === undefined) {
      const problem =
        done.missing
          .map(
            (m) =>
              `no earlier version of ${m.service} in ${command.environment} in rollgate's history to roll back to (it runs ${m.running ?? 'nothing'})`,
          )
          .join('; ') || `nothing to roll back in ${command.environment}`;
      return confused('bad-version', problem, USAGE[command.verb]);
    }
    const rolled = done.requests.flatMap((r) => r.services);
    const version =
      done.requests.length === 1
        ? formatVersion(first.version)
        : done.requests.map((r) => `${r.services.join(', ')} ${formatVersion(r.version)}`).join('; ');
    info(
      `rollgate: /rollback ${command.environment} ${done.targets.map((t) => `${t.service} ${t.running ?? '-'} -> ${t.version}`).join(', ')} on #${pr.number}`,
    );
    return publish(
      { ...first, services: rolled },
      resultOf(config, first, outcome, last),
      version,
      rolled,
      source,
      pr.headSha,
    );
  }

  const explicit = command.version;
  const resolved =
    typeof explicit === 'object' ? explicit : resolveVersion(config, services, explicit, pr.headSha);
  if ('problem' in resolved) {
    return confused('bad-version', resolved.problem, USAGE[command.verb]);
  }

  const request: PromotionRequest = {
    environment: command.environment,
    services,
    version: resolved.version,
    requestedBy: event.author,
    source,
    labels: pr.labels,
    dryRun: command.dryRun,
    runId: ctx.runId,
    ...(command.reason !== undefined ? { reason: command.reason } : {}),
    // The PR head's committer time, from the one read: Rollgate-Source-Time (lead time's start).
    ...(command.verb === '/promote' && pr.headCommittedAt !== undefined
      ? { sourceTime: pr.headCommittedAt }
      : {}),
  };
  if (!command.dryRun) {
    const refusal = await checkHead(
      github,
      repo,
      inputs,
      event,
      pr,
      command.environment,
      `${request.services.join(', ')} ${formatVersion(request.version)} to ${command.environment}`,
    );
    if (refusal) return refusal;
  }

  const reviewFacts = await readReviewFacts(github, repo, config, command.environment, pr, event.author);
  const recorded = pr.headSha;
  info(
    `rollgate: ${command.verb} ${command.environment} ${services.join(',')} ${formatVersion(resolved.version)} on #${pr.number} at head ${recorded}`,
  );

  const result = await runPromotion({
    config,
    request,
    store,
    clock,
    gateInputs: gateInputsFor(config, command.environment, { env: ctx.env }),
    extraFacts: { pullRequest: pr, ...reviewFacts },
    beforeCommit: async () => {
      const now = await readHeadSha(github, repo, pr.number);
      if (now !== recorded) throw new HeadMovedError(recorded, now);
    },
  });

  return publish(request, result, formatVersion(resolved.version), services, source, recorded);
}

/**
 * The head the command would ship must predate the command (a server-side push time), or be
 * confirmed by the commenter when no such time exists. Returns the refusal, or undefined to go on.
 */
async function checkHead(
  github: Clients['github'],
  repo: Repo,
  inputs: Inputs,
  event: CommentEvent,
  pr: PullRequest,
  environment: string,
  /** What the command would ship, for the confirmation question ("checkout 1.5.0 to production"). */
  what: string,
): Promise<RunEnd | undefined> {
  const refuse = async (reasonCode: string, heading: string, bullets: string[], todo: string) => {
    await reply(
      github,
      repo,
      event.issueNumber,
      [`### 🛑 rollgate: ${heading}`, '', ...bullets, '', todo].join('\n'),
    );
    await react(github, repo, event.commentId, '-1');
    return aborted(reasonCode, `${heading}: ${bullets[0]?.replace(/[*`]/g, '').replace(/^- /, '')}`);
  };
  const again = escapeInline(`/promote ${environment}`);
  const safety = await headSafety(github, repo, pr, event.createdAt);
  if (safety.kind === 'safe') {
    info(
      `rollgate: head ${safety.sha} was pushed at ${safety.pushedAt}, before the command (${event.createdAt})`,
    );
    return undefined;
  }
  if (safety.kind === 'pushed-after-command') {
    return refuse(
      'head-pushed-after-command',
      `the pull request changed after the command`,
      [
        `- **Would have shipped:** \`${safety.sha}\`, pushed at ${safety.pushedAt}, after the command (written at ${safety.commentedAt})`,
        '- **Nothing was written.**',
      ],
      `Check the new commits, then comment ${again} again.`,
    );
  }
  if (!booleanInput('deployment-confirmation', inputs['deployment-confirmation'])) {
    return refuse(
      'no-push-time',
      `cannot tell whether ${safety.sha.slice(0, 7)} was pushed before the command`,
      [`- **Head:** \`${safety.sha}\`: ${safety.why}`, '- **Nothing was written.**'],
      'Set `deployment-confirmation: true` on the rollgate step so rollgate asks you to confirm the exact commit with a 👍, or push the branch to this repository.',
    );
  }
  const timeoutSeconds = secondsInput(
    'deployment-confirmation-timeout',
    inputs['deployment-confirmation-timeout'] || '60',
    1,
    600,
  );
  const answer = await confirmDeployment(github, repo, {
    issueNumber: event.issueNumber,
    author: event.author,
    sha: safety.sha,
    what,
    why: `${safety.why}, so GitHub cannot prove it predates the command`,
    timeoutSeconds,
  });
  if (answer.kind === 'confirmed') {
    info(`rollgate: @${event.author} confirmed ${safety.sha}`);
    return undefined;
  }
  return refuse(
    'not-confirmed',
    answer.kind === 'rejected'
      ? `@${event.author} cancelled shipping ${safety.sha.slice(0, 7)}`
      : `no 👍 from @${event.author} within ${timeoutSeconds} seconds`,
    [`- **Would have shipped:** \`${safety.sha}\``, '- **Nothing was written.**'],
    `Comment ${again} again and react 👍 to rollgate's reply to ship it.`,
  );
}

const USAGE_OPEN = 'reopen the pull request, then comment again';

function aborted(reasonCode: string, message: string): RunEnd {
  return {
    kind: 'ran',
    environment: '',
    services: [],
    version: '',
    status: { kind: 'aborted', reasonCode, message },
  };
}

function permissionInput(text: string): Permission {
  const value = (text || 'write').trim() as Permission;
  if (!(PERMISSION_LEVELS as readonly string[]).includes(value)) {
    throw new Error(`input permission is "${text}"; expected one of ${PERMISSION_LEVELS.join(', ')}`);
  }
  return value;
}

function nextStep(status: RunStatus, command: Command): { next?: string } {
  const again =
    command.verb === '/status' || command.verb === '/help'
      ? ''
      : escapeInline(`${command.verb} ${command.environment}`);
  switch (status.kind) {
    case 'denied':
      return { next: `Fix or wait out the failing gates above, then comment ${again} again.` };
    case 'dry-run':
      return { next: `Comment ${again} without --dry-run to promote.` };
    case 'aborted':
    case 'failed':
      return { next: `Nothing was written. Comment ${again} again when the cause above is fixed.` };
    default:
      return {};
  }
}

/** The services a /rollback names (all of the environment when none) that are rolling out; none when the target is not valid. */
async function rollingOut(
  store: GitOpsStore,
  config: Config,
  environment: string,
  named: readonly string[],
): Promise<string[]> {
  let services: readonly string[];
  try {
    services = checkTarget(config, environment, named);
  } catch {
    return []; // the usual path answers a bad target with its usage
  }
  if (strategyFor(config, environment) === undefined) return [];
  // The rollback's own read: everything it needs, so it is not read twice (setup.ts cachingStore).
  const snapshot = await store.read(rollbackPaths(config, environment, services));
  return services.filter((service) => {
    const loaded = stateOf(snapshot.files, environment, service);
    return loaded.ok && activeRollout(loaded.state) !== undefined;
  });
}

/** The aborts a /rollback wrote in its one commit, as the engine's `abort` reports its own. */
function abortReport(at: Date, done: RollbackResult, idle: readonly RolloutProblem[]): CommandReport {
  const gaveUp = done.abortOutcome.kind === 'gave-up';
  return {
    schema_version: 1,
    verb: 'abort',
    at: at.toISOString(),
    exitCode: gaveUp || done.problems.length > 0 ? 3 : done.aborts.length === 0 || idle.length > 0 ? 1 : 0,
    rollouts: done.aborts,
    problems: [
      ...done.problems,
      ...idle,
      ...(done.abortOutcome.kind === 'gave-up'
        ? [
            {
              environment: done.aborts[0]?.environment ?? '',
              service: done.aborts.map((r) => r.service).join(', '),
              reasonCode: 'gave-up',
              message: `the GitOps branch kept moving (${done.abortOutcome.detail}); nothing was written`,
            },
          ]
        : []),
    ],
  };
}
