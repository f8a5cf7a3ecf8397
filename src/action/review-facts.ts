import type { Config } from '../config/schema.js';
import type { CheckFact, PullRequestFacts } from '../core/types.js';
import { readChecks, readTeams, type ChecksClient, type TeamClient } from '../facts/github.js';
import type { Repo } from './context.js';
import { needsChecks, teamsNamedBy } from './promotion.js';

export interface ReviewFacts {
  readonly teamsOf?: Record<string, string[]>;
  readonly checks?: CheckFact[];
}

/**
 * What the environment's gates read about a pull request beyond the PR itself: team membership of
 * the requester and the approvers, and the head commit's checks. Each costs API calls, so each is
 * fetched only when a gate of the environment names teams or reads checks.
 */
export async function readReviewFacts(
  client: TeamClient & ChecksClient,
  repo: Repo,
  config: Config,
  environment: string,
  pr: PullRequestFacts,
  requester: string,
): Promise<ReviewFacts> {
  const approvers = pr.reviews.filter((r) => r.state === 'APPROVED').map((r) => r.user);
  const teams = teamsNamedBy(config, environment);
  const [teamsOf, checks] = await Promise.all([
    teams.length > 0 ? readTeams(client, [requester, ...approvers], teams) : Promise.resolve(undefined),
    needsChecks(config, environment) ? readChecks(client, repo, pr.headSha) : Promise.resolve(undefined),
  ]);
  return { ...(teamsOf !== undefined ? { teamsOf } : {}), ...(checks !== undefined ? { checks } : {}) };
}
