import { describe, expect, it } from 'vitest';
import type { Facts, PromotionRequest, PullRequestFacts, ReviewFact } from '../../src/core/types.js';
import { approvalsGate, standingReviews } from '../../src/gates/approvals.js';
import { approvalsSchema } from '../../src/gates/approvals-schema.js';

const HEAD = 'c0ffee0000000000000000000000000000000000';
const OLD = 'abc1230000000000000000000000000000000000';
const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1.4.0' },
  requestedBy: 'alice',
  source: 'https://github.com/acme/shop/pull/7',
};

let clock = 0;
function review(user: string, state: ReviewFact['state'], commitId = HEAD): ReviewFact {
  clock += 1;
  return { user, state, commitId, submittedAt: new Date(Date.UTC(2026, 10, 20, 9, clock)).toISOString() };
}

function pr(reviews: ReviewFact[]): PullRequestFacts {
  return { number: 7, author: 'alice', headSha: HEAD, labels: [], reviews };
}

function evaluate(config: unknown, facts: Partial<Facts>, req: Partial<PromotionRequest> = {}) {
  return approvalsGate.evaluate('two-approvals', approvalsSchema.parse(config), {
    request: { ...request, ...req },
    facts: { now: new Date('2026-11-20T12:00:00Z'), history: [], running: {}, ...facts },
  });
}

const teamsOf = { bob: ['acme/release-managers'], carol: ['acme/release-managers'], dan: ['acme/web'] };

describe('approvals from pull request reviews', () => {
  const rows: {
    name: string;
    config: unknown;
    reviews: () => ReviewFact[];
    outcome: string;
    reasonCode: string;
    counted?: string[];
    reason?: RegExp;
  }[] = [
    {
      name: 'one approval is enough by default',
      config: {},
      reviews: () => [review('bob', 'APPROVED')],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
      counted: ['bob'],
    },
    {
      name: 'two approvals needed, one given',
      config: { count: 2 },
      reviews: () => [review('bob', 'APPROVED')],
      outcome: 'fail',
      reasonCode: 'approvals.missing',
      reason: /1 of 2 approvals on #7: ask for 1 more review/,
    },
    {
      name: 'a later comment does not undo an approval',
      config: {},
      reviews: () => [review('bob', 'APPROVED'), review('bob', 'COMMENTED')],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
      counted: ['bob'],
    },
    {
      name: 'an approval then a dismissal counts as none',
      config: {},
      reviews: () => [review('bob', 'APPROVED'), review('bob', 'DISMISSED')],
      outcome: 'fail',
      reasonCode: 'approvals.missing',
      counted: [],
    },
    {
      name: 'a dismissed request for changes no longer blocks',
      config: {},
      reviews: () => [
        review('dan', 'CHANGES_REQUESTED'),
        review('dan', 'DISMISSED'),
        review('bob', 'APPROVED'),
      ],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
    },
    {
      name: 'a standing request for changes blocks whatever the approvals',
      config: { count: 1 },
      reviews: () => [
        review('bob', 'APPROVED'),
        review('carol', 'APPROVED'),
        review('dan', 'CHANGES_REQUESTED'),
      ],
      outcome: 'fail',
      reasonCode: 'approvals.changes-requested',
      reason: /changes requested by dan on #7/,
    },
    {
      name: 'changes requested, then approved by the same reviewer',
      config: {},
      reviews: () => [review('bob', 'CHANGES_REQUESTED'), review('bob', 'APPROVED')],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
      counted: ['bob'],
    },
    {
      name: 'approved, then changes requested by the same reviewer',
      config: {},
      reviews: () => [review('bob', 'APPROVED'), review('bob', 'CHANGES_REQUESTED')],
      outcome: 'fail',
      reasonCode: 'approvals.changes-requested',
    },
    {
      name: 'the author never counts',
      config: { excludeAuthor: true },
      reviews: () => [review('alice', 'APPROVED')],
      outcome: 'fail',
      reasonCode: 'approvals.missing',
      reason: /alice, author of the pull request/,
    },
    {
      name: 'latestCommit: an approval of an older commit does not count',
      config: { latestCommit: true },
      reviews: () => [review('bob', 'APPROVED', OLD)],
      outcome: 'fail',
      reasonCode: 'approvals.missing',
      reason: /bob, approved abc1230, not the head c0ffee0/,
    },
    {
      name: 'without latestCommit an approval of an older commit counts',
      config: {},
      reviews: () => [review('bob', 'APPROVED', OLD)],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
    },
    {
      name: 'latestCommit: a re-approval of the head counts',
      config: { latestCommit: true },
      reviews: () => [review('bob', 'APPROVED', OLD), review('bob', 'APPROVED', HEAD)],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
    },
    {
      name: 'teams: only members count',
      config: { count: 2, teams: ['acme/release-managers'] },
      reviews: () => [review('bob', 'APPROVED'), review('dan', 'APPROVED')],
      outcome: 'fail',
      reasonCode: 'approvals.missing',
      counted: ['bob'],
      reason:
        /1 of 2 approvals from acme\/release-managers on #7 \(not counted: dan, not in acme\/release-managers\)/,
    },
    {
      name: 'teams: two members pass',
      config: { count: 2, teams: ['acme/release-managers'] },
      reviews: () => [review('bob', 'APPROVED'), review('carol', 'APPROVED')],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
      counted: ['bob', 'carol'],
    },
    {
      name: 'users or teams: a named user counts though in no team',
      config: { count: 2, users: ['erin'], teams: ['acme/release-managers'] },
      reviews: () => [review('erin', 'APPROVED'), review('carol', 'APPROVED')],
      outcome: 'pass',
      reasonCode: 'approvals.approved',
    },
    {
      name: 'pending (draft) reviews count for nothing',
      config: {},
      reviews: () => [review('bob', 'PENDING')],
      outcome: 'fail',
      reasonCode: 'approvals.missing',
    },
  ];

  it.each(rows)('$name', ({ config, reviews, outcome, reasonCode, counted, reason }) => {
    const verdict = evaluate(config, { pullRequest: pr(reviews()), teamsOf });
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reasonCode).toBe(reasonCode);
    if (counted) expect(verdict.details.counted).toEqual(counted);
    if (reason) expect(verdict.reason).toMatch(reason);
  });

  it('orders reviews by submission time, not by list order', () => {
    const approved = review('bob', 'APPROVED');
    const dismissed = review('bob', 'DISMISSED');
    expect(standingReviews([dismissed, approved])).toEqual([]);
  });

  it('says when team membership is unknown', () => {
    const verdict = evaluate(
      { teams: ['acme/release-managers'] },
      { pullRequest: pr([review('zoe', 'APPROVED')]) },
    );
    expect(verdict.reason).toContain('zoe, team membership unknown');
  });
});

describe('approvals on the CLI (no pull request)', () => {
  it.each([
    [
      'reads --approved-by and says so',
      { count: 2 },
      ['bob', 'carol'],
      'pass',
      'approvals.cli-approved-by',
      /approved by bob, carol per --approved-by, asserted on the CLI, not verified \(no pull request: not checked against GitHub reviews\)/,
    ],
    [
      'needs someone',
      {},
      undefined,
      'fail',
      'approvals.no-pull-request',
      /no pull request to read reviews from and no --approved-by given/,
    ],
    [
      'the requester cannot approve their own promotion',
      {},
      ['alice'],
      'fail',
      'approvals.missing',
      /alice, the requester cannot approve/,
    ],
    [
      'team restriction applies',
      { teams: ['acme/release-managers'] },
      ['dan'],
      'fail',
      'approvals.missing',
      /dan, not in acme\/release-managers/,
    ],
    [
      'a name given twice counts once',
      { count: 2 },
      ['bob', 'bob'],
      'fail',
      'approvals.missing',
      /1 of 2 approvals from --approved-by/,
    ],
    [
      'verifiedOnly refuses approvals asserted on the CLI',
      { count: 1, verifiedOnly: true },
      ['bob'],
      'fail',
      'approvals.not-verified',
      /--approved-by bob is asserted on the CLI, not verified, and this gate counts only approvals GitHub records \(verifiedOnly\)/,
    ],
  ] as const)('%s', (_name, config, approvedBy, outcome, reasonCode, reason) => {
    const verdict = evaluate(config, { teamsOf }, approvedBy ? { approvedBy } : {});
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reasonCode).toBe(reasonCode);
    expect(verdict.reason).toMatch(reason);
    expect(verdict.details.source).toBe('cli');
    // Issue 11 item 16 for --approved-by: whatever the outcome, approvals given on the CLI are marked asserted.
    expect(verdict.details.asserted).toBe(approvedBy ? true : undefined);
  });
});

describe('approvals config', () => {
  it.each([
    ['count 0', { count: 0 }, ['count'], /at least 1/],
    ['a team without its org', { teams: ['release-managers'] }, ['teams', 0], /org\/team slug/],
    [
      'more approvals than listed users',
      { count: 3, users: ['bob', 'carol'] },
      ['count'],
      /count 3 can never be met by the 2 listed users/,
    ],
  ])('reports %s at its path', (_name, config, path, message) => {
    const problems = approvalsGate.check?.(approvalsSchema.parse(config)) ?? [];
    expect(problems.map((p) => p.path)).toContainEqual(path);
    expect(problems.map((p) => p.message).join('\n')).toMatch(message);
  });

  it('rejects excludeAuthor: false (the author never counts)', () => {
    expect(approvalsSchema.safeParse({ excludeAuthor: false }).success).toBe(false);
  });

  it('accepts the design example', () => {
    const config = approvalsSchema.parse({
      count: 2,
      teams: ['acme/release-managers'],
      excludeAuthor: true,
      latestCommit: true,
    });
    expect(approvalsGate.check?.(config)).toEqual([]);
  });
});
