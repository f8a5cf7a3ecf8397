import { posix } from 'node:path';
import type { CanaryConfig, CanaryStep } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { findKustomization, imageNameOf, KUSTOMIZATION_NAMES, overlayDir } from '../core/overlay-paths.js';
import { parseVersion } from '../core/request.js';
import type { NextMove } from '../core/rollout.js';
import { isPromotedPhase, phaseOf, type RolloutState } from '../core/state.js';
import { type FileEdit, formatVersion, type Version } from '../core/types.js';
import { isFailure, parseText } from '../overlays/cst-edit.js';
import { readImages, setImages } from '../overlays/kustomization.js';
import { setReplicas } from '../overlays/replicas.js';
import { mirrorOf, setMirror } from '../overlays/traffic/mirror.js';
import { findSplits, providersFor, selectSplit, setWeight } from '../overlays/traffic/set-weight.js';
import { pickCanary } from '../overlays/traffic/split.js';
import type { Observation, Strategy, StrategyTarget, WriteOutcome } from './strategy.js';

// The canary strategy: a second workload (an images[] entry such as `{{service}}-canary` in the
// same overlay, or a separate overlay) gets the new version; a traffic file gives it rising
// weights, one commit per step; the promotion sets the stable image and takes the weight back to 0.

const DEFAULT_REPLICAS_NAME = '{{service}}-canary';

function canaryOf(target: StrategyTarget): CanaryConfig {
  const canary = target.config.environments[target.environment]?.canary;
  if (canary === undefined) throw new Error(`environment ${target.environment} has no canary`);
  return canary;
}

const fill = (text: string, service: string) => text.replaceAll('{{service}}', service);

function weightOf(step: CanaryStep): number {
  return typeof step === 'number' ? step : step.weight;
}

function ms(text: string | undefined, fallback = 0): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

/** Where each part of the canary lives in the repository, `{{service}}` filled in. */
export function canaryLayout(target: StrategyTarget) {
  const canary = canaryOf(target);
  const { service } = target;
  const dir = overlayDir(target.config, target.environment, service);
  const canaryDir = canary.path !== undefined ? posix.normalize(fill(canary.path, service)) : undefined;
  const replicas =
    canary.replicas === undefined
      ? undefined
      : typeof canary.replicas === 'number'
        ? { name: fill(DEFAULT_REPLICAS_NAME, service), count: canary.replicas }
        : { name: fill(canary.replicas.name, service), count: canary.replicas.count };
  return {
    dir,
    canaryDir,
    trafficFile: posix.normalize(`${dir}/${fill(canary.traffic.file, service)}`),
    stableImage: imageNameOf(target.config, service),
    /** The images[] entry of the canary workload, in `canaryDir` when there is one, else in `dir`. */
    canaryImage:
      canary.image !== undefined ? fill(canary.image, service) : imageNameOf(target.config, service),
    /** Where `canary.shadow` mirrors requests: the same route, copied to the canary backend. */
    mirrorOptions: {
      kind: canary.traffic.kind,
      ...(canary.traffic.route !== undefined ? { route: fill(canary.traffic.route, service) } : {}),
      ...(canary.traffic.canaryBackend !== undefined
        ? { backend: fill(canary.traffic.canaryBackend, service) }
        : {}),
    },
    weightOptions: {
      kind: canary.traffic.kind,
      ...(canary.traffic.route !== undefined ? { route: fill(canary.traffic.route, service) } : {}),
      ...(canary.traffic.canaryBackend !== undefined
        ? { canaryBackend: fill(canary.traffic.canaryBackend, service) }
        : {}),
      ...(canary.traffic.path !== undefined ? { path: canary.traffic.path } : {}),
    },
    replicas,
  };
}

type Files = Readonly<Record<string, string | undefined>>;

export function versionOfEntry(text: string, name: string): string | undefined {
  const entry = readImages(text).find((i) => i.name === name);
  if (entry === undefined) return undefined;
  const version = formatVersion({
    ...(entry.newTag !== undefined ? { tag: entry.newTag } : {}),
    ...(entry.digest !== undefined ? { digest: entry.digest } : {}),
  });
  return version || undefined;
}

/** The canary's current weight in the traffic file. */
export function readCanaryWeight(
  text: string,
  options: ReturnType<typeof canaryLayout>['weightOptions'],
): number | { message: string } {
  const providers = providersFor({ ...options, percent: 0 });
  if (isFailure(providers)) return { message: providers.message };
  const parsed = parseText(text);
  if (isFailure(parsed)) return { message: parsed.message };
  const split = selectSplit(findSplits(parsed, providers), options.route);
  if (isFailure(split)) return { message: split.message };
  const backend = pickCanary(split, options.canaryBackend);
  if (isFailure(backend)) return { message: backend.message };
  return backend.weight;
}

/**
 * The shadow stage's mirror as the overlay has it, against what the rollout set: while shadowing
 * (or paused from it) the route must copy `shadow.percent` to the canary. A hand edit (another
 * share, another backend, the mirror or its percentage removed) is drift, as hand-edited weights are.
 */
function mirrorDrift(target: StrategyTarget, traffic: string, rollout: RolloutState | undefined): string[] {
  const shadow = canaryOf(target).shadow;
  if (shadow === undefined || rollout === undefined || phaseOf(rollout) !== 'shadowing') return [];
  const layout = canaryLayout(target);
  const seen = mirrorOf(traffic, layout.mirrorOptions);
  if (isFailure(seen)) return [`the shadow mirror in ${layout.trafficFile} cannot be read: ${seen.message}`];
  const drift: string[] = [];
  if (Math.abs(seen.percent - shadow.percent) > 1e-9) {
    drift.push(
      `the shadow mirror to ${seen.backend ?? seen.expected} is ${seen.percent === 0 ? 'removed' : `${seen.percent}%`}, the state says ${shadow.percent}% (shadowing)`,
    );
  } else if (seen.backend !== seen.expected) {
    drift.push(
      `the shadow mirror copies to ${seen.backend ?? '(no backend)'}, the state says ${seen.expected} (shadowing)`,
    );
  }
  return drift;
}

function observe(target: StrategyTarget, files: Files, rollout?: RolloutState): Observation {
  const layout = canaryLayout(target);
  const k = findKustomization(files, layout.dir);
  if (k.kind !== 'found') {
    return {
      ok: false,
      reasonCode: 'canary.no-kustomization',
      message: `no single kustomization in ${layout.dir}`,
    };
  }
  let canaryText = k.text;
  if (layout.canaryDir !== undefined) {
    const c = findKustomization(files, layout.canaryDir);
    if (c.kind !== 'found') {
      return {
        ok: false,
        reasonCode: 'canary.no-kustomization',
        message: `no single kustomization in the canary overlay ${layout.canaryDir}`,
      };
    }
    canaryText = c.text;
  }
  const traffic = files[layout.trafficFile];
  if (traffic === undefined) {
    return {
      ok: false,
      reasonCode: 'canary.no-traffic-file',
      message: `no traffic file ${layout.trafficFile}; check environments.${target.environment}.canary.traffic.file`,
    };
  }
  const weight = readCanaryWeight(traffic, layout.weightOptions);
  if (typeof weight !== 'number') {
    return { ok: false, reasonCode: 'canary.traffic', message: `${layout.trafficFile}: ${weight.message}` };
  }
  const drift = mirrorDrift(target, traffic, rollout);
  return {
    ok: true,
    stable: versionOfEntry(k.text, layout.stableImage),
    candidate: versionOfEntry(canaryText, layout.canaryImage),
    weight,
    ...(drift.length > 0 ? { drift } : {}),
  };
}

export function imageSpec(name: string, version: Version) {
  return {
    name,
    ...(version.tag !== undefined ? { newTag: version.tag } : {}),
    ...(version.digest !== undefined ? { digest: version.digest } : {}),
  };
}

/** Accumulates text edits per file, so two edits of one file become one FileEdit. */
export class EditSet {
  private readonly byPath = new Map<string, { before: string; after: string; descriptions: string[] }>();
  constructor(private readonly files: Files) {}
  text(path: string): string | undefined {
    return this.byPath.get(path)?.after ?? this.files[path];
  }
  set(path: string, after: string, descriptions: readonly string[]): void {
    const before = this.byPath.get(path)?.before ?? this.files[path] ?? '';
    const prior = this.byPath.get(path)?.descriptions ?? [];
    this.byPath.set(path, { before, after, descriptions: [...prior, ...descriptions] });
  }
  edits(): FileEdit[] {
    return [...this.byPath.entries()]
      .filter(([, e]) => e.after !== e.before)
      .map(([path, e]) => ({ path, before: e.before, after: e.after, descriptions: e.descriptions }));
  }
}

function write(
  target: StrategyTarget,
  files: Files,
  action: Parameters<Strategy['write']>[2],
  before: Parameters<Strategy['write']>[3],
): WriteOutcome {
  const layout = canaryLayout(target);
  const set = new EditSet(files);
  const failure = (reasonCode: string, message: string): WriteOutcome => ({ ok: false, reasonCode, message });
  const kPath = findKustomization(files, layout.dir);
  if (kPath.kind !== 'found')
    return failure('plan.no-kustomization', `no single kustomization in ${layout.dir}`);
  let cPath = kPath.path;
  if (layout.canaryDir !== undefined) {
    const c = findKustomization(files, layout.canaryDir);
    if (c.kind !== 'found')
      return failure(
        'plan.no-kustomization',
        `no single kustomization in the canary overlay ${layout.canaryDir}`,
      );
    cPath = c.path;
  }

  const image = (path: string, name: string, version: string, role: string): WriteOutcome | undefined => {
    const text = set.text(path) ?? '';
    if (!readImages(text).some((i) => i.name === name)) {
      return failure(
        'plan.not-found',
        `${path} has no images entry ${name} for the ${role} workload; add one (name: ${name}, newName: <the image>) so kustomize sets its tag`,
      );
    }
    const edited = setImages(text, [imageSpec(name, parseVersion(version))]);
    if (!edited.ok) return failure(`plan.${edited.code}`, `${path}: ${edited.message}`);
    set.set(path, edited.text, edited.descriptions);
    return undefined;
  };
  const weight = (percent: number): WriteOutcome | undefined => {
    const text = set.text(layout.trafficFile);
    if (text === undefined) return failure('plan.no-traffic-file', `no traffic file ${layout.trafficFile}`);
    const edited = setWeight(text, { ...layout.weightOptions, percent });
    if (!edited.ok) return failure(`plan.${edited.code}`, `${layout.trafficFile}: ${edited.message}`);
    set.set(layout.trafficFile, edited.text, edited.descriptions);
    return undefined;
  };
  const mirror = (percent: number): WriteOutcome | undefined => {
    if (canaryOf(target).shadow === undefined) return undefined;
    const text = set.text(layout.trafficFile);
    if (text === undefined) return failure('plan.no-traffic-file', `no traffic file ${layout.trafficFile}`);
    const edited = setMirror(text, { ...layout.mirrorOptions, percent });
    if (!edited.ok) return failure(`plan.${edited.code}`, `${layout.trafficFile}: ${edited.message}`);
    set.set(layout.trafficFile, edited.text, edited.descriptions);
    return undefined;
  };
  const replicas = (count: number): WriteOutcome | undefined => {
    if (layout.replicas === undefined) return undefined;
    const text = set.text(cPath) ?? '';
    const edited = setReplicas(text, [{ name: layout.replicas.name, count }]);
    if (!edited.ok) return failure(`plan.${edited.code}`, `${cPath}: ${edited.message}`);
    set.set(cPath, edited.text, edited.descriptions);
    return undefined;
  };

  const steps: (() => WriteOutcome | undefined)[] = [];
  switch (action.kind) {
    case 'start': {
      // A new version while the previous one was being verified: the stable workload goes back to
      // the stable version, and the new one starts from the first step beside it.
      const stable = before.stable;
      const verifying = isPromotedPhase(before.rollout?.phase) || isPromotedPhase(before.rollout?.pausedFrom);
      if (verifying && stable !== undefined)
        steps.push(() => image(kPath.path, layout.stableImage, stable, 'stable'));
      steps.push(
        () => image(cPath, layout.canaryImage, before.version, 'canary'),
        () => replicas(layout.replicas?.count ?? 0),
        () => weight(action.weight),
        // The shadow stage: a share of the requests copied to the canary, none answered by it.
        () => mirror(action.step === 0 ? (canaryOf(target).shadow?.percent ?? 0) : 0),
      );
      break;
    }
    case 'step':
      // The first step ends the shadow stage: the mirror goes in the same commit as the weight.
      steps.push(
        () => weight(action.weight),
        () => mirror(0),
      );
      break;
    case 'promote':
      steps.push(
        () => mirror(0),
        () => image(kPath.path, layout.stableImage, before.version, 'stable'),
        () => weight(0),
        () => replicas(0),
      );
      break;
    case 'rollback':
    case 'abort': {
      const stable = before.stable;
      const promoted = isPromotedPhase(before.rollout?.phase) || isPromotedPhase(before.rollout?.pausedFrom);
      steps.push(
        () => weight(0),
        () => mirror(0),
      );
      if (stable !== undefined) {
        steps.push(() => image(cPath, layout.canaryImage, stable, 'canary'));
        if (promoted) steps.push(() => image(kPath.path, layout.stableImage, stable, 'stable'));
      }
      steps.push(() => replicas(0));
      break;
    }
    case 'verify':
    case 'pause':
    case 'resume':
    case 'wait':
      break;
  }
  for (const step of steps) {
    const problem = step();
    if (problem !== undefined) return problem;
  }
  return { ok: true, edits: set.edits() };
}

export const canaryStrategy: Strategy = {
  kind: 'canary',
  appliesTo: (config, environment) => config.environments[environment]?.canary !== undefined,
  paths(target) {
    const layout = canaryLayout(target);
    const dirs = [layout.dir, ...(layout.canaryDir !== undefined ? [layout.canaryDir] : [])];
    return [...dirs.flatMap((d) => KUSTOMIZATION_NAMES.map((n) => `${d}/${n}`)), layout.trafficFile];
  },
  observe,
  start(target) {
    const canary = canaryOf(target);
    const first = canary.steps[0];
    if (canary.warmup !== undefined || canary.shadow !== undefined)
      return { steps: canary.steps.length, step: 0, weight: 0 };
    return { steps: canary.steps.length, step: 1, weight: first === undefined ? 0 : weightOf(first) };
  },
  next(target, rollout: RolloutState): NextMove {
    const canary = canaryOf(target);
    if (phaseOf(rollout) === 'promoted') return { kind: 'verify' };
    const following = canary.steps[rollout.step];
    if (rollout.step < canary.steps.length && following !== undefined) {
      return { kind: 'step', step: rollout.step + 1, weight: weightOf(following) };
    }
    return { kind: 'promote' };
  },
  holdMs(target, rollout) {
    const canary = canaryOf(target);
    if (phaseOf(rollout) === 'promoted') return ms(canary.verify?.duration);
    if (rollout.step === 0) return ms(canary.shadow?.duration ?? canary.warmup);
    const step = canary.steps[rollout.step - 1];
    const own = step !== undefined && typeof step !== 'number' ? step.interval : undefined;
    return ms(own ?? canary.interval);
  },
  analysisGates(target, rollout) {
    const canary = canaryOf(target);
    if (phaseOf(rollout) === 'promoted') return canary.verify?.analysis ?? [];
    // The shadow stage is judged by its own gates over mirrored requests; the warm-up sends the
    // canary no traffic: nothing to analyse yet.
    if (rollout.step === 0) return canary.shadow?.analysis ?? [];
    return canary.analysis;
  },
  analysisDelayMs: (target) => ms(canaryOf(target).analysisDelay, 60_000),
  onFailure: (target) => canaryOf(target).onFailure,
  hasVerify: (target) => canaryOf(target).verify !== undefined,
  phaseAfter(target, action) {
    const shadow = canaryOf(target).shadow;
    return action.kind === 'start' && action.step === 0 && shadow !== undefined ? 'shadowing' : undefined;
  },
  describe(target, action, rollout) {
    const canary = canaryOf(target);
    const shadow = canary.shadow;
    if (shadow === undefined) return undefined;
    if (action.kind === 'start') {
      return `${action.message}: ${shadow.percent}% of the requests mirrored to the canary for ${shadow.duration} (answers dropped), weight 0`;
    }
    if (action.kind === 'step' && rollout?.step === 0) {
      return `the shadow stage is over: mirror removed, step ${action.step}/${canary.steps.length} gives the canary ${action.weight}%`;
    }
    return undefined;
  },
  write,
};
