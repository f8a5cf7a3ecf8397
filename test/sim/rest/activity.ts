// GET /repos/{owner}/{repo}/activity: pushes and branch changes with GitHub's server-side time,
// newest first (direction=asc for oldest first), filtered by ref, actor and activity_type. GitHub
// pages it with before/after cursors, not page numbers; the simulator serves the first page only.
import { notFound, repoOf, userObject, type Handler } from './common.js';

export const activity: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound('https://docs.github.com/rest/repos/repos#list-repository-activities');
  const ref = ctx.query.get('ref');
  const actor = ctx.query.get('actor');
  const type = ctx.query.get('activity_type');
  const fullRef = ref === null ? null : ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
  const all = ctx.state.activities
    .filter((a) => a.repo === repo.fullName)
    .filter((a) => fullRef === null || a.ref === fullRef)
    .filter((a) => actor === null || a.actor === actor)
    .filter((a) => type === null || a.activityType === type)
    .sort((a, b) => b.id - a.id);
  if (ctx.query.get('direction') === 'asc') all.reverse();
  const perPage = Math.min(Number(ctx.query.get('per_page') ?? '30') || 30, 100);
  return {
    status: 200,
    body: all.slice(0, perPage).map((a) => ({
      id: a.id,
      node_id: `AC_${a.id}`,
      before: a.before,
      after: a.after,
      ref: a.ref,
      timestamp: a.timestamp,
      activity_type: a.activityType,
      actor: userObject(ctx, a.actor),
    })),
  };
};
