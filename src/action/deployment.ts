import { warning } from '@actions/core';
import type { Repo } from './context.js';
import type { GraphqlFn } from '../github/graphql.js';
import type { RunStatus } from '../report/status.js';

export interface DeploymentClient {
  readonly rest: {
    readonly repos: {
      createDeployment(
        p: Repo & {
          ref: string;
          environment: string;
          description: string;
          auto_merge: boolean;
          required_contexts: string[];
          production_environment: boolean;
          payload: Record<string, unknown>;
        },
      ): Promise<{ readonly data: unknown }>;
      createDeploymentStatus(
        p: Repo & {
          deployment_id: number;
          state: 'success' | 'failure' | 'error' | 'in_progress' | 'queued' | 'pending' | 'inactive';
          description: string;
          log_url: string;
          environment_url?: string;
        },
      ): Promise<unknown>;
    };
  };
}

export interface DeploymentRecord {
  readonly ref: string;
  readonly environment: string;
  /**
   * success: committed to the GitOps branch (a rollout: verified, or promoted without verify);
   * queued: proposed as a GitOps pull request, not yet merged; in_progress: a rollout under way;
   * failure: a rollout rolled back or aborted.
   */
  readonly state: 'success' | 'failure' | 'queued' | 'in_progress';
  readonly description: string;
  readonly logUrl: string;
  readonly commitUrl?: string;
  readonly payload: Record<string, unknown>;
}

/**
 * A GitHub Deployment for the environment with its status, so the repository's Environments page
 * shows what went where. Cosmetic: a failure here warns and never undoes the promotion.
 */
export async function recordDeployment(
  client: DeploymentClient,
  repo: Repo,
  record: DeploymentRecord,
): Promise<void> {
  try {
    const { data } = await client.rest.repos.createDeployment({
      ...repo,
      ref: record.ref,
      environment: record.environment,
      description: record.description.slice(0, 140),
      // rollgate's own gates decided; GitHub must not re-check statuses or merge anything.
      auto_merge: false,
      required_contexts: [],
      production_environment: /^prod/i.test(record.environment),
      payload: record.payload,
    });
    const id = (data as { id?: unknown }).id;
    if (typeof id !== 'number')
      throw new Error(`GitHub did not create the deployment: ${JSON.stringify(data)}`);
    await client.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: id,
      state: record.state,
      description: record.description.slice(0, 140),
      log_url: record.logUrl,
      ...(record.commitUrl ? { environment_url: record.commitUrl } : {}),
    });
  } catch (err) {
    warning(
      `rollgate: could not record a deployment to ${record.environment} (${(err as Error).message}); the promotion stands`,
    );
  }
}

export interface PromotionRecord {
  /** The commit of this repository the promotion came from. */
  readonly ref: string;
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  readonly actor: string;
  readonly logUrl: string;
  readonly status: RunStatus;
  /** The promotion started a canary rollout: the deployment is in progress until the rollout ends. */
  readonly rollout?: boolean;
  /** The pull request and its sticky report's comment id: a rollout's later reports update it without looking for it. */
  readonly pull?: number;
  readonly comment?: number;
}

/** A deployment for a promotion that wrote something (committed or proposed); other runs record none. */
export async function recordPromotion(
  client: DeploymentClient,
  repo: Repo,
  p: PromotionRecord,
): Promise<void> {
  const status = p.status;
  if (status.kind !== 'committed' && status.kind !== 'proposed') return;
  await recordDeployment(client, repo, {
    ref: p.ref,
    environment: p.environment,
    state: status.kind === 'proposed' ? 'queued' : p.rollout === true ? 'in_progress' : 'success',
    description: `${p.services.join(', ')} ${p.version}${p.rollout === true ? ': canary rollout started' : ''} by @${p.actor}`,
    logUrl: p.logUrl,
    ...(status.url ? { commitUrl: status.url } : {}),
    payload: {
      services: p.services,
      version: p.version,
      commit: status.sha,
      ...(p.pull !== undefined ? { pull: p.pull } : {}),
      ...(p.comment !== undefined ? { comment: p.comment } : {}),
    },
  });
}

export const DEPLOYMENT_STATUS_MUTATION = `mutation RollgateDeploymentStatus($input: CreateDeploymentStatusInput!) {
  createDeploymentStatus(input: $input) { deploymentStatus { state } }
}`;

/**
 * A status on a deployment made earlier (the one that started a rollout), by its GraphQL node id:
 * one request, where a new deployment costs two. Cosmetic like recordDeployment.
 */
export async function addDeploymentStatus(
  graphql: GraphqlFn,
  deploymentNodeId: string,
  record: Pick<DeploymentRecord, 'environment' | 'state' | 'description' | 'logUrl' | 'commitUrl'>,
): Promise<void> {
  try {
    await graphql(DEPLOYMENT_STATUS_MUTATION, {
      input: {
        deploymentId: deploymentNodeId,
        state: record.state.toUpperCase(),
        description: record.description.slice(0, 140),
        logUrl: record.logUrl,
        ...(record.commitUrl ? { environmentUrl: record.commitUrl } : {}),
      },
    });
  } catch (err) {
    warning(
      `rollgate: could not add a status to the deployment to ${record.environment} (${(err as Error).message}); the rollout stands`,
    );
  }
}
