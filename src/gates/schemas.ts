import { approvalsGateSchema } from './approvals-schema.js';
import { bakeGateSchema } from './bake-schema.js';
import { checksGateSchema } from './checks-schema.js';
import { freezeGateSchema } from './freeze-schema.js';
import type { GateSchema } from './gate-schema.js';
import { metricGateSchema } from './metric-schema.js';
import { sloGateSchema } from './slo-schema.js';

/**
 * Every gate kind's config schema, by kind, in the order of registry.ts (its behaviour). Adding a
 * kind: its `<kind>-schema.ts` and one line here, then `npm run schema`.
 */
export const GATE_SCHEMAS: Readonly<Record<string, GateSchema>> = {
  freeze: freezeGateSchema,
  bake: bakeGateSchema,
  slo: sloGateSchema,
  metric: metricGateSchema,
  approvals: approvalsGateSchema,
  checks: checksGateSchema,
};
