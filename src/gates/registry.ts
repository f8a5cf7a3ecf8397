import { approvalsGate } from './approvals.js';
import { bakeGate } from './bake.js';
import { checksGate } from './checks.js';
import { freezeGate } from './freeze.js';
import type { GateKind } from './gate.js';
import { sloGate } from './slo.js';

/**
 * Every gate kind that may appear under `gates:`, by kind. Adding a kind: write its file, add one
 * line here. (Order is implied by `after` and evaluated by decide(), so it is not listed.)
 */
export const GATE_KINDS: Readonly<Record<string, GateKind>> = {
  freeze: freezeGate as unknown as GateKind,
  bake: bakeGate as unknown as GateKind,
  slo: sloGate as unknown as GateKind,
  approvals: approvalsGate as unknown as GateKind,
  checks: checksGate as unknown as GateKind,
};
