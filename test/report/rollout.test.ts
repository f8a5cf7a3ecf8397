import { describe, expect, it } from 'vitest';
import { pullOf, stepsOf } from '../../src/action/rollout-publish.js';
import { blueGreenConfig } from '../rollout/blue-green-fixture.js';
import type { ActionContext } from '../../src/action/context.js';
import { renderRolloutReport, rolloutMermaid, type RolloutView } from '../../src/report/rollout.js';

const base: RolloutView = {
  service: 'checkout',
  version: '1.6.0',
  stable: '1.5.0',
  phase: 'progressing',
  step: 2,
  steps: 3,
  weight: 25,
  weights: [5, 25, 50],
  verify: '30m',
  action: { kind: 'step', reasonCode: 'hold.done', message: 'step 2/3: canary weight 5% -> 25%' },
  commit: { sha: 'abcdef1234567', url: 'https://github.com/acme/gitops/commit/abcdef1234567' },
  nextEligibleAt: '2026-11-24T14:20:00.000Z',
  analysis: [
    {
      gate: 'canary-errors',
      kind: 'metric',
      outcome: 'pass',
      reasonCode: 'metric.pass',
      reason: '0 of 9 points above 0.01',
      details: { counts: { successful: 9, failed: 0, inconclusive: 0, error: 0 } },
    },
  ],
  gates: [],
};

const classOf = (mermaid: string, cls: string) =>
  [...mermaid.matchAll(/^ {2}class (\S+) (\w+)$/gm)].find((m) => m[2] === cls)?.[1];

describe('rollout report', () => {
  it('marks the steps done, current, paused and failed by phase', () => {
    const rows: [Partial<RolloutView>, Record<string, string | undefined>][] = [
      [{}, { done: 's0,s1', current: 's2' }],
      [{ phase: 'paused' }, { done: 's0,s1', paused: 's2' }],
      [
        { phase: 'promoted', step: 3, weight: 0 },
        { done: 's0,s1,s2,s3,p', current: 'v' },
      ],
      [{ phase: 'verified', step: 3, weight: 0 }, { done: 's0,s1,s2,s3,p,v' }],
      [
        { phase: 'rolled-back', weight: 0 },
        { done: 's0,s1', failed: 's2' },
      ],
    ];
    for (const [change, classes] of rows) {
      const mermaid = rolloutMermaid({ ...base, ...change });
      expect(mermaid.split('\n')[0]).toBe('flowchart LR');
      expect(mermaid).toContain('s0 --> s1 --> s2 --> s3 --> p --> v');
      for (const [cls, ids] of Object.entries(classes))
        expect(classOf(mermaid, cls), `${change.phase} ${cls}`).toBe(ids);
    }
    expect(rolloutMermaid({ ...base, phase: 'rolled-back' })).toContain('s2 -.-> rb');
  });

  it('renders the facts, the analysis counts, the picture and what to do; names from outside stay inert', () => {
    const body = renderRolloutReport({
      environment: 'production',
      actor: 'rollgate',
      via: 'https://github.com/acme/app/actions/runs/42',
      at: '2026-11-24T14:10:00.000Z',
      rollouts: [{ ...base, version: '1.6.0"<b>' }],
    });
    expect(body.startsWith('<!-- rollgate:production -->\n### 🐤 rollgate: production rollout of')).toBe(
      true,
    );
    expect(body).toContain('- **Step:** 2/3, canary weight **25%** (steps: 5% → 25% → 50%, then verify 30m)');
    expect(body).toContain(
      '| ✅ pass | canary-errors | analysis | successful 9, failed 0, inconclusive 0, error 0 | 0 of 9 points above 0.01 |',
    );
    expect(body).toContain('- **Next eligible:** 2026-11-24T14:20:00.000Z');
    expect(body).toContain('[abcdef1](https://github.com/acme/gitops/commit/abcdef1234567)');
    expect(body).not.toContain('<b>');
    expect(body).toContain('p["promote<br/>1.6.0#quot;#lt;b#gt;"]');
    expect(body).toMatch(/`\/advance <env>` skips the rest of the hold/);
  });

  it('says how to lift a hold after a rollback', () => {
    const body = renderRolloutReport({
      environment: 'production',
      actor: 'alice',
      at: '2026-11-24T14:16:00.000Z',
      rollouts: [
        {
          ...base,
          phase: 'rolled-back',
          weight: 0,
          hold: 'analysis.failed',
          action: {
            kind: 'rollback',
            reasonCode: 'analysis.failed',
            message: 'analysis failed: rolling back',
          },
        },
      ],
    });
    expect(body).toContain('### ⏪ rollgate: production rollout of checkout 1.6.0: rolled-back');
    expect(body).toContain('by @alice');
    expect(body).toContain('- **Hold:** `1.6.0` is held (analysis.failed)');
    expect(body).toContain('with `--reason` to lift the hold');
  });
});

describe('rollout report of a blue-green rollout', () => {
  // The stages come from the config as the Action reads them (stepsOf), not canary weights.
  const config = blueGreenConfig(
    'gateway-api',
    'preview: { duration: 10m }\nverify: { duration: 20m }\nscaleDownDelay: 30m',
  );
  const bg: RolloutView = {
    ...base,
    version: '1.5.0',
    stable: '1.4.0',
    phase: 'previewing',
    step: 0,
    steps: 1,
    weight: 0,
    ...stepsOf(config, 'production'),
    action: { kind: 'start', reasonCode: 'promote', message: 'preview started' },
  };

  it('draws preview -> switch -> verify -> scale-down, marked by phase; no canary steps', () => {
    const rows: [Partial<RolloutView>, Record<string, string | undefined>, string?][] = [
      [{}, { done: 's0', current: 'pv' }],
      [
        { phase: 'paused', from: 'previewing' },
        { done: 's0', paused: 'pv' },
      ],
      [
        { phase: 'switched', weight: 100 },
        { done: 's0,pv,sw', current: 'v' },
      ],
      [
        { phase: 'paused', from: 'switched', weight: 100 },
        { done: 's0,pv,sw', paused: 'v' },
      ],
      [{ phase: 'scaled-down', weight: 100 }, { done: 's0,pv,sw,v,sd' }],
      [{ phase: 'rolled-back', from: 'previewing' }, { done: 's0', failed: 'pv' }, 'pv -.-> rb'],
      [{ phase: 'aborted', from: 'switched' }, { done: 's0,pv,sw', failed: 'v' }, 'v -.-> rb'],
    ];
    for (const [change, classes, edge] of rows) {
      const mermaid = rolloutMermaid({ ...bg, ...change });
      expect(mermaid).toContain('  s0 --> pv --> sw --> v --> sd');
      expect(mermaid).toContain('pv["preview<br/>1.5.0 at 0% · 10m"]');
      expect(mermaid).toContain('sd["scale down<br/>after 30m"]');
      expect(mermaid).not.toMatch(/\bp\["promote/);
      for (const [cls, ids] of Object.entries(classes))
        expect(classOf(mermaid, cls), `${change.phase ?? 'previewing'} ${cls}`).toBe(ids);
      if (edge !== undefined) expect(mermaid).toContain(edge);
    }
    // scaleDown: false and no verify: preview -> switch, nothing after the switch.
    const short = stepsOf(blueGreenConfig('service', 'scaleDown: false'), 'production');
    const mermaid = rolloutMermaid({ ...bg, ...short, phase: 'switched' });
    expect(mermaid).toContain('  s0 --> pv --> sw\n');
  });

  it('a rollback after the scale-down draws scale up -> switch back; the facts say colours, not canary weights', () => {
    const rollback: RolloutView = { ...bg, version: '1.4.0', stable: '1.5.0', rollbackOf: '1.5.0' };
    const mermaid = rolloutMermaid(rollback);
    expect(mermaid).toContain('s0["live<br/>1.5.0"]');
    expect(mermaid).toContain('pv["scale up<br/>1.4.0"]');
    expect(mermaid).toContain('  s0 --> pv --> sw\n');
    expect(classOf(mermaid, 'current')).toBe('pv');
    expect(classOf(rolloutMermaid({ ...rollback, phase: 'switched', weight: 100 }), 'done')).toBe('s0,pv,sw');
    const body = renderRolloutReport({
      environment: 'production',
      actor: 'rollgate',
      at: '2026-11-24T14:10:00.000Z',
      rollouts: [bg],
    });
    expect(body).toContain(
      '- **Traffic:** the new colour has **0%** (preview 10m → switch → verify 20m → scale down after 30m)',
    );
    expect(body).not.toContain('canary weight');
  });
});

describe('pullOf: the pull request a rollout came from', () => {
  const ctx = {
    serverUrl: 'https://github.com',
    repository: { owner: 'acme', repo: 'app' },
  } as ActionContext;
  it.each([
    ['https://github.com/acme/app/pull/7', 7],
    ['https://github.com/acme/app/pull/7#issuecomment-1', 7],
    ['https://github.com/acme/app/issues/12', 12],
    ['https://github.com/acme/other/pull/7', undefined],
    ['https://github.com/acme/app/actions/runs/42', undefined],
    ['rollgate CLI', undefined],
    [undefined, undefined],
  ])('%s -> %s', (source, pull) => {
    expect(pullOf(source, ctx)).toBe(pull);
  });
});
