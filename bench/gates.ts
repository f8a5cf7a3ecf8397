// Gate evaluation speed: a gate runs on every /promote and every scheduled freeze sweep, so a
// pathological cron (every second) must not stall it. Run: npm run bench -- gates
import type { PromotionRequest } from '../src/core/types.js';
import { freezeGate } from '../src/gates/freeze.js';
import { freezeSchema } from '../src/gates/freeze-schema.js';
import { sloGate } from '../src/gates/slo.js';
import { sloSchema } from '../src/gates/slo-schema.js';
import type { SloSamples } from '../src/gates/slo-queries.js';
import { atMost, type BenchRow } from './row.js';

const request: PromotionRequest = {
  environment: 'production',
  services: ['checkout'],
  version: { tag: '1' },
  requestedBy: 'a',
  source: 'bench',
};

interface Case {
  readonly name: string;
  readonly targetMs: number;
  readonly run: () => unknown;
}

function freeze(config: unknown, at: string): () => unknown {
  const parsed = freezeSchema.parse(config);
  const facts = { now: new Date(at), history: [], running: {} };
  return () => freezeGate.evaluate('f', parsed, { request, facts });
}

const slo = sloSchema.parse({ prometheus: { url: 'http://p' }, objective: 99.9, ratio: 'r[{{window}}]' });
const samples: SloSamples = {
  kind: 'slo-samples',
  at: '2026-11-01T00:00:00Z',
  windows: Object.fromEntries(
    ['30d', '1h', '5m', '6h', '30m', '3d'].map((w) => [
      w,
      { ratio: { query: w, result: { kind: 'sample', value: '0.0002' } } },
    ]),
  ),
};

const weekend = { windows: [{ start: '0 16 * * FRI', end: '0 8 * * MON', timezone: 'Europe/Berlin' }] };
export const CASES: readonly Case[] = [
  { name: 'freeze: weekend window, frozen', targetMs: 20, run: freeze(weekend, '2026-11-28T12:00:00Z') },
  { name: 'freeze: weekend window, open', targetMs: 20, run: freeze(weekend, '2026-11-25T12:00:00Z') },
  {
    name: 'freeze: across the autumn change',
    targetMs: 20,
    run: freeze(
      { windows: [{ start: '0 1 * * *', end: '0 4 * * *', timezone: 'Europe/Berlin' }] },
      '2026-10-25T01:15:00Z',
    ),
  },
  {
    name: 'freeze: every-second cron chaining without a gap',
    targetMs: 500,
    run: freeze({ windows: [{ start: '* * * * * *', end: '*/2 * * * * *' }] }, '2026-11-25T12:00:00Z'),
  },
  {
    name: 'slo: workbook evaluation over fetched samples',
    targetMs: 2,
    run: () =>
      sloGate.evaluate('slo', slo, {
        request,
        facts: { now: new Date(0), history: [], running: {}, gateInputs: { slo: samples } },
      }),
  },
];

/** Median milliseconds per run over a few rounds, after a warm-up. */
export function measure(run: () => unknown, rounds = 15): number {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** One row per case: the median time against its target. */
export const rows: readonly BenchRow[] = CASES.map((c) => ({
  target: `${c.name} <= ${c.targetMs} ms`,
  measure: () => {
    const ms = measure(c.run);
    return atMost(1, ms / c.targetMs, `${ms.toFixed(2)} ms, median of 15`);
  },
}));
