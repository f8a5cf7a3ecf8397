import { Document, isMap, isNode, type Node } from 'yaml';
import { isYamlProblem, parseBounded } from '../overlays/yaml/bounded.js';
import { positionOf } from '../overlays/yaml/parse.js';
import { checkShape, explainShape } from '../config/shape.js';
import { SHAPES } from '../config/shapes.generated.js';
import type { ConfigProblem } from './errors.js';
import type { Hold, RolloutState, ServiceState } from './state-schema.js';

// The state file of one (environment, service): `.rollgate/state/<environment>/<service>.yaml`.
// Every rollgate commit that changes a service rewrites its file in the same commit, so the
// current state is one small read beside the overlays (DESIGN.md "State in the GitOps
// repository"). The trailers stay the audit trail; this file is the answer to "where are we now".
// rollgate writes it whole (it is rollgate's own file, not a person's), in a fixed key order with
// every string JSON-quoted, so a diff of two states shows exactly the fields that changed.

export const STATE_SCHEMA_VERSION = 1;
export { flagStatePath, STATE_DIR, statePath } from './state-paths.js';

/** Phases a rollout passes through, as the `Rollgate-Phase` trailer spells them. */
export const ROLLOUT_PHASES = [
  'progressing',
  'paused',
  'promoted',
  'verified',
  'rolled-back',
  'aborted',
  // canary.shadow: mirrored traffic before the first step (docs/shadow.md)
  'shadowing',
  // blue-green (docs/blue-green.md): the idle colour judged at 0%, the switch, the old colour at 0
  'previewing',
  'switched',
  'scaled-down',
] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/** Phases a pause can come from (and resume returns to). */
export const PAUSABLE_PHASES = ['progressing', 'promoted', 'shadowing', 'previewing', 'switched'] as const;
export type PausablePhase = (typeof PAUSABLE_PHASES)[number];

/** Phases after the promotion (a canary's stable image set, a blue-green switch), before it is stable. */
export function isPromotedPhase(phase: string | undefined): boolean {
  return phase === 'promoted' || phase === 'switched';
}

/** Phases of a running rollout before its promotion (the canary stepping, shadowing, a preview). */
export function isBeforePromotion(phase: string | undefined): boolean {
  return phase === 'progressing' || phase === 'shadowing' || phase === 'previewing';
}

/** The phase a rollout is in, looking through a pause. */
export function phaseOf(rollout: {
  readonly phase: RolloutPhase;
  readonly pausedFrom?: PausablePhase | undefined;
}): RolloutPhase {
  return rollout.phase === 'paused' ? (rollout.pausedFrom ?? 'progressing') : rollout.phase;
}

export type { Hold, RolloutState, ServiceState };

export type StateParse =
  | { readonly ok: true; readonly state: ServiceState }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Reads a state file; every problem names file:line:col, as config errors do. */
export function parseState(file: string, text: string): StateParse {
  // Through the bounded entry, as every YAML file: a hand-edited state file with an alias bomb or a
  // binary blob is a problem at its position, not a hang or a stack trace.
  const bounded = parseBounded(text);
  if (isYamlProblem(bounded)) {
    const offsets = bounded.errors?.map((e) => ({
      offset: e.pos[0],
      message: `YAML: ${e.message.split('\n')[0]}`,
    })) ?? [{ offset: bounded.offset, message: bounded.message }];
    return {
      ok: false,
      problems: offsets.map(({ offset, message }) => {
        const pos = positionOf(text, offset);
        return { file, line: pos.line, col: pos.col, path: '', message };
      }),
    };
  }
  const lines = bounded.lines;
  const doc = bounded.docs[0] ?? new Document();
  const at = (node: Node | undefined | null) => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    return { file, line: pos.line, col: pos.col };
  };
  if (bounded.docs.length > 1) {
    return {
      ok: false,
      problems: [
        {
          ...at(bounded.docs[1]?.contents),
          path: '',
          message: 'YAML: several documents in a state file; keep the first',
        },
      ],
    };
  }
  // Checked against the shape generated from the schema (state-schema.ts), in zod's words, without zod.
  const value = doc.toJS({ maxAliasCount: -1 }) as unknown;
  const parsed = checkShape(SHAPES.state, value);
  if (parsed.ok) return { ok: true, state: parsed.data };
  return {
    ok: false,
    problems: explainShape(SHAPES.state, value).map((issue) => {
      const path = issue.path;
      let node: unknown;
      for (let n = path.length; n >= 0 && !isNode(node); n--) node = doc.getIn(path.slice(0, n), true);
      if (!isNode(node)) node = isMap(doc.contents) ? doc.contents : undefined;
      return {
        ...at(node as Node | undefined),
        path: path.map(String).join('.'),
        message: `${issue.message}; this file is written by rollgate: restore it from the history (git log -p -- ${file}) or delete it`,
      };
    }),
  };
}

/** Writes a state file: fixed key order, one value per line, strings JSON-quoted (valid YAML). */
export function formatState(state: ServiceState): string {
  const q = (v: string) => JSON.stringify(v);
  const out: string[] = [
    `# rollgate state of ${state.service} in ${state.environment}, rewritten by every rollgate commit.`,
    '# What runs is what the overlay says; edit the overlay, not this file.',
    `schema_version: ${STATE_SCHEMA_VERSION}`,
    `environment: ${q(state.environment)}`,
    `service: ${q(state.service)}`,
    `version: ${q(state.version)}`,
    `landedAt: ${q(state.landedAt)}`,
  ];
  if (state.stable !== undefined) out.push(`stable: ${q(state.stable)}`);
  const r = state.rollout;
  if (r !== undefined) {
    out.push(
      'rollout:',
      `  strategy: ${q(r.strategy)}`,
      `  version: ${q(r.version)}`,
      `  phase: ${r.phase}`,
      `  step: ${r.step}`,
      `  steps: ${r.steps}`,
      `  weight: ${r.weight}`,
      `  windowStart: ${q(r.windowStart)}`,
      `  startedAt: ${q(r.startedAt)}`,
    );
    if (r.pausedFrom !== undefined) out.push(`  pausedFrom: ${r.pausedFrom}`);
    if (r.reason !== undefined) out.push(`  reason: ${q(r.reason)}`);
    if (r.overrides !== undefined && r.overrides.length > 0) {
      out.push('  overrides:', ...r.overrides.map((o) => `    - ${q(o)}`));
    }
    if (r.analysis !== undefined) out.push(`  analysis: ${q(r.analysis)}`);
    if (r.source !== undefined) out.push(`  source: ${q(r.source)}`);
    if (r.rollbackOf !== undefined) out.push(`  rollbackOf: ${q(r.rollbackOf)}`);
  }
  if (state.holds !== undefined && state.holds.length > 0) {
    out.push('holds:');
    for (const h of state.holds) {
      out.push(`  - version: ${q(h.version)}`, `    at: ${q(h.at)}`, `    reason: ${q(h.reason)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * A rollout still running, that ticks act on. A promotion with `verify` keeps the old stable
 * version until the verify commit; without verify the promotion itself makes the version stable,
 * so `promoted` is active exactly while the stable version is not yet the rollout's.
 */
export function activeRollout(state: ServiceState | undefined): RolloutState | undefined {
  const r = state?.rollout;
  if (r === undefined) return undefined;
  if (isBeforePromotion(r.phase) || r.phase === 'paused') return r;
  if (isPromotedPhase(r.phase) && state?.stable !== r.version) return r;
  return undefined;
}

export function holdOn(state: ServiceState | undefined, version: string): Hold | undefined {
  return state?.holds?.find((h) => h.version === version);
}
