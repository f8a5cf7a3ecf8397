import { ASSERTED_NOTE, type PullRequestFacts, type ReviewFact, type Verdict } from '../core/types.js';
import type { ApprovalsConfig } from './approvals-schema.js';
import { defineGate, type GateContext } from './gate.js';

type Standing = { user: string; review: ReviewFact };

/**
 * Each reviewer's standing review: the latest one that is not a comment (GitHub's own rule). A
 * dismissed review stands for nothing, and pending reviews are drafts nobody else can see.
 */
export function standingReviews(reviews: readonly ReviewFact[]): Standing[] {
  const latest = new Map<string, ReviewFact>();
  const ordered = [...reviews].sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));
  for (const review of ordered) {
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(review.user, review);
  }
  return [...latest.entries()]
    .filter(([, review]) => review.state !== 'DISMISSED')
    .map(([user, review]) => ({ user, review }));
}

function eligible(
  config: ApprovalsConfig,
  user: string,
  ctx: GateContext,
): { ok: true } | { ok: false; why: string } {
  if (config.users === undefined && config.teams === undefined) return { ok: true };
  if (config.users?.includes(user)) return { ok: true };
  const teams = ctx.facts.teamsOf?.[user];
  if (config.teams?.some((t) => teams?.includes(t))) return { ok: true };
  if (config.teams !== undefined && teams === undefined) return { ok: false, why: 'team membership unknown' };
  return { ok: false, why: `not in ${[...(config.users ?? []), ...(config.teams ?? [])].join(', ')}` };
}

function who(config: ApprovalsConfig): string {
  const from = [...(config.users ?? []), ...(config.teams ?? [])];
  return from.length > 0 ? ` from ${from.join(', ')}` : '';
}

type NotCounted = { user: string; why: string };

/** " (not counted: dan, not in acme/release; ...)": why each excluded approver did not count. */
function skipped(notCounted: readonly NotCounted[]): string {
  return notCounted.length > 0
    ? ` (not counted: ${notCounted.map((n) => `${n.user}, ${n.why}`).join('; ')})`
    : '';
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function fromPullRequest(
  name: string,
  config: ApprovalsConfig,
  pr: PullRequestFacts,
  ctx: GateContext,
): Verdict {
  const need = config.count ?? 1;
  const base = { gate: name, kind: 'approvals' } as const;
  const standing = standingReviews(pr.reviews);
  const blockers = standing.filter((s) => s.review.state === 'CHANGES_REQUESTED').map((s) => s.user);
  const counted: string[] = [];
  const notCounted: NotCounted[] = [];
  for (const { user, review } of standing) {
    if (review.state !== 'APPROVED') continue;
    if (user === pr.author) {
      notCounted.push({ user, why: 'author of the pull request' });
      continue;
    }
    if (config.latestCommit === true && review.commitId !== pr.headSha) {
      notCounted.push({
        user,
        why: `approved ${review.commitId.slice(0, 7)}, not the head ${pr.headSha.slice(0, 7)}`,
      });
      continue;
    }
    const ok = eligible(config, user, ctx);
    if (ok.ok) counted.push(user);
    else notCounted.push({ user, why: ok.why });
  }
  const details = {
    source: 'pull-request',
    pullRequest: pr.number,
    required: need,
    counted,
    notCounted,
    changesRequestedBy: blockers,
  };
  if (blockers.length > 0) {
    return {
      ...base,
      outcome: 'fail',
      reasonCode: 'approvals.changes-requested',
      reason: `changes requested by ${blockers.join(', ')} on #${pr.number}: they must approve or their review be dismissed`,
      details,
    };
  }
  if (counted.length < need) {
    return {
      ...base,
      outcome: 'fail',
      reasonCode: 'approvals.missing',
      reason: `${counted.length} of ${plural(need, 'approval')}${who(config)} on #${pr.number}${skipped(notCounted)}: ask for ${plural(need - counted.length, 'more review')}`,
      details,
    };
  }
  return {
    ...base,
    outcome: 'pass',
    reasonCode: 'approvals.approved',
    reason: `approved by ${counted.join(', ')} on #${pr.number} (${need} needed${who(config)})`,
    details,
  };
}

// On the CLI there is no pull request: the operator names the approvers with --approved-by. That is
// their word, not GitHub's record, and the verdict says so.
function fromCli(name: string, config: ApprovalsConfig, ctx: GateContext): Verdict {
  const need = config.count ?? 1;
  const base = { gate: name, kind: 'approvals' } as const;
  const given = [...new Set(ctx.request.approvedBy ?? [])];
  const counted: string[] = [];
  const notCounted: NotCounted[] = [];
  for (const user of given) {
    if (user === ctx.request.requestedBy) {
      notCounted.push({ user, why: 'the requester cannot approve their own promotion' });
      continue;
    }
    const ok = eligible(config, user, ctx);
    if (ok.ok) counted.push(user);
    else notCounted.push({ user, why: ok.why });
  }
  const details = {
    source: 'cli',
    required: need,
    counted,
    notCounted,
    ...(given.length > 0 ? { asserted: true } : {}),
    ...(config.latestCommit === true ? { latestCommit: 'not checkable without a pull request' } : {}),
  };
  if (given.length > 0 && config.verifiedOnly === true) {
    return {
      ...base,
      outcome: 'fail',
      reasonCode: 'approvals.not-verified',
      reason: `--approved-by ${given.join(', ')} is ${ASSERTED_NOTE}, and this gate counts only approvals GitHub records (verifiedOnly): approve the pull request and /promote from a comment`,
      details,
    };
  }
  if (given.length === 0) {
    return {
      ...base,
      outcome: 'fail',
      reasonCode: 'approvals.no-pull-request',
      reason: `no pull request to read reviews from and no --approved-by given: ${plural(need, 'approval')}${who(config)} needed`,
      details,
    };
  }
  if (counted.length < need) {
    return {
      ...base,
      outcome: 'fail',
      reasonCode: 'approvals.missing',
      reason: `${counted.length} of ${need} approvals${who(config)} from --approved-by${skipped(notCounted)}: name ${plural(need - counted.length, 'more approver')} with --approved-by`,
      details,
    };
  }
  return {
    ...base,
    outcome: 'pass',
    reasonCode: 'approvals.cli-approved-by',
    reason: `approved by ${counted.join(', ')} per --approved-by, ${ASSERTED_NOTE} (no pull request: not checked against GitHub reviews)`,
    details,
  };
}

export const approvalsGate = defineGate<ApprovalsConfig>({
  kind: 'approvals',
  check(config) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    if (config.count !== undefined && config.count < 1)
      problems.push({
        path: ['count'],
        message: `count ${config.count} must be at least 1 (drop the gate to need none)`,
      });
    const need = config.count ?? 1;
    if (config.teams === undefined && config.users !== undefined && config.users.length < need)
      problems.push({
        path: ['count'],
        message: `count ${need} can never be met by the ${plural(config.users.length, 'listed user')}: list more users, add teams, or lower count`,
      });
    config.teams?.forEach((t, i) => {
      if (!/^[^/\s]+\/[^/\s]+$/.test(t))
        problems.push({
          path: ['teams', i],
          message: `team "${t}" must be an org/team slug such as acme/release-managers`,
        });
    });
    return problems;
  },
  evaluate(name, config, ctx): Verdict {
    const pr = ctx.facts.pullRequest;
    return pr === undefined ? fromCli(name, config, ctx) : fromPullRequest(name, config, pr, ctx);
  },
});
