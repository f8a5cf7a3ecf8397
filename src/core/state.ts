import { Document, isMap, isNode, type Node } from 'yaml';
import { isYamlProblem, parseBounded } from '../overlays/yaml/bounded.js';
import { positionOf } from '../overlays/yaml/parse.js';
import { z } from 'zod';
import type { ConfigProblem } from './errors.js';

// The state file of one (environment, service): `.rollgate/state/<environment>/<service>.yaml`.
// Every rollgate commit that changes a service rewrites its file in the same commit, so the
// current state is one small read beside the overlays (DESIGN.md "State in the GitOps
// repository"). The trailers stay the audit trail; this file is the answer to "where are we now".
// rollgate writes it whole (it is rollgate's own file, not a person's), in a fixed key order with
// every string JSON-quoted, so a diff of two states shows exactly the fields that changed.

export const STATE_SCHEMA_VERSION = 1;
export const STATE_DIR = '.rollgate/state';

export function statePath(environment: string, service: string): string {
  return `${STATE_DIR}/${environment}/${service}.yaml`;
}

/** The state file of a feature-flag rollout, keyed by its name (`environments.<env>.flags.<name>`). */
export function flagStatePath(environment: string, flag: string): string {
  return `${STATE_DIR}/${environment}/flags/${flag}.yaml`;
}

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

const iso = z.iso.datetime({ offset: true });

const rolloutSchema = z.strictObject({
  strategy: z.string().min(1),
  /** The version being rolled out (what the canary workload runs). */
  version: z.string().min(1),
  phase: z.enum(ROLLOUT_PHASES),
  /** 0 = warm-up (image set, weight 0); 1..steps = the configured steps. */
  step: z.number().int().min(0),
  steps: z.number().int().min(1),
  weight: z.number().int().min(0).max(100),
  /** When the current step's (or verify's) window began: its commit time, or the resume. */
  windowStart: iso,
  startedAt: iso,
  /** The phase a pause came from, where resume returns to. */
  pausedFrom: z.enum(PAUSABLE_PHASES).optional(),
  /** The reason code of the last action (drift, analysis.failed, operator...). */
  reason: z.string().optional(),
  /** Overrides given at the start: they last for the whole rollout. */
  overrides: z.array(z.string()).optional(),
  /** The analysis figures recorded at the last action, one line. */
  analysis: z.string().optional(),
  /** Where the rollout was started from (the PR or run URL), for the sticky comment. */
  source: z.string().optional(),
  /**
   * Set when the rollout is a rollback (blue-green after the scale-down: the previous version's
   * colour scaled up, the switch once it is ready): the version it takes users off, held.
   */
  rollbackOf: z.string().min(1).optional(),
});

const holdSchema = z.strictObject({
  version: z.string().min(1),
  at: iso,
  reason: z.string(),
});

const stateSchema = z.strictObject({
  schema_version: z.literal(STATE_SCHEMA_VERSION),
  environment: z.string().min(1),
  service: z.string().min(1),
  /** What the service's own (stable) image entry holds, as rollgate wrote it. */
  version: z.string().min(1),
  /** When `version` landed in the overlay. */
  landedAt: iso,
  /** The last version that finished (verified, or promoted without verify); a rollback target. */
  stable: z.string().min(1).optional(),
  rollout: rolloutSchema.optional(),
  holds: z.array(holdSchema).optional(),
});

export type RolloutState = z.output<typeof rolloutSchema>;
export type Hold = z.output<typeof holdSchema>;
export type ServiceState = z.output<typeof stateSchema>;

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
  const parsed = stateSchema.safeParse(doc.toJS({ maxAliasCount: -1 }));
  if (parsed.success) return { ok: true, state: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path as (string | number)[];
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
