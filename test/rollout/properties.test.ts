import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { promote } from '../../src/core/pipeline.js';
import { runRolloutCommand, runTick } from '../../src/core/rollout-run.js';
import { activeRollout, parseState, type ServiceState, statePath } from '../../src/core/state.js';
import { readCanaryWeight, canaryLayout } from '../../src/strategies/canary.js';
import { readImages } from '../../src/overlays/kustomization.js';
import { canaryConfig, gitopsFiles, type Health, sloInputs } from './fixture.js';
import { MemoryStore } from './memory-store.js';

// For any sequence of ticks, commands and promotions: weights only rise while a rollout
// progresses, a rollback always restores the stable version, a tick never writes twice, and the
// state file always agrees with the overlay it describes. The store is an in-memory
// implementation of the core's GitOpsStore port (the git adapter is tested on real repositories in
// the other files); it keeps the property fast enough to try many sequences.

type Op =
  | { kind: 'tick'; minutes: number; health: Health }
  | { kind: 'command'; verb: 'pause' | 'resume' | 'abort' | 'advance'; minutes: number }
  | { kind: 'promote'; version: string; minutes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      minutes: fc.integer({ min: 1, max: 60 }),
      health: fc.constantFrom<Health>(
        'healthy',
        'healthy',
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

const config = canaryConfig(
  ['checkout'],
  'gateway-api',
  'steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-errors]\nverify: { duration: 30m, analysis: [canary-errors] }',
);
const target = { config, environment: 'production', service: 'checkout' };
const layout = canaryLayout(target);

function observed(store: MemoryStore) {
  const k = store.file('apps/checkout/overlays/production/kustomization.yaml') ?? '';
  const tag = (name: string) => readImages(k).find((i) => i.name === name)?.newTag;
  const weight = readCanaryWeight(store.file(layout.trafficFile) ?? '', layout.weightOptions);
  return { stable: tag('ghcr.io/acme/checkout'), canary: tag('checkout-canary'), weight };
}

function stateOf(store: MemoryStore): ServiceState | undefined {
  const text = store.file(statePath('production', 'checkout'));
  if (text === undefined) return undefined;
  const parsed = parseState('s', text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.state;
}

/** Every tick action seen over all runs: the sequences must reach the ones that matter. */
const seenKinds = new Set<string>();

describe('rollout properties', () => {
  it('weights rise while progressing, rollbacks restore the stable version, no tick writes twice, state agrees with the overlay', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 20 }), async (ops) => {
        const store = new MemoryStore(gitopsFiles(['checkout'], 'gateway-api'));
        let now = Date.parse('2026-12-01T10:00:00Z'); // a Tuesday: no freeze within 20 ops (at most 20 h)
        let progressing: { version: string; weight: number } | undefined;
        let stableAtStart: string | undefined;
        let progressingStart: string | undefined;
        for (const op of ops) {
          now += op.minutes * 60_000;
          const at = new Date(now);
          const health: Health = op.kind === 'tick' ? op.health : 'healthy';
          const deps = { store, clock: () => at, analysis: async () => sloInputs(health, at) };
          const before = stateOf(store);
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
            if (outcome.kind === 'committed' && activeRollout(before) === undefined)
              stableAtStart = before?.stable ?? '1.4.0';
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
            for (const r of report.rollouts) seenKinds.add(r.action.kind);
            expect(report.rollouts.filter((r) => r.commit !== undefined).length).toBeLessThanOrEqual(1);
            // The same tick again writes nothing.
            const length = store.commits.length;
            const again = await runTick(config, deps);
            expect(again.rollouts.every((r) => r.commit === undefined)).toBe(true);
            expect(store.commits.length).toBe(length);
          }
          const state = stateOf(store);
          const seen = observed(store);
          if (state !== undefined) {
            // The state file agrees with the overlay it describes.
            expect(seen.stable).toBe(state.version);
            if (state.rollout !== undefined) expect(seen.weight).toBe(state.rollout.weight);
            const active = activeRollout(state);
            if (active !== undefined) expect(seen.canary).toBe(active.version);
            // A rollback restores the stable version the rollout started from.
            if (state.rollout?.phase === 'rolled-back' || state.rollout?.phase === 'aborted') {
              expect(seen.weight).toBe(0);
              expect(seen.stable).toBe(state.stable);
              expect(seen.canary).toBe(state.stable);
              if (stableAtStart !== undefined) expect(state.stable).toBe(stableAtStart);
            }
            // Weights only rise while one version progresses.
            if (state.rollout?.phase === 'progressing') {
              if (
                progressing?.version === state.rollout.version &&
                state.rollout.startedAt === progressingStart
              ) {
                expect(state.rollout.weight).toBeGreaterThanOrEqual(progressing.weight);
              }
              progressing = { version: state.rollout.version, weight: state.rollout.weight };
              progressingStart = state.rollout.startedAt;
            } else if (state.rollout?.phase !== 'paused') {
              progressing = undefined;
            }
          }
        }
      }),
      {
        numRuns: 40,
        // One walk through every phase, so the properties are checked on a promotion, a verify and a
        // pause for missing data too, whatever the random runs happen to try.
        examples: [
          [
            [
              { kind: 'promote', version: '1.5.0', minutes: 0 },
              ...[31, 31, 31, 31, 31].map((minutes): Op => ({ kind: 'tick', minutes, health: 'healthy' })),
              { kind: 'promote', version: '1.6.0', minutes: 5 },
              { kind: 'tick', minutes: 31, health: 'healthy' },
              { kind: 'command', verb: 'pause', minutes: 1 },
              { kind: 'tick', minutes: 5, health: 'failing' },
              { kind: 'promote', version: '1.7.0', minutes: 5 },
              { kind: 'tick', minutes: 31, health: 'no-data' },
            ],
          ],
        ],
      },
    );
    expect([...seenKinds].sort()).toEqual(['pause', 'promote', 'rollback', 'step', 'verify', 'wait']);
  });
});
