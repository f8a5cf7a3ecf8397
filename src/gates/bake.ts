import { formatDuration, parseDuration } from '../core/duration.js';
import { landedAt } from '../core/history.js';
import { formatVersion, type Verdict } from '../core/types.js';
import type { BakeConfig } from './bake-schema.js';
import { defineGate } from './gate.js';

export const bakeGate = defineGate<BakeConfig>({
  kind: 'bake',
  check(config) {
    return (parseDuration(config) ?? 0) > 0
      ? []
      : [{ path: [], message: 'bake time must be more than zero' }];
  },
  evaluate(name, config, ctx): Verdict {
    const { request, facts, upstream } = ctx;
    const base = { gate: name, kind: 'bake' } as const;
    if (upstream === undefined) {
      return {
        ...base,
        outcome: 'skip',
        reasonCode: 'bake.no-upstream',
        reason: 'environment has no `after`: nothing to bake in',
        details: {},
      };
    }
    const need = parseDuration(config) ?? 0;
    const version = formatVersion(request.version);
    const per: Record<string, { landedAt: string | null; bakedMs: number }> = {};
    let worstLeft = 0;
    let missing: string | undefined;
    let replaced: { service: string; runs: string } | undefined;
    for (const service of request.services) {
      const landed = landedAt(facts.history, upstream, service, version);
      // The history says when it landed; the overlay says whether it is still there (a hand edit
      // after rollgate's commit would otherwise count time the version was not running).
      const runs = facts.running[upstream]?.[service];
      if (landed !== undefined && runs !== undefined && runs !== version) {
        replaced ??= { service, runs };
        per[service] = { landedAt: landed.toISOString(), bakedMs: 0 };
        continue;
      }
      if (landed === undefined) {
        missing ??= service;
        per[service] = { landedAt: null, bakedMs: 0 };
        continue;
      }
      const baked = facts.now.getTime() - landed.getTime();
      per[service] = { landedAt: landed.toISOString(), bakedMs: baked };
      worstLeft = Math.max(worstLeft, need - baked);
    }
    const details = { required: config, upstream, services: per };
    if (missing !== undefined) {
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'bake.not-landed',
        details,
        reason: `${missing} ${version} has not landed in ${upstream} (no rollgate commit there): promote it to ${upstream} first`,
      };
    }
    if (replaced !== undefined) {
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'bake.not-running',
        details,
        reason: `${upstream} runs ${replaced.runs} for ${replaced.service}, not ${version}: its bake time does not count while it is not running there`,
      };
    }
    if (worstLeft > 0) {
      const opens = new Date(facts.now.getTime() + worstLeft);
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'bake.too-soon',
        details,
        opensAt: opens.toISOString(),
        reason: `${version} has baked in ${upstream} for ${formatDuration(need - worstLeft)} of ${config}: ${formatDuration(worstLeft)} left`,
      };
    }
    return {
      ...base,
      outcome: 'pass',
      reasonCode: 'bake.done',
      details,
      reason: `${version} has baked in ${upstream} for at least ${config}`,
    };
  },
});
