import { info } from '@actions/core';
import { evaluate } from '../core/pipeline.js';
import { deploysTo } from '../core/overlay-paths.js';
import type { PromotionRequest } from '../core/types.js';
import { formatVersion } from '../core/types.js';
import { gateInputsFor } from '../facts/fetchers.js';
import { renderReport } from '../report/markdown.js';
import { pipelineView } from '../report/pipeline-view.js';
import { asPullRequestEvent, type ActionContext, type Repo } from './context.js';
import type { RunEnd } from './finish.js';
import type { Inputs } from './io.js';
import { resolveVersion } from './promotion.js';
import { readReviewFacts } from './review-facts.js';
import { cachingStore, makeStore, readAppRepository, trustedConfigOf, type Clients } from './setup.js';

export interface CheckRunClient {
  readonly rest: {
    readonly checks: {
      create(
        p: Repo & {
          name: string;
          head_sha: string;
          status: 'completed';
          conclusion: 'success' | 'failure' | 'neutral';
          output: { title: string; summary: string };
        },
      ): Promise<unknown>;
    };
  };
}

/**
 * pull_request / pull_request_review: judge the PR's build against every environment it could be
 * promoted to and publish a check run `rollgate/<env>` for each. Writes nothing to GitOps.
 */
export async function onPullRequest(
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
): Promise<RunEnd> {
  const event = asPullRequestEvent(ctx.payload);
  if (!event) return { kind: 'ignored', why: `the ${ctx.eventName} payload has no pull_request` };
  if (event.action === 'closed') return { kind: 'ignored', why: 'pull request closed' };
  const { github } = clients();
  const repo = ctx.repository;
  // The config, the policies and the pull request (head, labels, reviews) in one GraphQL read.
  const app = await readAppRepository(clients(), repo, { configPath: inputs.config, pull: event.number });
  const config = trustedConfigOf(app, repo, inputs.config, ctx.env).config;
  const pr = app.pull;
  if (pr === undefined) throw new Error(`the read of pull request #${event.number} is missing`);
  // Only services with a build tag template have a version that this PR's head builds.
  const templated = Object.keys(config.services).filter((s) => config.services[s]?.tag !== undefined);
  if (templated.length === 0) {
    return {
      kind: 'ignored',
      why: 'no service has a build tag template (services.<name>.tag), so a PR has no version to judge',
    };
  }
  const store = cachingStore(makeStore(config, ctx, clients()));
  const reports: string[] = [];
  for (const environment of Object.keys(config.environments)) {
    const services = templated.filter((s) => deploysTo(config, environment, s));
    const resolved = resolveVersion(config, services, undefined, pr.headSha);
    if (services.length === 0 || 'problem' in resolved) continue;
    const request: PromotionRequest = {
      environment,
      services,
      version: resolved.version,
      requestedBy: pr.author,
      source: event.htmlUrl,
      labels: pr.labels,
      dryRun: true,
    };
    const evaluation = await evaluate(config, request, {
      store,
      clock,
      extraFacts: async (now) => ({
        ...(await gateInputsFor(config, environment, { env: ctx.env })(now, request)),
        pullRequest: pr,
        ...(await readReviewFacts(github, repo, config, environment, pr, pr.author)),
      }),
    });
    const decision = evaluation.decision;
    const report = renderReport({
      environment,
      services,
      version: formatVersion(resolved.version),
      requestedBy: pr.author,
      source: event.htmlUrl,
      decision,
      edits: evaluation.plan?.edits ?? [],
      status: decision.allowed ? { kind: 'dry-run' } : { kind: 'denied' },
      pipeline: pipelineView(config, evaluation.facts.running),
    });
    const failing = decision.verdicts.filter((v) => v.outcome === 'fail').map((v) => v.gate);
    await github.rest.checks.create({
      ...repo,
      name: `rollgate/${environment}`,
      head_sha: pr.headSha,
      status: 'completed',
      conclusion: decision.allowed ? 'success' : 'failure',
      output: {
        title: decision.allowed
          ? `${environment}: gates pass`
          : `${environment}: blocked by ${failing.join(', ')}`,
        // A check run summary holds at most 65,535 characters, like a comment.
        summary: report,
      },
    });
    info(`rollgate: check run rollgate/${environment}: ${decision.allowed ? 'success' : 'failure'}`);
    reports.push(report);
  }
  return {
    kind: 'ran',
    environment: '',
    services: templated,
    version: '',
    status: { kind: 'dry-run' },
    report: reports.join('\n\n'),
  };
}
