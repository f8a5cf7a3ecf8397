import type { RolloutAction } from './rollout.js';
import type { ServiceState } from './state.js';
import { formatTrailers, oneLine, PER_SERVICE, type PerServiceField } from './trailers.js';
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

/** The values of one action's rollout trailers (absent ones undefined), as its commit carries them. */
function partTrailers(m: RolloutMessageInput) {
  const r = m.after.rollout;
  const version = r?.version ?? m.after.version;
  return {
    version,
    decision: m.decision ?? `${m.action.kind} (${m.action.reasonCode})`,
    phase: r?.phase,
    step: r !== undefined ? `${r.step}/${r.steps}` : undefined,
    weight: r !== undefined ? String(r.weight) : undefined,
    stable: m.after.stable,
    analysis: m.analysis,
    // A rollback or abort holds the version it takes back (giving up a blue-green rollback holds nothing new).
    hold:
      (m.action.kind === 'rollback' || m.action.kind === 'abort') &&
      m.after.holds?.some((h) => h.version === version) === true
        ? version
        : undefined,
  };
}

export function rolloutMessage(m: RolloutMessageInput): string {
  const r = m.after.rollout;
  const t = partTrailers(m);
  const version = t.version;
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
    ['Rollgate-Decision', t.decision],
    ...(m.overrides ?? []).map((o): [string, string] => ['Rollgate-Override', o]),
    ['Rollgate-Phase', t.phase],
    ['Rollgate-Step', t.step],
    ['Rollgate-Weight', t.weight],
    ['Rollgate-Stable', t.stable],
    ['Rollgate-Analysis', t.analysis],
    ['Rollgate-Hold', t.hold],
    ['Rollgate-Reason', m.reason],
    ['Rollgate-Reason-For', m.reasonFor],
    ['Rollgate-Clock', m.simulated ? 'simulated' : undefined],
    ['Rollgate-Run', m.run],
  ];
  const lines = trailers.flatMap(([k, v]) => (v === undefined || v === '' ? [] : [`${k}: ${oneLine(v)}`]));
  return `${headline}\n\n${[...body, '', oneLine(m.action.message)].join('\n').trim()}\n\n${lines.join('\n')}\n`;
}

/**
 * The commit message of one operator's command acting on the rollouts of several services, written
 * as one commit: one headline, every edit, each service's action, and one trailer block. A trailer
 * the services share (the phase of a pause, the reason, the run) is written once; one they do not
 * (each version, each step and weight after an `advance`) is written once per service, aligned with
 * the Rollgate-Service lines (trailers.ts `perService`). One part is `rolloutMessage`'s own message.
 * Parts share the environment, who asks, the reason, the clock and the run (the first part's).
 */
export function rolloutGroupMessage(verb: string, parts: readonly RolloutMessageInput[]): string {
  const [first, ...others] = parts;
  if (first === undefined) throw new Error('nothing to commit');
  if (others.length === 0) return rolloutMessage(first);
  if (parts.some((p) => p.flag !== undefined))
    throw new Error('a flag rollout is written in a commit of its own (Rollgate-Flag names one flag)');
  const values = parts.map(partTrailers);
  const services = parts.map((p) => p.service);
  const perService: { [K in PerServiceField]?: readonly (string | undefined)[] } = {};
  const shared: { [K in PerServiceField]?: string } = {};
  for (const field of PER_SERVICE) {
    const each = values.map((v) => (v[field] === '' ? undefined : v[field]));
    if (new Set(each).size > 1) perService[field] = each;
    else if (each[0] !== undefined) shared[field] = each[0];
  }
  const versions = values.map((v) => v.version);
  const body = [
    ...parts.flatMap((p) =>
      p.edits.flatMap((e) => e.descriptions.map((d) => `- ${oneLine(e.path)}: ${oneLine(d)}`)),
    ),
    '',
    ...parts.map((p) => `- ${oneLine(p.service)}: ${oneLine(p.action.message)}`),
  ];
  const trailers = formatTrailers({
    ...shared,
    environment: first.environment,
    services,
    version: versions[0] ?? '',
    ...(new Set(versions).size > 1 ? { serviceVersions: versions } : {}),
    requestedBy: first.requestedBy,
    source: first.source,
    decision: shared.decision ?? '',
    ...(Object.keys(perService).length > 0 ? { perService } : {}),
    ...(first.reason !== undefined && first.reason !== '' ? { reason: first.reason } : {}),
    ...(first.simulated ? { clock: 'simulated' } : {}),
    ...(first.run !== undefined ? { run: first.run } : {}),
  });
  const headline = oneLine(`${verb} rollouts of ${services.join(', ')} in ${first.environment}`);
  return `${headline}\n\n${body.join('\n').trim()}\n\n${trailers}\n`;
}
