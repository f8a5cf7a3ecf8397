import { posix } from 'node:path';
import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import type { BlueGreenConfig } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { findKustomization, imageNameOf, KUSTOMIZATION_NAMES, overlayDir } from '../core/overlay-paths.js';
import { parseVersion } from '../core/request.js';
import type { NextMove, RolloutAction } from '../core/rollout.js';
import { isPromotedPhase, phaseOf, type RolloutState } from '../core/state.js';
import {
  applySplices,
  type EditOutcome,
  fail,
  isFailure,
  parseText,
  scalarSplice,
  verifyEdit,
} from '../overlays/cst-edit.js';
import { readImages, setImages } from '../overlays/kustomization.js';
import { readReplicas, setReplicas } from '../overlays/replicas.js';
import { apiGroupKind, metadataName } from '../overlays/traffic/common.js';
import { setWeight } from '../overlays/traffic/set-weight.js';
import { EditSet, imageSpec, readCanaryWeight, versionOfEntry } from './canary.js';
import type { Observation, Serving, Strategy, StrategyTarget, WriteOutcome } from './strategy.js';

// Blue-green (docs/blue-green.md): two workloads, blue and green; a traffic file (two weighted
// backends at 100/0, or a Service selector) points at one. A promotion deploys the version to the
// idle colour (scaled up) and previews it at 0%; one commit switches all traffic to it; `verify`
// watches it; after `scaleDownDelay` (and the verify) one commit scales the old colour to 0. A
// failure before that is one switch-back commit. Which colour is live is read from the traffic file
// at every tick, so the state file needs no colour of its own: the new colour is the idle one while
// previewing, the live one after the switch.

type Colour = 'blue' | 'green';
const other = (c: Colour): Colour => (c === 'blue' ? 'green' : 'blue');
const fill = (text: string, service: string) => text.replaceAll('{{service}}', service);
type Files = Readonly<Record<string, string | undefined>>;

function configOf(target: StrategyTarget): BlueGreenConfig {
  const bg = target.config.environments[target.environment]?.blueGreen;
  if (bg === undefined) throw new Error(`environment ${target.environment} has no blueGreen`);
  return bg;
}

function ms(text: string | undefined): number {
  return text === undefined ? 0 : (parseDuration(text) ?? 0);
}

/** Where each colour lives, `{{service}}` filled in. */
export function blueGreenLayout(target: StrategyTarget) {
  const bg = configOf(target);
  const { service } = target;
  const dir = overlayDir(target.config, target.environment, service);
  const colour = (c: Colour) => {
    const spec = bg[c];
    const image = spec.image !== undefined ? fill(spec.image, service) : imageNameOf(target.config, service);
    return {
      dir: spec.path !== undefined ? posix.normalize(fill(spec.path, service)) : dir,
      image,
      workload:
        spec.workload !== undefined
          ? fill(spec.workload, service)
          : spec.image !== undefined
            ? image
            : service,
      /** The backend name or selector value the traffic file knows the colour by. */
      traffic: fill(bg.traffic[c], service),
    };
  };
  return {
    dir,
    trafficFile: posix.normalize(`${dir}/${fill(bg.traffic.file, service)}`),
    blue: colour('blue'),
    green: colour('green'),
    route: bg.traffic.route !== undefined ? fill(bg.traffic.route, service) : undefined,
  };
}

type Layout = ReturnType<typeof blueGreenLayout>;

/** The Service a selector-kind traffic file holds, and its selector value node. */
function selectorNode(
  text: string,
  layout: Layout,
  selector: string,
  service: string,
):
  | {
      parsed: Exclude<ReturnType<typeof parseText>, { ok: false }>;
      docIndex: number;
      node: Node;
      value: string;
    }
  | { message: string } {
  const parsed = parseText(text);
  if (isFailure(parsed)) return { message: parsed.message };
  const name = layout.route ?? service;
  const found = parsed.docs.flatMap((doc, docIndex) => {
    const { kind } = apiGroupKind(doc);
    return kind === 'Service' && metadataName(doc) === name ? [{ doc, docIndex }] : [];
  });
  const only = found[0];
  if (only === undefined || found.length > 1) {
    return { message: `${found.length === 0 ? 'no' : 'several'} Service named ${name} in the traffic file` };
  }
  const selectorMap = only.doc.getIn(['spec', 'selector'], true);
  const node = isMap(selectorMap) ? (selectorMap as YAMLMap).get(selector, true) : undefined;
  if (!isScalar(node) || typeof node.value !== 'string') {
    return { message: `Service ${name} has no spec.selector.${selector} to point at a colour` };
  }
  return { parsed, docIndex: only.docIndex, node: node as Node, value: node.value };
}

/** The colour the traffic file sends everyone to, or why it cannot say. */
export function liveColour(target: StrategyTarget, files: Files): Colour | { message: string } {
  const bg = configOf(target);
  const layout = blueGreenLayout(target);
  const text = files[layout.trafficFile];
  if (text === undefined) {
    return {
      message: `no traffic file ${layout.trafficFile}; check environments.${target.environment}.blueGreen.traffic.file`,
    };
  }
  if (bg.traffic.kind === 'service') {
    const found = selectorNode(text, layout, bg.traffic.selector ?? '', target.service);
    if ('message' in found) return { message: `${layout.trafficFile}: ${found.message}` };
    if (found.value === layout.blue.traffic) return 'blue';
    if (found.value === layout.green.traffic) return 'green';
    return {
      message: `${layout.trafficFile}: the selector ${bg.traffic.selector ?? ''}=${found.value} names neither blue (${layout.blue.traffic}) nor green (${layout.green.traffic})`,
    };
  }
  const options = {
    kind: bg.traffic.kind,
    ...(layout.route !== undefined ? { route: layout.route } : {}),
    canaryBackend: layout.blue.traffic,
  };
  const blue = readCanaryWeight(text, options);
  if (typeof blue !== 'number') return { message: `${layout.trafficFile}: ${blue.message}` };
  if (blue === 100) return 'blue';
  if (blue === 0) return 'green';
  return {
    message: `${layout.trafficFile}: the traffic is split (blue ${blue}%); blue-green needs one colour at 100%: set it with rollgate edit weight`,
  };
}

/** The colour a rollout deploys to: the idle one until the switch, the live one after it. */
function newColour(live: Colour, rollout: RolloutState | undefined): Colour {
  return rollout !== undefined && isPromotedPhase(phaseOf(rollout)) ? live : other(live);
}

function colourText(files: Files, layout: Layout, c: Colour): { path: string; text: string } | undefined {
  const k = findKustomization(files, layout[c].dir);
  return k.kind === 'found' ? { path: k.path, text: k.text } : undefined;
}

function observe(target: StrategyTarget, files: Files, rollout?: RolloutState): Observation {
  const layout = blueGreenLayout(target);
  const live = liveColour(target, files);
  if (typeof live !== 'string') return { ok: false, reasonCode: 'blue-green.traffic', message: live.message };
  const fresh = newColour(live, rollout);
  const liveK = colourText(files, layout, live);
  const freshK = colourText(files, layout, fresh);
  if (liveK === undefined || freshK === undefined) {
    return {
      ok: false,
      reasonCode: 'blue-green.no-kustomization',
      message: `no single kustomization in ${layout[liveK === undefined ? live : fresh].dir}`,
    };
  }
  return {
    ok: true,
    stable: versionOfEntry(liveK.text, layout[live].image),
    candidate: versionOfEntry(freshK.text, layout[fresh].image),
    weight: fresh === live ? 100 : 0,
  };
}

/** Both colours as the overlay has them, the live one (the traffic file's) marked: what serves users. */
function serving(target: StrategyTarget, files: Files): Serving | { message: string } {
  const layout = blueGreenLayout(target);
  const live = liveColour(target, files);
  if (typeof live !== 'string') return live;
  const workloads = (['blue', 'green'] as const).map((c) => {
    const k = colourText(files, layout, c);
    const count =
      k === undefined ? undefined : readReplicas(k.text).find((r) => r.name === layout[c].workload)?.count;
    return {
      name: c,
      live: c === live,
      version: k === undefined ? undefined : versionOfEntry(k.text, layout[c].image),
      replicas: typeof count === 'number' ? count : undefined,
    };
  });
  return { version: workloads.find((w) => w.live)?.version, workloads };
}

/** Points the traffic at `to`: its backend 100, the other 0; or the Service selector's value. */
function switchTo(target: StrategyTarget, text: string, to: Colour): EditOutcome {
  const bg = configOf(target);
  const layout = blueGreenLayout(target);
  if (bg.traffic.kind !== 'service') {
    return setWeight(text, {
      percent: 100,
      kind: bg.traffic.kind,
      ...(layout.route !== undefined ? { route: layout.route } : {}),
      canaryBackend: layout[to].traffic,
    });
  }
  const selector = bg.traffic.selector ?? '';
  const found = selectorNode(text, layout, selector, target.service);
  if ('message' in found) return fail('not-found', found.message);
  const value = layout[to].traffic;
  if (found.value === value) return { ok: true, text, changed: false, descriptions: [] };
  const splice = scalarSplice(found.node, { value, kind: 'string' }, false);
  if (isFailure(splice)) return splice;
  const after = applySplices(text, [splice]);
  if (isFailure(after)) return after;
  const problem = verifyEdit(found.parsed, after, found.docIndex, [
    { op: 'set', path: ['spec', 'selector', selector], value },
  ]);
  if (problem !== undefined) return problem;
  return {
    ok: true,
    text: after,
    changed: true,
    descriptions: [
      `Service ${layout.route ?? target.service} selector ${selector}: ${found.value} -> ${value}`,
    ],
  };
}

function write(
  target: StrategyTarget,
  files: Files,
  action: RolloutAction,
  before: Parameters<Strategy['write']>[3],
): WriteOutcome {
  const bg = configOf(target);
  const layout = blueGreenLayout(target);
  const set = new EditSet(files);
  const failure = (reasonCode: string, message: string): WriteOutcome => ({ ok: false, reasonCode, message });
  const live = liveColour(target, files);
  if (typeof live !== 'string') return failure('plan.blue-green.traffic', live.message);
  const fresh = newColour(live, before.rollout);
  const scaleDown = bg.scaleDown;

  const image = (c: Colour, version: string): WriteOutcome | undefined => {
    const k = colourText(files, layout, c);
    if (k === undefined)
      return failure('plan.no-kustomization', `no single kustomization in ${layout[c].dir}`);
    const text = set.text(k.path) ?? k.text;
    const name = layout[c].image;
    if (!readImages(text).some((i) => i.name === name)) {
      return failure(
        'plan.not-found',
        `${k.path} has no images entry ${name} for the ${c} workload; add one (name: ${name}, newName: <the image>)`,
      );
    }
    const edited = setImages(text, [imageSpec(name, parseVersion(version))]);
    if (!edited.ok) return failure(`plan.${edited.code}`, `${k.path}: ${edited.message}`);
    set.set(
      k.path,
      edited.text,
      edited.descriptions.map((d) => `${c}: ${d}`),
    );
    return undefined;
  };
  const replicas = (c: Colour, count: number | undefined): WriteOutcome | undefined => {
    if (!scaleDown || count === undefined) return undefined;
    const k = colourText(files, layout, c);
    if (k === undefined)
      return failure('plan.no-kustomization', `no single kustomization in ${layout[c].dir}`);
    const edited = setReplicas(set.text(k.path) ?? k.text, [{ name: layout[c].workload, count }]);
    if (!edited.ok) return failure(`plan.${edited.code}`, `${k.path}: ${edited.message}`);
    set.set(
      k.path,
      edited.text,
      edited.descriptions.map((d) => `${c}: ${d}`),
    );
    return undefined;
  };
  const traffic = (to: Colour): WriteOutcome | undefined => {
    const text = set.text(layout.trafficFile);
    if (text === undefined) return failure('plan.no-traffic-file', `no traffic file ${layout.trafficFile}`);
    const edited = switchTo(target, text, to);
    if (!edited.ok) return failure(`plan.${edited.code}`, `${layout.trafficFile}: ${edited.message}`);
    set.set(layout.trafficFile, edited.text, edited.descriptions);
    return undefined;
  };

  const steps: (() => WriteOutcome | undefined)[] = [];
  const phase = before.rollout !== undefined ? phaseOf(before.rollout) : undefined;
  switch (action.kind) {
    case 'start':
      if (isPromotedPhase(phase)) {
        return failure(
          'plan.blue-green.switched',
          `${before.rollout?.version ?? 'a version'} was just switched to and the old colour is the way back; wait until it is verified (or abort it) before promoting another version`,
        );
      }
      steps.push(
        () => replicas(fresh, bg.replicas),
        () => image(fresh, before.version),
      );
      break;
    case 'promote':
      steps.push(() => traffic(fresh));
      break;
    case 'verify':
      steps.push(() => replicas(other(fresh), 0));
      break;
    case 'rollback':
    case 'abort':
      if (before.rollout?.rollbackOf !== undefined && !isPromotedPhase(phase)) {
        // Giving up a rollback: the colour scaled up for it goes back to 0; the live one stays.
        steps.push(() => replicas(fresh, 0));
      } else if (isPromotedPhase(phase)) {
        // Inside the scale-down delay the old colour still runs: one switch-back commit.
        steps.push(() => traffic(other(fresh)));
      } else if (before.stable !== undefined) {
        const stable = before.stable;
        steps.push(
          () => image(fresh, stable),
          () => replicas(fresh, 0),
        );
      }
      break;
    case 'step':
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

/** The commit subjects of blue-green: what happened, with the colours (the trailers stay the engine's). */
function headline(
  target: StrategyTarget,
  files: Files,
  action: RolloutAction,
  before: Parameters<NonNullable<Strategy['headline']>>[3],
): string | undefined {
  const live = liveColour(target, files);
  if (typeof live !== 'string') return undefined;
  const fresh = newColour(live, before.rollout);
  const old = other(fresh);
  const where = `${target.environment} ${target.service}`;
  const { version, stable } = before;
  const switched = before.rollout !== undefined && isPromotedPhase(phaseOf(before.rollout));
  const rollbackOf = before.rollout?.rollbackOf;
  if (rollbackOf !== undefined && !switched) {
    // A rollback rollout: the previous version's colour scaled up, then the switch back.
    if (action.kind === 'promote') return `switch ${where} back to ${fresh} (${version}), ${rollbackOf} held`;
    if (action.kind === 'rollback' || action.kind === 'abort')
      return `${action.kind === 'abort' ? 'abort' : 'give up'} the rollback of ${where} to ${version}: ${fresh} scaled down, ${rollbackOf} stays live`;
  }
  switch (action.kind) {
    case 'start':
      return `${where} ${version} previewing on ${fresh}`;
    case 'promote':
      return `switch ${where} to ${fresh} (${version})`;
    case 'verify':
      return configOf(target).scaleDown
        ? `scale down ${old}: ${where} ${version} verified on ${fresh}`
        : `${where} ${version} verified on ${fresh}`;
    case 'rollback':
    case 'abort':
      return switched
        ? `switch ${where} back to ${old} (${stable ?? 'the stable version'}), ${version} held`
        : `${action.kind === 'abort' ? 'abort' : 'roll back'} ${where} ${version} previewing on ${fresh}: ${fresh} back to ${stable ?? 'the stable version'}${configOf(target).scaleDown ? ' at 0 replicas' : ''}, ${version} held`;
    case 'pause':
    case 'resume':
      return `${action.kind} ${where} ${version} ${switched ? `switched to ${fresh}` : `previewing on ${fresh}`}`;
    case 'step':
    case 'wait':
      return undefined;
  }
}

/**
 * A plain rollback after the rollout finished: when the idle colour still runs the version to go
 * back to (inside the scale-down delay, or with `scaleDown: false`), one switch-back commit; else a
 * scale-up commit of that colour (with the version), and a tick switches once `readiness` passes.
 */
function rollbackTo(
  target: StrategyTarget,
  files: Files,
  to: { readonly version: string; readonly stable: string | undefined },
): ReturnType<NonNullable<Strategy['rollbackTo']>> {
  const bg = configOf(target);
  const layout = blueGreenLayout(target);
  const live = liveColour(target, files);
  if (typeof live !== 'string')
    return { ok: false, reasonCode: 'plan.blue-green.traffic', message: live.message };
  const idle = other(live);
  const k = colourText(files, layout, idle);
  if (k === undefined)
    return {
      ok: false,
      reasonCode: 'plan.no-kustomization',
      message: `no single kustomization in ${layout[idle].dir}`,
    };
  const count = readReplicas(k.text).find((r) => r.name === layout[idle].workload)?.count;
  const running = !bg.scaleDown || count === undefined || (typeof count === 'number' && count > 0);
  const where = `${target.environment} ${target.service}`;
  const from =
    versionOfEntry((colourText(files, layout, live) ?? k).text, layout[live].image) ?? 'the live version';
  const base = { state: undefined, rollout: undefined, version: to.version, stable: to.stable };
  if (running && versionOfEntry(k.text, layout[idle].image) === to.version) {
    const written = write(target, files, { kind: 'promote', reasonCode: 'hold.done', message: '' }, base);
    if (!written.ok) return written;
    return {
      ok: true,
      move: 'switch',
      edits: written.edits,
      headline: `switch ${where} back to ${idle} (${to.version}), ${from} held`,
    };
  }
  const written = write(
    target,
    files,
    { kind: 'start', reasonCode: 'promote', message: '', step: 0, weight: 0 },
    base,
  );
  if (!written.ok) return written;
  return {
    ok: true,
    move: 'scale-up',
    edits: written.edits,
    phase: 'previewing',
    headline: `scale up ${idle} with ${to.version} to roll ${where} back from ${from}; the switch follows once it is ready`,
  };
}

export const blueGreenStrategy: Strategy = {
  kind: 'blue-green',
  appliesTo: (config, environment) => config.environments[environment]?.blueGreen !== undefined,
  paths(target) {
    const layout = blueGreenLayout(target);
    const dirs = [...new Set([layout.dir, layout.blue.dir, layout.green.dir])];
    return [...dirs.flatMap((d) => KUSTOMIZATION_NAMES.map((n) => `${d}/${n}`)), layout.trafficFile];
  },
  observe,
  serving,
  start: () => ({ steps: 1, step: 0, weight: 0 }),
  next(_target, rollout): NextMove {
    return isPromotedPhase(phaseOf(rollout)) ? { kind: 'verify' } : { kind: 'promote' };
  },
  holdMs(target, rollout) {
    const bg = configOf(target);
    if (rollout.rollbackOf !== undefined && !isPromotedPhase(phaseOf(rollout))) return 0;
    if (isPromotedPhase(phaseOf(rollout))) {
      return Math.max(ms(bg.verify?.duration), bg.scaleDown ? ms(bg.scaleDownDelay) : 0);
    }
    return ms(bg.preview?.duration);
  },
  analysisGates(target, rollout) {
    const bg = configOf(target);
    if (isPromotedPhase(phaseOf(rollout))) return bg.verify?.analysis ?? [];
    // A rollback's colour is judged by readiness only: the previous version has been judged before.
    if (rollout.rollbackOf !== undefined) return bg.readiness;
    return [...bg.readiness, ...(bg.preview?.analysis ?? [])];
  },
  analysisDelayMs: (target) => ms(configOf(target).analysisDelay),
  // A rollback whose colour does not get ready pauses: rolling the rollback back would leave users on
  // the version they are being taken off.
  onFailure: (target, rollout) => (rollout?.rollbackOf !== undefined ? 'pause' : configOf(target).onFailure),
  // The move after the switch (the old colour's scale-down, or the verify) is always there, except
  // after a rollback's switch: that version is the stable one at once.
  hasVerify: (_target, rollout) => rollout?.rollbackOf === undefined,
  awaitsAdvance: (target, rollout) =>
    !configOf(target).autoPromote && !isPromotedPhase(phaseOf(rollout)) && rollout.rollbackOf === undefined,
  rollbackTo,
  promotedWeight: 100,
  phaseAfter(target, action) {
    switch (action.kind) {
      case 'start':
        return 'previewing';
      case 'promote':
        return 'switched';
      case 'verify':
        return configOf(target).scaleDown ? 'scaled-down' : 'verified';
      default:
        return undefined;
    }
  },
  describe(target, action, rollout) {
    const bg = configOf(target);
    const fresh =
      rollout !== undefined && isPromotedPhase(phaseOf(rollout)) ? 'the new colour' : 'the idle colour';
    switch (action.kind) {
      case 'start':
        return `${action.message}: deployed to ${fresh} at 0%${bg.preview ? `, previewed for ${bg.preview.duration}` : ''}`;
      case 'promote':
        return rollout?.rollbackOf !== undefined
          ? `switch back: ${rollout.version} takes all traffic again (its colour is ready); ${rollout.rollbackOf} stays held on the other colour`
          : `switch: ${rollout?.version ?? 'the version'} takes all traffic; the old colour stays up for ${bg.scaleDownDelay}${bg.verify ? ` and the verify (${bg.verify.duration})` : ''}`;
      case 'verify':
        return `verified ${rollout?.version ?? ''}: it is the stable version now${bg.scaleDown ? '; the old colour is scaled to 0' : ''}`;
      case 'rollback':
      case 'abort':
        if (rollout?.rollbackOf !== undefined && !isPromotedPhase(phaseOf(rollout)))
          return `the rollback to ${rollout.version} is given up: its colour goes back to 0 replicas; ${rollout.rollbackOf} stays live and held`;
        return rollout !== undefined && isPromotedPhase(phaseOf(rollout))
          ? `${action.message}: switching traffic back to the old colour in one commit`
          : undefined;
      default:
        return undefined;
    }
  },
  headline,
  write,
};
