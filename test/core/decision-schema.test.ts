import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { decide } from '../../src/core/decide.js';
import { decisionJsonSchema, decisionSchema } from '../../src/core/decision-schema.js';
import type { Facts, PromotionRequest } from '../../src/core/types.js';
import type { SloSamples } from '../../src/gates/slo-queries.js';

// A decision made by decide() over every gate kind, as `check --json` prints it, must validate
// against the published schema; and the schema in docs/gates.md must be the one in the code.

const config = parseConfig(
  {
    file: 'rollgate.yaml',
    text: `version: 1
gitops: { repository: acme/gitops }
services:
  checkout: { image: ghcr.io/acme/checkout }
environments:
  staging: { path: "apps/{{service}}/staging" }
  production:
    path: "apps/{{service}}/production"
    after: staging
    gates: [weekend-freeze, two-approvals, checkout-slo, bake-24h, green]
gates:
  weekend-freeze:
    freeze:
      windows: [{ start: "0 16 * * FRI", end: "0 8 * * MON", timezone: Europe/Berlin }]
      unless: { labels: [hotfix] }
  two-approvals:
    approvals: { count: 2, teams: [acme/release-managers], latestCommit: true }
  checkout-slo:
    slo:
      prometheus: { url: "http://prometheus.test" }
      objective: 99.9
      ratio: sum(rate(errors[{{window}}])) / sum(rate(requests[{{window}}]))
      minBudgetRemaining: 25%
  bake-24h: { bake: 24h }
  green: { checks: { ignore: [lint] } }
`,
  },
  [],
  {},
);

const now = new Date('2026-11-28T12:00:00Z');
const samples: SloSamples = {
  kind: 'slo-samples',
  at: now.toISOString(),
  windows: Object.fromEntries(
    ['30d', '1h', '5m', '6h', '30m', '3d'].map((w) => [
      w,
      { ratio: { query: w, result: { kind: 'sample', value: w === '5m' ? 'NaN' : '0.0002' } } },
    ]),
  ),
};
const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1.4.0' },
  requestedBy: 'alice',
  source: 'https://github.com/acme/shop/pull/7',
};
const facts: Facts = {
  now,
  history: [
    {
      sha: 'a',
      committedAt: new Date('2026-11-28T02:00:00Z'),
      environment: 'staging',
      services: ['checkout'],
      version: '1.4.0',
    },
  ],
  running: { staging: { checkout: '1.4.0' } },
  teamsOf: { bob: ['acme/release-managers'] },
  pullRequest: {
    number: 7,
    author: 'alice',
    headSha: 'head',
    labels: ['hotfix'],
    reviews: [{ user: 'bob', state: 'APPROVED', commitId: 'head', submittedAt: '2026-11-27T10:00:00Z' }],
  },
  checks: [
    { name: 'build', source: 'check-run', status: 'completed', conclusion: 'success' },
    { name: 'lint', source: 'check-run', status: 'completed', conclusion: 'failure' },
  ],
  gateInputs: { 'checkout-slo': samples },
};

describe('decision schema', () => {
  const decision = decide(config, request, facts);
  const printed = JSON.parse(JSON.stringify(decision, null, 2)) as unknown;

  it('validates a real decision over every gate kind, as check --json prints it', () => {
    expect(decision.verdicts.map((v) => `${v.gate}:${v.outcome}`)).toEqual([
      'order:pass',
      'weekend-freeze:warn',
      'weekend-freeze:warn',
      'two-approvals:fail',
      'checkout-slo:fail',
      'bake-24h:fail',
      'green:pass',
    ]);
    const parsed = decisionSchema.safeParse(printed);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(decision.allowed).toBe(false);
  });

  it.each([
    [
      'an unknown outcome',
      (d: Record<string, unknown>) => ({
        ...d,
        verdicts: [{ ...(d.verdicts as object[])[0], outcome: 'maybe' }],
      }),
    ],
    [
      'a missing reasonCode',
      (d: Record<string, unknown>) => ({
        ...d,
        verdicts: [{ gate: 'x', kind: 'x', outcome: 'pass', reason: '', details: {} }],
      }),
    ],
    ['an extra top-level key', (d: Record<string, unknown>) => ({ ...d, extra: 1 })],
    [
      'an override by someone unknown',
      (d: Record<string, unknown>) => ({
        ...d,
        verdicts: [{ ...(d.verdicts as object[])[1], override: { by: 'magic', who: 'a', reason: 'b' } }],
      }),
    ],
  ])('rejects %s', (_name, change) => {
    expect(decisionSchema.safeParse(change(printed as Record<string, unknown>)).success).toBe(false);
  });

  it('is published in docs/gates.md exactly as the code defines it', async () => {
    const docs = await readFile(new URL('../../docs/gates.md', import.meta.url), 'utf8');
    const block =
      /<!-- decision-schema:start -->\n```json\n([\s\S]*?)\n```\n<!-- decision-schema:end -->/.exec(docs);
    expect(block?.[1]).toBe(JSON.stringify(decisionJsonSchema(), null, 2));
  });
});
