import { approvalsGate } from './approvals.js';
import { bakeGate } from './bake.js';
import { checksGate } from './checks.js';
import { freezeGate } from './freeze.js';
import { type GateKind, registered } from './gate.js';
import { metricGate } from './metric.js';
import { sloGate } from './slo.js';

/**
 * Every gate kind that may appear under `gates:`, by kind. Adding a kind: write its file, add one
 * line here, and its schema to schemas.ts. (Order is implied by `after` and evaluated by decide(),
 * so it is not listed.)
 */
export const GATE_KINDS: Readonly<Record<string, GateKind>> = {
  freeze: registered(freezeGate),
  bake: registered(bakeGate),
  slo: registered(sloGate),
  metric: registered(metricGate),
  approvals: registered(approvalsGate),
  checks: registered(checksGate),
};
