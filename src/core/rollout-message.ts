import type { RolloutAction } from './rollout.js';
import type { ServiceState } from './state.js';
import type { FileEdit } from './types.js';

// The commit message of one rollout action: a headline a person reads in `git log --oneline`,
// the edits, the engine's reason, and the trailers of DESIGN.md (the audit trail).

export interface RolloutMessageInput {
  readonly environment: string;
  readonly service: string;
  /** A feature-flag rollout's name: the commit carries Rollgate-Flag instead of Rollgate-Service. */
  readonly flag?: string;
  readonly action: Exclude<RolloutAction, { kind: 'wait' }>;
  readonly before: ServiceState | undefined;
  readonly after: ServiceState;
  readonly edits: readonly FileEdit[];
  readonly analysis?: string;
  readonly requestedBy: string;
  readonly source: string;
  readonly reason?: string;
  /** Why --reason was needed (hold-lifted), recorded apart from the text. */
  readonly reasonFor?: string;
  readonly overrides?: readonly string[];
  readonly decision?: string;
  readonly simulated: boolean;
  /** The subject in the strategy's words (Strategy.headline), instead of the engine's. */
  readonly headline?: string;
  /** The run that writes it (the Action's run id): `Rollgate-Run`, so a lost answer is recognised. */
  readonly run?: string;
}

const HEADLINES: Readonly<Record<Exclude<RolloutAction['kind'], 'wait'>, string>> = {
  start: 'start rollout of',
  step: 'step',
  promote: 'promote',
  verify: 'verify',
  pause: 'pause rollout of',
  resume: 'resume rollout of',
  rollback: 'roll back',
  abort: 'abort rollout of',
};

function oneLine(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

export function rolloutMessage(m: RolloutMessageInput): string {
  const r = m.after.rollout;
  const version = r?.version ?? m.after.version;
  const where =
    r === undefined
      ? ''
      : m.action.kind === 'rollback' || m.action.kind === 'abort'
        ? `: back to ${m.after.stable ?? m.after.version}, ${version} held`
        : m.action.kind === 'start' || m.action.kind === 'step'
          ? `: step ${r.step}/${r.steps}, weight ${r.weight}%`
          : '';
  const subject = m.flag !== undefined ? `flag ${m.flag} variant` : m.service;
  const headline =
    m.headline !== undefined
      ? oneLine(m.headline)
      : `${HEADLINES[m.action.kind]} ${subject} ${version} in ${m.environment}${where}`;
  const body = m.edits.flatMap((e) => e.descriptions.map((d) => `- ${e.path}: ${d}`));
  const trailers: [string, string | undefined][] = [
    ['Rollgate-Environment', m.environment],
    m.flag !== undefined ? ['Rollgate-Flag', m.flag] : ['Rollgate-Service', m.service],
    ['Rollgate-Version', version],
    ['Rollgate-Requested-By', m.requestedBy],
    ['Rollgate-Source', m.source],
    ['Rollgate-Decision', m.decision ?? `${m.action.kind} (${m.action.reasonCode})`],
    ...(m.overrides ?? []).map((o): [string, string] => ['Rollgate-Override', o]),
    ['Rollgate-Phase', r?.phase],
    ['Rollgate-Step', r !== undefined ? `${r.step}/${r.steps}` : undefined],
    ['Rollgate-Weight', r !== undefined ? String(r.weight) : undefined],
    ['Rollgate-Stable', m.after.stable],
    ['Rollgate-Analysis', m.analysis],
    // A rollback or abort holds the version it takes back (giving up a blue-green rollback holds nothing new).
    [
      'Rollgate-Hold',
      (m.action.kind === 'rollback' || m.action.kind === 'abort') &&
      m.after.holds?.some((h) => h.version === version) === true
        ? version
        : undefined,
    ],
    ['Rollgate-Reason', m.reason],
    ['Rollgate-Reason-For', m.reasonFor],
    ['Rollgate-Clock', m.simulated ? 'simulated' : undefined],
    ['Rollgate-Run', m.run],
  ];
  const lines = trailers.flatMap(([k, v]) => (v === undefined || v === '' ? [] : [`${k}: ${oneLine(v)}`]));
  return `${headline}\n\n${[...body, '', oneLine(m.action.message)].join('\n').trim()}\n\n${lines.join('\n')}\n`;
}
