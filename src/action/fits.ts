import type { GitHubClient } from '../github/octokit.js';
import type { DeploymentClient } from './deployment.js';
import type { CheckRunClient } from './on-pull-request.js';
import type { ReactionClient } from './reactions.js';
import type { CommentClient } from './sticky.js';
import type { StatusClient } from './sweep-statuses.js';

// The real client must fit each narrow type the Action declares (checked by the compiler only).
export const fitsRealClient = (
  client: GitHubClient,
): ReactionClient & CommentClient & DeploymentClient & CheckRunClient & StatusClient => client;
