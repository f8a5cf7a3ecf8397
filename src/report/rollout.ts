import type { Verdict } from '../core/types.js';
import { cell, COMMENT_LIMIT, escapeMd, markerFor, OUTCOME_ICON } from './markdown.js';
import { escape } from './mermaid.js';

// The sticky comment of the pull request that started a rollout, rewritten at every rollout action
// (start, step, promote, verify, pause, resume, rollback, abort): per service, where it stands, the
// weights, the analysis and gate verdicts with their counts, a mermaid picture of the steps, and
// when the next tick may act. One shape: heading, facts, tables, picture, one line on what to do.

/** One (environment, service) rollout after this run's action. */
export interface RolloutView {
  /** The service, or the flag rollout's name when `flag` is set. */
  readonly service: string;
  /**
   * A feature-flag rollout (environments.<env>.flags): `version` is the variant rolled out, `stable`
   * the flag's defaultVariant, `weight` the variant's share of users.
   */
  readonly flag?: boolean;
  /** The version being rolled out. */
  readonly version: string;
  /** The version the stable workload returns to on a rollback. */
  readonly stable?: string;
  /** progressing, paused, promoted, verified, rolled-back, aborted. */
  readonly phase: string;
  readonly step: number;
  readonly steps: number;
  /** The canary weight now. */
  readonly weight: number;
  /** The configured weights, in order. */
  readonly weights: readonly number[];
  /** `verify.duration` when the environment verifies after promoting. */
  readonly verify?: string;
  /** What this run did to the rollout. */
  readonly action: { readonly kind: string; readonly reasonCode: string; readonly message: string };
  readonly commit?: { readonly sha: string; readonly url?: string };
  /** The earliest time a tick may act next. */
  readonly nextEligibleAt?: string;
  /** Analysis gates over the current window (metric counts in details). */
  readonly analysis: readonly Verdict[];
  /** The analysis window judged, when one was. */
  readonly window?: { readonly from: string; readonly to: string };
  /** Gates judged for this action (freeze before a step). */
  readonly gates: readonly Verdict[];
  /** Set when the version is held (after a rollback or an abort). */
  readonly hold?: string;
  /** A blue-green rollout: its stages (preview, switch, verify, scale-down) instead of canary weights. */
  readonly blueGreen?: {
    readonly preview?: string;
    readonly verify?: string;
    readonly scaleDownDelay: string;
    readonly scaleDown: boolean;
  };
  /** The phase a pause, a rollback or an abort came from (where the picture marks it). */
  readonly from?: string;
  /** A blue-green rollback (after the scale-down): the version it takes users off. */
  readonly rollbackOf?: string;
}

export interface RolloutReportInput {
  readonly environment: string;
  /** Who or what acted: a commenter, or the schedule. */
  readonly actor: string;
  /** Where the action came from (a comment, a run). */
  readonly via?: string;
  readonly at: string;
  readonly rollouts: readonly RolloutView[];
}

const PHASE_ICON: Readonly<Record<string, string>> = {
  progressing: '🐤',
  paused: '⏸️',
  promoted: '🚀',
  verified: '✅',
  'rolled-back': '⏪',
  aborted: '🛑',
};

const COUNT_KEYS = ['successful', 'failed', 'inconclusive', 'error'] as const;

export function renderRolloutReport(input: RolloutReportInput): string {
  const first = input.rollouts[0];
  const phases = [...new Set(input.rollouts.map((r) => r.phase))];
  const icon = phases.length === 1 ? (PHASE_ICON[phases[0] ?? ''] ?? '🐤') : '🐤';
  const what = input.rollouts
    .map((r) => (r.flag === true ? `flag ${r.service} variant ${r.version}` : `${r.service} ${r.version}`))
    .join(', ');
  const lines = [
    markerFor(input.environment),
    `### ${icon} rollgate: ${escapeMd(input.environment)} rollout of ${escapeMd(what)}${phases.length === 1 ? `: ${phases[0]}` : ''}`,
    '',
    `- **Last action:** ${input.rollouts.map((r) => `${r.flag === true ? 'flag ' : ''}${r.service}: ${r.action.kind} (\`${r.action.reasonCode}\`)`).join('; ')} by ${input.actor.startsWith('rollgate') ? input.actor : `@${input.actor}`}${input.via ? ` from ${input.via}` : ''} at ${input.at}`,
  ];
  const sections = input.rollouts.map(renderRollout);
  const next = first ? nextLine(input.rollouts) : '';
  const body = [`${lines.join('\n')}\n`, ...sections, next ? `\n${next}\n` : ''].join('\n');
  return body.length <= COMMENT_LIMIT - 1_024
    ? body
    : `${body.slice(0, COMMENT_LIMIT - 1_100)}\n\n… report cut to fit GitHub's comment limit\n`;
}

function renderRollout(r: RolloutView): string {
  const steps = r.weights.map((w) => `${w}%`).join(' → ');
  const facts =
    r.flag === true
      ? [
          `#### flag ${escapeMd(r.service)}: ${r.phase}`,
          '',
          `- **Flag:** \`${escapeMd(r.service)}\`, variant \`${escapeMd(r.version)}\`${r.stable ? ` (everyone else stays on the defaultVariant \`${escapeMd(r.stable)}\`)` : ''}`,
          `- **Step:** ${r.step}/${r.steps}, variant \`${escapeMd(r.version)}\` serves **${r.weight}%** of users (steps: ${steps}, then 100% as the defaultVariant${r.verify ? `, then verify ${r.verify}` : ''})`,
          `- **Action:** ${escapeMd(r.action.message)}`,
        ]
      : [
          `#### ${escapeMd(r.service)}: ${r.phase}`,
          '',
          `- **Version:** \`${escapeMd(r.version)}\`${r.stable ? ` (stable: \`${escapeMd(r.stable)}\`)` : ''}`,
          r.blueGreen !== undefined
            ? `- **Traffic:** the new colour has **${r.weight}%** (${blueGreenStages(r.blueGreen, r.rollbackOf)})`
            : `- **Step:** ${r.step}/${r.steps}, canary weight **${r.weight}%** (steps: ${steps}${r.verify ? `, then verify ${r.verify}` : ''})`,
          `- **Action:** ${escapeMd(r.action.message)}`,
        ];
  if (r.commit)
    facts.push(
      `- **Commit:** ${r.commit.url ? `[${r.commit.sha.slice(0, 7)}](${r.commit.url})` : r.commit.sha}`,
    );
  if (r.hold)
    facts.push(
      `- **Hold:** \`${escapeMd(r.version)}\` is held (${escapeMd(r.hold)}); a promote with --reason lifts it`,
    );
  if (r.action.reasonCode === 'frozen') {
    const gates = r.gates.filter((v) => v.outcome === 'fail').map((v) => `\`${escapeMd(v.gate)}\``);
    facts.push(
      `- **Frozen:** by ${gates.join(', ') || 'a freeze gate'}${r.nextEligibleAt ? ` until ${r.nextEligibleAt}` : ''}; the hold and the analysis go on, and nothing blocks a rollback or an abort`,
    );
  }
  if (r.nextEligibleAt) facts.push(`- **Next eligible:** ${r.nextEligibleAt}`);
  const table = verdictTable(r);
  const picture = `\`\`\`mermaid\n${rolloutMermaid(r)}\n\`\`\``;
  return [facts.join('\n'), '', table, picture, ''].filter((s) => s !== undefined).join('\n');
}

function verdictTable(r: RolloutView): string {
  const rows = [...r.analysis.map((v) => row('analysis', v)), ...r.gates.map((v) => row('gate', v))];
  if (rows.length === 0) return '_No analysis or gates judged at this action._\n';
  const window = r.window ? `Analysis window ${r.window.from} → ${r.window.to}.\n\n` : '';
  return `${window}${['| outcome | gate | as | counts | reason |', '| --- | --- | --- | --- | --- |', ...rows].join('\n')}\n`;
}

function row(as: string, v: Verdict): string {
  return `| ${OUTCOME_ICON[v.outcome]} ${v.outcome} | ${cell(v.gate)} | ${as} | ${countsOf(v) || '—'} | ${cell(v.reason)} |`;
}

/** A metric verdict's measurements (details.counts), as Argo's AnalysisRun counts them. */
function countsOf(v: Verdict): string {
  const counts: unknown = v.details['counts'];
  if (typeof counts !== 'object' || counts === null) return '';
  return COUNT_KEYS.flatMap((k) => {
    const n: unknown = Reflect.get(counts, k);
    return typeof n === 'number' ? [`${k} ${n}`] : [];
  }).join(', ');
}

function nextLine(rollouts: readonly RolloutView[]): string {
  const phases = new Set(rollouts.map((r) => r.phase));
  if (rollouts.every((r) => r.flag === true)) return flagNextLine(rollouts, phases);
  if (phases.has('paused'))
    return 'Paused: comment `/resume <env>` to go on (a fresh window and hold start), or `/abort <env>` to roll back.';
  if (phases.has('rolled-back') || phases.has('aborted'))
    return 'Rolled back to the stable version; the version is held. Fix it and promote a new version, or promote it again with `--reason` to lift the hold.';
  if (phases.has('progressing'))
    return 'The schedule steps the canary when its hold is over and the analysis passes. `/advance <env>` skips the rest of the hold, `/pause <env>` stops it, `/abort <env>` rolls back.';
  if (phases.has('shadowing'))
    return 'Shadowing: the canary answers mirrored requests only; the schedule gives it the first step when the shadow stage is over and its analysis passes.';
  if (phases.has('previewing'))
    return 'Previewing: the new colour runs at 0%; the schedule switches traffic to it when the preview is over and its analysis passes (with `autoPromote: false`, comment `/advance <env>`).';
  if (phases.has('switched'))
    return 'Switched: the new colour takes all traffic; `/abort <env>` switches back in one commit until the old colour is scaled down.';
  if (phases.has('promoted')) return 'Promoted; the schedule verifies it when the verify window is over.';
  return '';
}

/** What to do next about flag rollouts: the same verbs, naming the flag (`--flag NAME`). */
function flagNextLine(rollouts: readonly RolloutView[], phases: ReadonlySet<string>): string {
  const names = rollouts.map((r) => r.service);
  const flag = names.length === 1 ? ` --flag ${names[0] ?? ''}` : ' --flag NAME';
  const verb = (v: string) => `\`/${v} <env>${flag}\``;
  if (phases.has('paused'))
    return `Paused: comment ${verb('resume')} to go on (a fresh window and hold start), or ${verb('abort')} to take the share back to 0.`;
  if (phases.has('rolled-back') || phases.has('aborted'))
    return 'Rolled back: the variant serves 0% of users (the flag stays ENABLED) and is held. Promote it again with `--reason` to lift the hold.';
  if (phases.has('progressing'))
    return `The schedule raises the variant's share when its hold is over and the analysis passes. ${verb('advance')} skips the rest of the hold, ${verb('pause')} stops it, ${verb('abort')} takes the share back to 0.`;
  if (phases.has('promoted'))
    return 'Promoted: the variant serves 100% and is the defaultVariant; the schedule verifies it when the verify window is over.';
  return '';
}

/** Blue-green's stages in words, for the facts line. */
function blueGreenStages(bg: NonNullable<RolloutView['blueGreen']>, rollbackOf: string | undefined): string {
  if (rollbackOf !== undefined) return `rollback of ${rollbackOf}: scale up → switch back once ready`;
  return [
    `preview${bg.preview ? ` ${bg.preview}` : ''}`,
    'switch',
    ...(bg.verify ? [`verify ${bg.verify}`] : []),
    ...(bg.scaleDown ? [`scale down after ${bg.scaleDownDelay}`] : []),
  ].join(' → ');
}

const CLASS_DEFS = [
  '  classDef done fill:#dafbe1,stroke:#1a7f37',
  '  classDef current fill:#ddf4ff,stroke:#0969da,stroke-width:3px',
  '  classDef paused fill:#fff8c5,stroke:#9a6700,stroke-width:3px',
  '  classDef failed fill:#ffebe9,stroke:#cf222e,stroke-width:3px',
];

/**
 * Blue-green as a flowchart: live → preview → switch → verify → scale down (or, for a rollback
 * after the scale-down: live → scale up → switch back); done, current, paused and failed marked.
 */
function blueGreenMermaid(r: RolloutView, bg: NonNullable<RolloutView['blueGreen']>): string {
  const lines = ['flowchart LR'];
  const rollback = r.rollbackOf !== undefined;
  const nodes: [string, string][] = rollback
    ? [
        ['s0', `live<br/>${escape(r.rollbackOf ?? '—')}`],
        ['pv', `scale up<br/>${escape(r.version)}`],
        ['sw', `switch back<br/>${escape(r.version)}`],
      ]
    : [
        ['s0', `live<br/>${escape(r.stable ?? '—')}`],
        ['pv', `preview<br/>${escape(r.version)} at 0%${bg.preview ? ` · ${escape(bg.preview)}` : ''}`],
        ['sw', 'switch<br/>100%'],
        ...(bg.verify ? [['v', `verify<br/>${escape(bg.verify)}`] as [string, string]] : []),
        ...(bg.scaleDown
          ? [['sd', `scale down<br/>after ${escape(bg.scaleDownDelay)}`] as [string, string]]
          : []),
      ];
  for (const [id, label] of nodes) lines.push(`  ${id}["${label}"]`);
  const chain = nodes.map(([id]) => id);
  lines.push(`  ${chain.join(' --> ')}`);
  const failed = r.phase === 'rolled-back' || r.phase === 'aborted';
  const at = r.phase === 'paused' || failed ? (r.from ?? 'previewing') : r.phase;
  // The node the rollout is at: the preview (or the scale-up) until the switch, then what follows it.
  const afterSwitch = chain.indexOf('sw') + 1;
  let current: string | undefined;
  let done: string[];
  if (at === 'scaled-down' || at === 'verified' || (rollback && at === 'switched')) {
    done = chain;
  } else if (at === 'switched' || at === 'promoted') {
    current = chain[afterSwitch];
    done = chain.slice(0, afterSwitch);
  } else {
    current = 'pv';
    done = ['s0'];
  }
  const back = current === 'pv' ? (r.stable ?? 'stable') : `switched back to ${r.stable ?? 'stable'}`;
  return marked(lines, r, { done, current, failedFrom: current ?? 'sw', back });
}

/**
 * The end of a rollout picture: the dashed arrow to `rolled back` after a rollback, the class
 * definitions, and the done, current (paused, failed) and rolled-back nodes marked.
 */
function marked(
  lines: string[],
  r: RolloutView,
  at: { done: readonly string[]; current: string | undefined; failedFrom: string; back: string },
): string {
  const failed = r.phase === 'rolled-back' || r.phase === 'aborted';
  if (failed) {
    lines.push(`  rb["rolled back<br/>${escape(at.back)}"]`);
    lines.push(`  ${at.failedFrom} -.-> rb`);
  }
  lines.push(...CLASS_DEFS);
  const doneIds = at.done.filter((id) => id !== at.current);
  if (doneIds.length > 0) lines.push(`  class ${doneIds.join(',')} done`);
  if (at.current !== undefined) {
    const cls = failed ? 'failed' : r.phase === 'paused' ? 'paused' : 'current';
    lines.push(`  class ${at.current} ${cls}`);
  }
  if (failed) lines.push('  class rb failed');
  return lines.join('\n');
}

/** The steps as a flowchart: stable, each weight, promote, verify; done, current and failed marked. */
export function rolloutMermaid(r: RolloutView): string {
  if (r.blueGreen !== undefined) return blueGreenMermaid(r, r.blueGreen);
  const lines = ['flowchart LR'];
  lines.push(`  s0["${r.flag === true ? 'default' : 'stable'}<br/>${escape(r.stable ?? '—')}"]`);
  r.weights.forEach((w, i) => lines.push(`  s${i + 1}["${w}%"]`));
  lines.push(`  p["promote<br/>${escape(r.version)}${r.flag === true ? ' 100%' : ''}"]`);
  if (r.verify) lines.push(`  v["verify<br/>${escape(r.verify)}"]`);
  const chain = ['s0', ...r.weights.map((_, i) => `s${i + 1}`), 'p', ...(r.verify ? ['v'] : [])];
  lines.push(`  ${chain.join(' --> ')}`);

  const done: string[] = [];
  let current: string | undefined;
  const stepNode = `s${Math.min(Math.max(r.step, 1), r.weights.length)}`;
  if (r.phase === 'verified') done.push(...chain);
  else if (r.phase === 'promoted' || (r.phase === 'paused' && r.step > r.weights.length)) {
    done.push(...chain.slice(0, r.weights.length + 2));
    current = r.verify ? 'v' : undefined;
  } else {
    done.push(...chain.slice(0, Math.max(1, r.step)));
    current = stepNode;
  }
  return marked(lines, r, { done, current, failedFrom: current ?? 'p', back: r.stable ?? 'stable' });
}
