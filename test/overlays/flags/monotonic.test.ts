import type { EvaluationContext, Logger } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';
import { describe, expect, it } from 'vitest';
import { setFlag } from '../../../src/overlays/flags/edit-flag.js';
import { CONFIGMAP, flagSetJson, JSON_FILE } from './fixtures.js';

// flagd's own evaluator (@openfeature/flagd-core) on 5,000 targeting keys: every step of a flag
// rollout written by `edit flag` only moves users into the rolled-out variant, never out of it and
// never between the other variants; the rollback (share 0) takes exactly those users back.

const quiet: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
const KEYS = Array.from({ length: 5_000 }, (_, i) => `user-${i}@example.com`);

function assign(
  text: string,
  flag: string,
  context: (key: string) => EvaluationContext,
): Map<string, string> {
  const core = new FlagdCore(undefined, quiet);
  core.setConfigurations(flagSetJson(text));
  const out = new Map<string, string>();
  for (const key of KEYS) {
    const r = core.resolveStringEvaluation(flag, 'unset', context(key));
    const variant = r.variant ?? `error:${r.errorCode ?? ''}`;
    out.set(key, variant);
  }
  return out;
}

function stepThrough(
  start: string,
  flag: string,
  variant: string,
  steps: readonly number[],
  context: (key: string) => EvaluationContext,
) {
  let text = start;
  let before = assign(text, flag, context);
  const shares: number[] = [];
  for (const weight of steps) {
    const edited = setFlag(text, flag, { fractions: [{ variant, weight }] });
    if (!edited.ok) throw new Error(edited.message);
    text = edited.text;
    const after = assign(text, flag, context);
    for (const key of KEYS) {
      const was = before.get(key);
      const now = after.get(key);
      // Either nothing changed for this user, or they moved into the rolled-out variant.
      if (was !== now) expect(now, `${key}: ${was} -> ${now} at ${weight}%`).toBe(variant);
    }
    shares.push([...after.values()].filter((v) => v === variant).length / KEYS.length);
    before = after;
  }
  return { text, before, shares };
}

describe('flag rollout steps, judged by flagd-core on 5,000 targeting keys', () => {
  it('a boolean flag in a ConfigMap: 0 -> 5 -> 25 -> 50 -> 100 only adds users; the rollback returns them', () => {
    const ctx = (key: string): EvaluationContext => ({ targetingKey: key });
    const core = new FlagdCore(undefined, quiet);
    core.setConfigurations(flagSetJson(CONFIGMAP));
    const steps = [5, 25, 50, 100];
    let text = CONFIGMAP;
    let before = new Map(
      KEYS.map((k) => [k, String(core.resolveBooleanEvaluation('new-checkout', false, ctx(k)).variant)]),
    );
    const original = before;
    const shares: number[] = [];
    for (const weight of steps) {
      const edited = setFlag(text, 'new-checkout', { fractions: [{ variant: 'on', weight }] });
      if (!edited.ok) throw new Error(edited.message);
      text = edited.text;
      const c = new FlagdCore(undefined, quiet);
      c.setConfigurations(flagSetJson(text));
      const after = new Map(
        KEYS.map((k) => [k, String(c.resolveBooleanEvaluation('new-checkout', false, ctx(k)).variant)]),
      );
      for (const key of KEYS) if (before.get(key) !== after.get(key)) expect(after.get(key)).toBe('on');
      shares.push([...after.values()].filter((v) => v === 'on').length / KEYS.length);
      before = after;
    }
    // The shares track the percentages (hashing is uniform enough at 5,000 keys).
    steps.forEach((w, i) => expect(Math.abs((shares[i] ?? 0) - w / 100)).toBeLessThan(0.03));
    const back = setFlag(text, 'new-checkout', { fractions: [{ variant: 'on', weight: 0 }] });
    if (!back.ok) throw new Error(back.message);
    const c = new FlagdCore(undefined, quiet);
    c.setConfigurations(flagSetJson(back.text));
    for (const key of KEYS)
      expect(String(c.resolveBooleanEvaluation('new-checkout', false, ctx(key)).variant)).toBe(
        original.get(key),
      );
  });

  it('three variants, a bucketing expression inside an if: raising blue never moves a user between red and green', () => {
    const ctx = (key: string): EvaluationContext => ({
      targetingKey: key,
      email: `${key.split('@')[0]}@acme.com`,
    });
    const { shares } = stepThrough(JSON_FILE, 'header-color', 'blue', [15, 30, 45, 70, 100], ctx);
    expect(shares[shares.length - 1]).toBe(1);
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
  });
});
