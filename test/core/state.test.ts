import { describe, expect, it } from 'vitest';
import {
  activeRollout,
  formatState,
  parseState,
  type ServiceState,
  statePath,
} from '../../src/core/state.js';

const STATE: ServiceState = {
  schema_version: 1,
  environment: 'production',
  service: 'checkout',
  version: '1.4.0',
  landedAt: '2026-12-01T10:00:00.000Z',
  stable: '1.4.0',
  rollout: {
    strategy: 'canary',
    version: '1.5.0@sha256:0123456789abcdef0123456789abcdef',
    phase: 'paused',
    step: 2,
    steps: 3,
    weight: 25,
    windowStart: '2026-12-01T11:00:00.000Z',
    startedAt: '2026-12-01T10:30:00.000Z',
    pausedFrom: 'progressing',
    reason: 'operator',
    overrides: ['weekend-freeze by label hotfix: "quoted" text\\ with a backslash'],
    analysis: 'canary-errors=pass (successful 12, failed 0)',
    source: 'https://github.com/acme/app/pull/7',
  },
  holds: [{ version: '1.3.9', at: '2026-11-30T10:00:00.000Z', reason: 'analysis.failed' }],
};

const ROLLOUT = STATE.rollout as NonNullable<ServiceState['rollout']>;

describe('state file', () => {
  it('lives under .rollgate/state/<environment>/<service>.yaml', () => {
    expect(statePath('production', 'checkout')).toBe('.rollgate/state/production/checkout.yaml');
  });

  it('round-trips every field', () => {
    const text = formatState(STATE);
    expect(parseState('s.yaml', text)).toEqual({ ok: true, state: STATE });
    expect(text).toContain('schema_version: 1\n');
    expect(text).toContain('  phase: paused\n');
  });

  it('reports a bad field at file:line:col with what to do', () => {
    const text = formatState(STATE).replace('  weight: 25', '  weight: lots');
    const parsed = parseState('.rollgate/state/production/checkout.yaml', text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const [p] = parsed.problems;
    expect(p).toMatchObject({
      file: '.rollgate/state/production/checkout.yaml',
      line: 15,
      col: 11,
      path: 'rollout.weight',
    });
    expect(p?.message).toMatch(/restore it from the history/);
  });

  it('reports broken YAML and an unknown schema version', () => {
    expect(parseState('s.yaml', 'version: [')).toMatchObject({ ok: false, problems: [{ line: 1 }] });
    const v2 = formatState(STATE).replace('schema_version: 1', 'schema_version: 2');
    expect(parseState('s.yaml', v2)).toMatchObject({
      ok: false,
      problems: [{ path: 'schema_version', line: 3, col: 17 }],
    });
  });

  it('knows which rollouts are active', () => {
    expect(activeRollout(STATE)?.phase).toBe('paused');
    const promoted = { ...STATE, rollout: { ...ROLLOUT, phase: 'promoted' as const } };
    expect(activeRollout(promoted)).toBeDefined();
    expect(activeRollout({ ...promoted, stable: promoted.rollout.version })).toBeUndefined();
    expect(activeRollout({ ...STATE, rollout: { ...ROLLOUT, phase: 'rolled-back' } })).toBeUndefined();
  });
});
