// The REST routes the simulator answers, keyed like the OpenAPI subset ("METHOD /template").
// A test checks this table and the subset list the same operations.
import { getPermission, getTeamMembership } from './access.js';
import { createCheckRun, createStatus, getCombinedStatus, listCheckRuns } from './checks.js';
import type { Handler } from './common.js';
import { createDeployment, createDeploymentStatus } from './deployments.js';
import { activity } from './activity.js';
import { createComment, createReaction, listComments, listReactions, updateComment } from './issues.js';
import { createPull, getPull, listPulls, listReviews } from './pulls.js';
import { createGitRef, getCommit, getContent, getRepo } from './repos.js';

export const ROUTES: Record<string, Handler> = {
  'GET /repos/{owner}/{repo}': getRepo,
  'GET /repos/{owner}/{repo}/commits/{ref}': getCommit,
  'GET /repos/{owner}/{repo}/contents/{path}': getContent,
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission': getPermission,
  'GET /orgs/{org}/teams/{team_slug}/memberships/{username}': getTeamMembership,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': getPull,
  'GET /repos/{owner}/{repo}/pulls': listPulls,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': listReviews,
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': listCheckRuns,
  'GET /repos/{owner}/{repo}/commits/{ref}/status': getCombinedStatus,
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': createReaction,
  'GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': listReactions,
  'GET /repos/{owner}/{repo}/activity': activity,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': listComments,
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': createComment,
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': updateComment,
  'POST /repos/{owner}/{repo}/check-runs': createCheckRun,
  'POST /repos/{owner}/{repo}/statuses/{sha}': createStatus,
  'POST /repos/{owner}/{repo}/deployments': createDeployment,
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': createDeploymentStatus,
  'POST /repos/{owner}/{repo}/git/refs': createGitRef,
  'POST /repos/{owner}/{repo}/pulls': createPull,
};
