import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { promote } from '../../src/core/pipeline.js';
import { decideTick, type RolloutInput } from '../../src/core/rollout.js';
import { runRolloutCommand, runTick } from '../../src/core/rollout-run.js';
import { activeRollout, parseState, type ServiceState, statePath } from '../../src/core/state.js';
import { readReplicas } from '../../src/overlays/replicas.js';
import { blueGreenLayout, blueGreenStrategy, liveColour } from '../../src/strategies/blue-green.js';
import { readImages } from '../../src/overlays/kustomization.js';
import { blueGreenConfig, blueGreenFiles } from './blue-green-fixture.js';
import { type Health, sloInputs } from './fixture.js';
import { MemoryStore } from './memory-store.js';

// Blue-green at the engine level, for any sequence of ticks (healthy, failing, no data, Prometheus
// down), operator commands and promotions: exactly one colour is live at every commit; the state
// file agrees with what the overlay shows; a rollback or abort leaves the stable version live; a
// scale-down leaves the new version live and the old colour at 0; no tick writes twice.

const SLO = `  canary-errors:
    slo:
      prometheus: { url: "http://127.0.0.1:9" }
      objective: 99
      period: 1h
      errors: sum(rate(errors[{{window}}]))
      total: sum(rate(total[{{window}}]))
      burnRates: none
      onNoData: warn
`;

type Op =
  | { kind: 'tick'; minutes: number; health: Health }
  | { kind: 'command'; verb: 'pause' | 'resume' | 'abort' | 'advance'; minutes: number }
  | { kind: 'promote'; version: string; minutes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      minutes: fc.integer({ min: 1, max: 40 }),
      health: fc.constantFrom<Health>(
        'healthy',
        'healthy',
        'healthy',
        'healthy',
        'failing',
        'no-data',
        'down',
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      verb: fc.constantFrom('pause' as const, 'resume' as const, 'abort' as const, 'advance' as const),
      minutes: fc.integer({ min: 0, max: 10 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('promote' as const),
      version: fc.constantFrom('1.5.0', '1.6.0', '1.7.0'),
      minutes: fc.integer({ min: 0, max: 10 }),
    }),
  },
);

for (const traffic of ['gateway-api', 'service'] as const) {
  const config = blueGreenConfig(
    traffic,
    'preview: { duration: 10m, analysis: [canary-errors] }\nverify: { duration: 20m, analysis: [canary-errors] }\nscaleDownDelay: 30m',
    SLO,
  );
  const target = { config, environment: 'production', service: 'checkout' };
  const layout = blueGreenLayout(target);

  const stateOf = (store: MemoryStore): ServiceState | undefined => {
    const text = store.file(statePath('production', 'checkout'));
    if (text === undefined) return undefined;
    const parsed = parseState('s', text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return parsed.state;
  };

  const seenPhases = new Set<string>();

  describe(`blue-green properties (${traffic})`, () => {
    it('one colour live, state agrees with the overlay, rollbacks leave the stable version live, no tick writes twice', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 16 }), async (ops) => {
          const store = new MemoryStore(blueGreenFiles(traffic));
          let now = Date.parse('2026-12-01T08:00:00Z'); // a Tuesday: 16 ops stay clear of the freeze
          for (const op of ops) {
            now += op.minutes * 60_000;
            const at = new Date(now);
            const health: Health = op.kind === 'tick' ? op.health : 'healthy';
            const deps = { store, clock: () => at, analysis: async () => sloInputs(health, at) };
            if (op.kind === 'promote') {
              const outcome = await promote(
                config,
                {
                  environment: 'production',
                  services: ['checkout'],
                  version: { tag: op.version },
                  requestedBy: 'p',
                  source: 's',
                  reason: 'property',
                },
                { store, clock: () => at },
              );
              expect(['committed', 'noop', 'invalid']).toContain(outcome.kind);
            } else if (op.kind === 'command') {
              await runRolloutCommand(config, deps, {
                verb: op.verb,
                environment: 'production',
                services: [],
                requestedBy: 'p',
                source: 's',
              });
            } else {
              const report = await runTick(config, deps);
              expect(report.rollouts.filter((r) => r.commit !== undefined).length).toBeLessThanOrEqual(1);
              const length = store.commits.length;
              const again = await runTick(config, deps);
              expect(again.rollouts.every((r) => r.commit === undefined)).toBe(true);
              expect(store.commits.length).toBe(length);
            }
            const files = {
              [layout.trafficFile]: store.file(layout.trafficFile),
              [`${layout.dir}/kustomization.yaml`]: store.file(`${layout.dir}/kustomization.yaml`),
            };
            // Exactly one colour takes the traffic, at every commit.
            const live = liveColour(target, files);
            expect(typeof live).toBe('string');
            const k = files[`${layout.dir}/kustomization.yaml`] ?? '';
            const version = (c: 'blue' | 'green') =>
              readImages(k).find((i) => i.name === layout[c].image)?.newTag;
            const replicas = (c: 'blue' | 'green') =>
              readReplicas(k).find((r) => r.name === layout[c].workload)?.count;
            const state = stateOf(store);
            if (state === undefined || live === 'blue' || live === 'green') {
              if (state !== undefined) {
                seenPhases.add(state.rollout?.phase ?? 'none');
                const rollout = activeRollout(state);
                const seen = blueGreenStrategy.observe(target, files, rollout);
                expect(seen.ok).toBe(true);
                if (seen.ok) {
                  expect(seen.stable).toBe(state.version);
                  if (rollout !== undefined) {
                    expect(seen.candidate).toBe(rollout.version);
                    expect(seen.weight).toBe(rollout.weight);
                  }
                }
                const live_ = live as 'blue' | 'green';
                const idle = live_ === 'blue' ? 'green' : 'blue';
                // The live colour runs with replicas, always.
                expect(replicas(live_)).toBe(4);
                const phase = state.rollout?.phase;
                if (phase === 'rolled-back' || phase === 'aborted') {
                  expect(version(live_)).toBe(state.stable);
                  expect(state.version).toBe(state.stable);
                }
                if (phase === 'scaled-down') {
                  expect(version(live_)).toBe(state.rollout?.version);
                  expect(state.stable).toBe(state.rollout?.version);
                  expect(replicas(idle)).toBe(0);
                }
                if (phase === 'switched') expect(replicas(idle)).toBe(4);
              }
            }
          }
        }),
        {
          numRuns: 30,
          examples: [
            [
              [
                { kind: 'promote', version: '1.5.0', minutes: 0 },
                ...[11, 31, 5].map((minutes): Op => ({ kind: 'tick', minutes, health: 'healthy' })),
                { kind: 'promote', version: '1.6.0', minutes: 5 },
                { kind: 'tick', minutes: 11, health: 'healthy' },
                { kind: 'tick', minutes: 5, health: 'failing' },
                { kind: 'promote', version: '1.7.0', minutes: 5 },
                { kind: 'tick', minutes: 5, health: 'failing' },
              ],
            ],
          ],
        },
      );
      expect([...seenPhases].sort()).toEqual(
        expect.arrayContaining(['previewing', 'rolled-back', 'scaled-down', 'switched']),
      );
    });
  });
}

describe('blue-green moves (engine table)', () => {
  const config = blueGreenConfig(
    'gateway-api',
    'preview: { duration: 10m }\nscaleDownDelay: 30m\nautoPromote: false',
  );
  const target = { config, environment: 'production', service: 'checkout' };
  const rollout = (phase: 'previewing' | 'switched') => ({
    strategy: 'blue-green',
    version: '1.5.0',
    phase,
    step: 0,
    steps: 1,
    weight: phase === 'switched' ? 100 : 0,
    windowStart: '2026-12-01T10:00:00.000Z',
    startedAt: '2026-12-01T10:00:00.000Z',
  });
  const input = (phase: 'previewing' | 'switched', minutes: number, advance = false): RolloutInput => {
    const r = rollout(phase);
    return {
      now: new Date(Date.parse(r.windowStart) + minutes * 60_000),
      state: {
        schema_version: 1,
        environment: 'production',
        service: 'checkout',
        version: '1.4.0',
        landedAt: r.startedAt,
        stable: '1.4.0',
        rollout: r,
      },
      rollout: r,
      drift: [],
      analysis: { kind: 'none' },
      freeze: [],
      holdMs: blueGreenStrategy.holdMs(target, r),
      next: blueGreenStrategy.next(target, r),
      onFailure: 'rollback',
      ...(blueGreenStrategy.awaitsAdvance?.(target, r) ? { awaitAdvance: true } : {}),
      ...(advance ? { advance: true } : {}),
    };
  };

  it.each([
    ['previewing', 5, false, 'wait:hold'],
    ['previewing', 15, false, 'wait:awaiting-advance'],
    ['previewing', 15, true, 'promote:hold.done'],
    ['previewing', 5, true, 'promote:operator.advance'],
    ['switched', 20, false, 'wait:hold'],
    ['switched', 31, false, 'verify:verify.done'],
  ] as const)('%s at +%im (advance %s): %s', (phase, minutes, advance, expected) => {
    const action = decideTick(input(phase, minutes, advance));
    expect(`${action.kind}:${action.reasonCode}`).toBe(expected);
  });

  it('names its phases: previewing, switched, scaled-down (verified with scaleDown: false)', () => {
    const start = { kind: 'start', reasonCode: 'promote', message: '', step: 0, weight: 0 } as const;
    const promoteAction = { kind: 'promote', reasonCode: 'hold.done', message: '' } as const;
    const verify = { kind: 'verify', reasonCode: 'verify.done', message: '' } as const;
    expect(blueGreenStrategy.phaseAfter?.(target, start, undefined)).toBe('previewing');
    expect(blueGreenStrategy.phaseAfter?.(target, promoteAction, rollout('previewing'))).toBe('switched');
    expect(blueGreenStrategy.phaseAfter?.(target, verify, rollout('switched'))).toBe('scaled-down');
    const kept = blueGreenConfig('gateway-api', 'scaleDown: false');
    expect(blueGreenStrategy.phaseAfter?.({ ...target, config: kept }, verify, rollout('switched'))).toBe(
      'verified',
    );
  });
});
