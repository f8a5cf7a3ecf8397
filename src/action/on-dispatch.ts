import { parseComment } from '../commands/parse.js';
import { checkTarget } from '../core/request.js';
import { formatVersion, type PromotionRequest } from '../core/types.js';
import { gateInputsFor } from '../facts/fetchers.js';
import { succeeded } from '../report/status.js';
import { type ActionContext, pushedCommitTime } from './context.js';
import { recordPromotion } from './deployment.js';
import { notifyPromotion } from './notify.js';
import type { RunEnd } from './finish.js';
import { booleanInput, listInput, type Inputs } from './io.js';
import { promotionReport } from './promotion-report.js';
import { startedRollouts } from './rollout-start.js';
import { resolveVersion, runPromotion } from './promotion.js';
import { loadTrustedConfig, makeStore, type Clients } from './setup.js';

interface Ask {
  readonly environment: string;
  readonly services: readonly string[];
  readonly version?: string;
  readonly dryRun: boolean;
  readonly reason?: string;
}

/** The promotion a pipeline asks for: the `command` input in the comment grammar, or the separate inputs. */
export function askFromInputs(inputs: Inputs): Ask {
  if (inputs.command) {
    const parsed = parseComment(inputs.command);
    if (parsed.kind === 'ignored') {
      throw new Error(
        `input command is "${inputs.command}"; expected a rollgate command such as "/promote staging"`,
      );
    }
    if (parsed.kind === 'invalid')
      throw new Error(`input command: ${parsed.problem}; usage: ${parsed.usage}`);
    const c = parsed.command;
    if (c.verb !== '/promote')
      throw new Error(
        `input command: only /promote runs from a pipeline, got ${c.verb}; comment it on a pull request or run the rollgate CLI instead`,
      );
    // The grammar knows `--flag`; a pipeline promotion does not start flag rollouts (yet): refuse
    // rather than promote the environment's services.
    if (c.flag !== undefined)
      throw new Error(
        `input command: a flag rollout (--flag ${c.flag}) is not started from a pipeline; comment "/promote ${c.environment} --flag ${c.flag}" on a pull request, or run \`rollgate promote ${c.environment} --flag ${c.flag}\` in the workflow`,
      );
    return {
      environment: c.environment,
      services: c.services,
      dryRun: c.dryRun || booleanInput('dry-run', inputs['dry-run']),
      ...(c.version !== undefined ? { version: c.version } : {}),
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
    };
  }
  if (!inputs.environment) {
    throw new Error(
      'input environment is empty; set `environment:` (e.g. staging) or `command: /promote staging`',
    );
  }
  return {
    environment: inputs.environment,
    services: listInput(inputs.services),
    dryRun: booleanInput('dry-run', inputs['dry-run']),
    ...(inputs.version ? { version: inputs.version } : {}),
  };
}

/** workflow_dispatch / push: promote from a pipeline; a denial fails the step so the pipeline stops. */
export async function onDispatch(
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
): Promise<RunEnd> {
  const ask = askFromInputs(inputs);
  const { github } = clients();
  const repo = ctx.repository;
  const { config } = await loadTrustedConfig(clients(), repo, inputs.config, ctx.env);
  const services = checkTarget(config, ask.environment, ask.services);
  const resolved = resolveVersion(config, services, ask.version, ctx.sha);
  if ('problem' in resolved) throw new Error(resolved.problem);
  const version = formatVersion(resolved.version);
  const request: PromotionRequest = {
    environment: ask.environment,
    services,
    version: resolved.version,
    requestedBy: ctx.actor,
    source: ctx.runUrl,
    dryRun: ask.dryRun,
    runId: ctx.runId,
    ...(ask.reason !== undefined ? { reason: ask.reason } : {}),
    ...sourceTimeOf(ctx),
  };
  const result = await runPromotion({
    config,
    request,
    store: makeStore(config, ctx, clients()),
    clock,
    extraFacts: {},
    gateInputs: gateInputsFor(config, ask.environment, { env: ctx.env }),
  });
  const report = promotionReport(
    config,
    { environment: ask.environment, services, version, requestedBy: ctx.actor, source: ctx.runUrl },
    result,
  );
  await recordPromotion(github, repo, {
    ref: ctx.sha,
    environment: ask.environment,
    services,
    version,
    actor: ctx.actor,
    logUrl: ctx.runUrl,
    status: result.status,
    rollout: startedRollouts(config, result).length > 0,
  });
  await notifyPromotion(config, ctx, request, result);
  return {
    kind: 'ran',
    environment: ask.environment,
    services,
    version,
    status: result.status,
    ...(result.evaluation ? { decision: result.evaluation.decision } : {}),
    report,
    ...(!succeeded(result.status)
      ? { failStep: `rollgate: ${ask.environment} ${result.status.kind}: see the job summary` }
      : {}),
  };
}

/** A push delivers its commit's time: the promotion's Rollgate-Source-Time (the report's lead time). */
function sourceTimeOf(ctx: ActionContext): { sourceTime?: string } {
  const time = ctx.eventName === 'push' ? pushedCommitTime(ctx.payload, ctx.sha) : undefined;
  return time !== undefined ? { sourceTime: time } : {};
}
