import { formatVersion, type Verdict } from '../core/types.js';
import { defineGate } from './gate.js';

// Order is implied by an environment's `after`; it is not configured under `gates:` but is
// evaluated like any gate so it shows in the table with its reason. It has no config (and so no
// schema): the upstream environment (`after`) must already run the version for every service.
export const orderGate = defineGate<Readonly<Record<string, never>>>({
  kind: 'order',
  evaluate(name, _config, ctx): Verdict {
    const { request, facts, upstream } = ctx;
    const base = { gate: name, kind: 'order' } as const;
    if (upstream === undefined) {
      return {
        ...base,
        outcome: 'skip',
        reasonCode: 'order.first',
        reason: 'first environment: no order to keep',
        details: {},
      };
    }
    const version = formatVersion(request.version);
    const upstreamRuns = facts.running[upstream] ?? {};
    const behind = request.services.filter((s) => upstreamRuns[s] !== version);
    const details = {
      upstream,
      running: Object.fromEntries(request.services.map((s) => [s, upstreamRuns[s] ?? null])),
    };
    if (behind.length > 0) {
      const what = behind.map((s) => `${s} runs ${upstreamRuns[s] ?? 'nothing'}`).join(', ');
      return {
        ...base,
        outcome: 'fail',
        reasonCode: 'order.upstream-behind',
        details,
        reason: `${upstream} must run ${version} first (${what}): promote to ${upstream} before skipping ahead`,
      };
    }
    return {
      ...base,
      outcome: 'pass',
      reasonCode: 'order.upstream-runs',
      details,
      reason: `${upstream} runs ${version}`,
    };
  },
});
