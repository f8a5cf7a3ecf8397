import { bakeGate } from './bake.js';
import { freezeGate } from './freeze.js';
import type { GateKind } from './gate.js';

/**
 * Every gate kind that may appear under `gates:`, by kind. Adding a kind: write its file, add one
 * line here. (Order is implied by `after` and evaluated by decide(), so it is not listed.)
 */
export const GATE_KINDS: Readonly<Record<string, GateKind>> = {
  freeze: freezeGate as unknown as GateKind,
  bake: bakeGate as unknown as GateKind,
};
