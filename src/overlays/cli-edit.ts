import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { KUSTOMIZATION_NAMES } from '../core/overlay-paths.js';
import {
  DEFAULT_LIMITS,
  type EditFailure,
  type EditOutcome,
  failureText,
  isFailure,
  parseText,
  sizeProblem,
} from './cst-edit.js';
import { type FlagChange, setFlag } from './flags/edit-flag.js';
import { kustomizationDoc } from './list-entry.js';
import { type ImageSpec, parseImageSpec, setImages } from './kustomization.js';
import { parseReplicaSpec, type ReplicaSpec, setReplicas } from './replicas.js';
import { type OverlayInput, setOverlayWeight } from './traffic/overlay-weight.js';
import { type MirrorOptions, setMirror } from './traffic/mirror.js';
import { setWeight, type WeightOptions } from './traffic/set-weight.js';

// The `rollgate edit image|replicas|weight` verbs: read the file, run the pure edit, write it back
// only when it changed. Each returns its exit code and output instead of printing, so the CLI and
// the tests call the same thing. Exit 0 ok, 2 usage or a target problem, 3 I/O.

export interface CommandResult {
  readonly exitCode: 0 | 2 | 3;
  readonly stdout: string;
  readonly stderr: string;
}

const usage = {
  image:
    'usage: rollgate edit image <dir|file> <spec>...  (spec: name=newName:tag@digest, name:tag, name@digest; * keeps a field)',
  replicas: 'usage: rollgate edit replicas <dir|file> <name>=<count>...',
  flag: 'usage: rollgate edit flag <file> <flag> [--state ENABLED|DISABLED] [--default VARIANT] [--fraction VARIANT=PCT]...',
  weight:
    'usage: rollgate edit weight <file|overlay-dir> <percent> [--route NAME] [--document N] [--canary-backend NAME] [--kind gateway-api|istio|ingress-nginx|smi|path] [--path yaml.path]',
  mirror:
    'usage: rollgate edit mirror <file> <percent> [--backend NAME] [--route NAME] [--document N] [--kind istio|gateway-api]  (0 removes the mirror)',
} as const;

function problem(exitCode: 2 | 3, message: string, hint?: string): CommandResult {
  return { exitCode, stdout: '', stderr: hint === undefined ? message : `${message}\n${hint}` };
}

type Resolved = { ok: true; file: string } | { ok: false; result: CommandResult };

/** A folder resolves to its one kustomization file, as kustomize does; two of them is an error. */
export async function resolveKustomization(target: string): Promise<Resolved> {
  const info = await stat(target).catch(() => undefined);
  if (info === undefined) return { ok: false, result: problem(3, `${target}: no such file or folder`) };
  if (!info.isDirectory()) return { ok: true, file: target };
  const found: string[] = [];
  for (const name of KUSTOMIZATION_NAMES) {
    if ((await stat(join(target, name)).catch(() => undefined))?.isFile() === true)
      found.push(join(target, name));
  }
  const only = found[0];
  if (found.length > 1) {
    return {
      ok: false,
      result: problem(
        2,
        `found multiple kustomization files in ${target}: ${found.join(', ')}; keep one (kustomize refuses this too)`,
      ),
    };
  }
  if (only === undefined) {
    return {
      ok: false,
      result: problem(
        2,
        `no kustomization file in ${target}: expected one of ${KUSTOMIZATION_NAMES.join(', ')}`,
      ),
    };
  }
  return { ok: true, file: only };
}

/** Reads a file to edit, refusing one over the size limit before reading it. */
async function readForEdit(
  file: string,
): Promise<{ ok: true; text: string } | { ok: false; result: CommandResult }> {
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  const tooLarge = sizeProblem(size, DEFAULT_LIMITS);
  if (tooLarge !== undefined) return { ok: false, result: problem(2, `${file}:1:1: ${tooLarge.message}`) };
  try {
    return { ok: true, text: await readFile(file, 'utf8') };
  } catch (err) {
    return { ok: false, result: problem(3, `${file}: cannot read: ${(err as Error).message}`) };
  }
}

async function editFile(file: string, edit: (text: string) => EditOutcome): Promise<CommandResult> {
  const read = await readForEdit(file);
  if (!read.ok) return read.result;
  const text = read.text;
  const result = edit(text);
  if (!result.ok) return problem(2, failureText(file, result));
  if (!result.changed) return { exitCode: 0, stdout: `${file}: already up to date\n`, stderr: '' };
  try {
    await writeFile(file, result.text);
  } catch (err) {
    return problem(3, `${file}: cannot write: ${(err as Error).message}`);
  }
  return { exitCode: 0, stdout: result.descriptions.map((d) => `${file}: ${d}\n`).join(''), stderr: '' };
}

/**
 * The shape `edit image` and `edit replicas` share: a kustomization target, then specs that each
 * parse on their own, then one pure edit of the file with all of them.
 */
async function runSpecEdit<S>(
  args: readonly string[],
  cwd: string,
  usageLine: string,
  parseSpec: (raw: string) => S | EditFailure,
  edit: (text: string, specs: readonly S[]) => EditOutcome,
): Promise<CommandResult> {
  const [target, ...rawSpecs] = args;
  if (target === undefined || rawSpecs.length === 0) return problem(2, 'missing arguments', usageLine);
  const specs: S[] = [];
  for (const raw of rawSpecs) {
    const spec = parseSpec(raw);
    if (isFailure(spec)) return problem(2, spec.message, usageLine);
    specs.push(spec);
  }
  const resolved = await resolveKustomization(resolve(cwd, target));
  if (!resolved.ok) return resolved.result;
  return editFile(resolved.file, (text) => edit(text, specs));
}

/** `rollgate edit image <dir|file> <spec>...` */
export async function runEditImage(
  args: readonly string[],
  cwd: string = process.cwd(),
): Promise<CommandResult> {
  return runSpecEdit<ImageSpec>(args, cwd, usage.image, parseImageSpec, setImages);
}

/** `rollgate edit replicas <dir|file> <name>=<count>...` */
export async function runEditReplicas(
  args: readonly string[],
  cwd: string = process.cwd(),
): Promise<CommandResult> {
  return runSpecEdit<ReplicaSpec>(args, cwd, usage.replicas, parseReplicaSpec, setReplicas);
}

const WEIGHT_FLAGS = {
  '--route': 'route',
  '--document': 'document',
  '--canary-backend': 'canaryBackend',
  '--kind': 'kind',
  '--path': 'path',
} as const;

/** `rollgate edit weight <file> <percent> [--route NAME] [--canary-backend NAME] [--kind K] [--path P]` */
export async function runEditWeight(
  args: readonly string[],
  cwd: string = process.cwd(),
): Promise<CommandResult> {
  const positional: string[] = [];
  const flags: Partial<Record<(typeof WEIGHT_FLAGS)[keyof typeof WEIGHT_FLAGS], string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith('--')
      ? (arg.split(/=(.*)/s, 2) as [string, string | undefined])
      : [arg, undefined];
    if (flag in WEIGHT_FLAGS) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') return problem(2, `${flag} needs a value`, usage.weight);
      flags[WEIGHT_FLAGS[flag as keyof typeof WEIGHT_FLAGS]] = value;
    } else if (arg.startsWith('--')) {
      return problem(
        2,
        `unknown option ${arg}; options: ${Object.keys(WEIGHT_FLAGS).join(', ')}`,
        usage.weight,
      );
    } else {
      positional.push(arg);
    }
  }
  const [file, rawPercent, ...extra] = positional;
  if (file === undefined || rawPercent === undefined) return problem(2, 'missing arguments', usage.weight);
  if (extra.length > 0) return problem(2, `unexpected arguments: ${extra.join(' ')}`, usage.weight);
  if (!/^\d{1,3}%?$/.test(rawPercent) || Number(rawPercent.replace('%', '')) > 100) {
    return problem(
      2,
      `weight ${JSON.stringify(rawPercent)} is not a whole percentage from 0 to 100 (e.g. 25)`,
      usage.weight,
    );
  }
  const { document, ...named } = flags;
  if (document !== undefined && !/^[1-9][0-9]{0,5}$/.test(document)) {
    return problem(
      2,
      `--document ${JSON.stringify(document)} is not a document number (1 for the first YAML document of the file)`,
      usage.weight,
    );
  }
  const options: WeightOptions = {
    percent: Number(rawPercent.replace('%', '')),
    ...named,
    ...(document === undefined ? {} : { document: Number(document) }),
  };
  const target = resolve(cwd, file);
  if ((await stat(target).catch(() => undefined))?.isDirectory() === true)
    return editOverlay(target, options);
  return editFile(target, (text) => setWeight(text, options));
}

const MIRROR_FLAGS = {
  '--backend': 'backend',
  '--route': 'route',
  '--document': 'document',
  '--kind': 'kind',
} as const;

/** `rollgate edit mirror <file> <percent> [--backend NAME] [--route NAME] [--document N] [--kind K]` */
export async function runEditMirror(
  args: readonly string[],
  cwd: string = process.cwd(),
): Promise<CommandResult> {
  const positional: string[] = [];
  const flags: Partial<Record<(typeof MIRROR_FLAGS)[keyof typeof MIRROR_FLAGS], string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith('--')
      ? (arg.split(/=(.*)/s, 2) as [string, string | undefined])
      : [arg, undefined];
    if (flag in MIRROR_FLAGS) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') return problem(2, `${flag} needs a value`, usage.mirror);
      flags[MIRROR_FLAGS[flag as keyof typeof MIRROR_FLAGS]] = value;
    } else if (arg.startsWith('--')) {
      return problem(
        2,
        `unknown option ${arg}; options: ${Object.keys(MIRROR_FLAGS).join(', ')}`,
        usage.mirror,
      );
    } else {
      positional.push(arg);
    }
  }
  const [file, rawPercent, ...extra] = positional;
  if (file === undefined || rawPercent === undefined) return problem(2, 'missing arguments', usage.mirror);
  if (extra.length > 0) return problem(2, `unexpected arguments: ${extra.join(' ')}`, usage.mirror);
  const percent = Number(rawPercent.replace(/%$/, ''));
  if (!/^\d{1,3}(\.\d{1,4})?%?$/.test(rawPercent) || percent > 100) {
    return problem(
      2,
      `mirror ${JSON.stringify(rawPercent)} is not a percentage from 0 to 100 with at most 4 decimals (e.g. 10 or 0.5; 0 removes the mirror)`,
      usage.mirror,
    );
  }
  const { document, ...named } = flags;
  if (document !== undefined && !/^[1-9][0-9]{0,5}$/.test(document)) {
    return problem(
      2,
      `--document ${JSON.stringify(document)} is not a document number (1 for the first YAML document of the file)`,
      usage.mirror,
    );
  }
  const options: MirrorOptions = {
    percent,
    ...named,
    ...(document === undefined ? {} : { document: Number(document) }),
  };
  const target = resolve(cwd, file);
  if ((await stat(target).catch(() => undefined))?.isDirectory() === true) {
    return problem(
      2,
      `${target} is a folder; name the traffic file (the VirtualService or HTTPRoute)`,
      usage.mirror,
    );
  }
  return editFile(target, (text) => setMirror(text, options));
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

async function readIfFile(path: string): Promise<string | undefined> {
  return (await stat(path).catch(() => undefined))?.isFile() === true ? readFile(path, 'utf8') : undefined;
}

/** A kustomization's keys as plain data, read within the YAML bounds; a failure says file:line:col. */
function kustomizationData(file: string, text: string): Record<string, unknown> | CommandResult {
  const parsed = parseText(text);
  const found = isFailure(parsed) ? parsed : kustomizationDoc(parsed);
  if (isFailure(found)) return problem(2, failureText(file, found));
  const data: unknown = found.doc.toJS({ maxAliasCount: -1 });
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}

function isResult(value: unknown): value is CommandResult {
  return typeof value === 'object' && value !== null && 'exitCode' in value;
}

/** The manifests an overlay builds on: local resources followed through kustomizations, depth-first. */
async function collectBases(
  dir: string,
  from: string,
  out: Record<string, string>,
  seen: Set<string>,
): Promise<CommandResult | undefined> {
  if (seen.has(dir)) return undefined;
  seen.add(dir);
  const resolved = await resolveKustomization(dir);
  if (!resolved.ok) return undefined;
  const read = await readForEdit(resolved.file);
  if (!read.ok) return read.result;
  const k = kustomizationData(resolved.file, read.text);
  if (isResult(k)) return k;
  for (const entry of [...listOf(k.resources), ...listOf(k.bases)]) {
    if (entry.includes('://') || entry.startsWith('github.com/')) continue;
    const path = resolve(dir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory() === true) {
      const failed = await collectBases(path, from, out, seen);
      if (failed !== undefined) return failed;
    } else if (info?.isFile() === true) out[relative(from, path)] = await readFile(path, 'utf8');
  }
  return undefined;
}

/** `edit weight <overlay-folder> <percent>`: the weight goes into the overlay, never into its base. */
async function editOverlay(dir: string, options: WeightOptions): Promise<CommandResult> {
  const resolved = await resolveKustomization(dir);
  if (!resolved.ok) return resolved.result;
  const read = await readForEdit(resolved.file);
  if (!read.ok) return read.result;
  const kText = read.text;
  const k = kustomizationData(resolved.file, kText);
  if (isResult(k)) return k;
  const files: Record<string, string> = {};
  const listed = [
    ...listOf(k.resources),
    ...listOf(k.patchesStrategicMerge),
    ...[k.patches, k.patchesJson6902].flatMap((list) =>
      Array.isArray(list)
        ? list
            .map((e: unknown) =>
              typeof e === 'object' && e !== null ? (e as { path?: unknown }).path : undefined,
            )
            .filter((p): p is string => typeof p === 'string')
        : [],
    ),
  ];
  for (const path of listed) {
    const text = await readIfFile(resolve(dir, path));
    if (text !== undefined) files[path] = text;
  }
  const bases: Record<string, string> = {};
  const seen = new Set<string>([dir]);
  for (const entry of [...listOf(k.resources), ...listOf(k.bases)]) {
    const path = resolve(dir, entry);
    if ((await stat(path).catch(() => undefined))?.isDirectory() === true) {
      const failed = await collectBases(path, dir, bases, seen);
      if (failed !== undefined) return failed;
    }
  }
  const input: OverlayInput = {
    kustomization: { path: relative(dir, resolved.file), text: kText },
    files: { ...files, ...Object.fromEntries(await existingRollgatePatches(dir)) },
    bases,
  };
  const outcome = setOverlayWeight(input, options);
  if (!outcome.ok) return problem(2, failureText(dir, outcome));
  if (outcome.edits.length === 0) return { exitCode: 0, stdout: `${dir}: already up to date\n`, stderr: '' };
  try {
    for (const edit of outcome.edits) await writeFile(join(dir, edit.path), edit.after);
  } catch (err) {
    return problem(3, `${dir}: cannot write: ${(err as Error).message}`);
  }
  const lines = outcome.edits.flatMap((e) => e.descriptions.map((d) => `${join(dir, e.path)}: ${d}\n`));
  return { exitCode: 0, stdout: lines.join(''), stderr: '' };
}

/** A rollgate patch left in the folder but not listed is reported by the engine instead of overwritten. */
async function existingRollgatePatches(dir: string): Promise<[string, string][]> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('rollgate-traffic-') && n.endsWith('.yaml'));
  return Promise.all(
    names.map(async (n): Promise<[string, string]> => [n, await readFile(join(dir, n), 'utf8')]),
  );
}

/**
 * `rollgate edit flag <file> <flag> [--state ENABLED|DISABLED] [--default VARIANT] [--fraction VARIANT=PCT]...`
 * on a flagd definition (JSON, YAML, a ConfigMap literal or a FeatureFlag resource).
 */
export async function runEditFlag(
  args: readonly string[],
  cwd: string = process.cwd(),
): Promise<CommandResult> {
  const positional: string[] = [];
  let state: FlagChange['state'];
  let defaultVariant: string | undefined;
  const fractions: { variant: string; weight: number }[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith('--')
      ? (arg.split(/=(.*)/s, 2) as [string, string | undefined])
      : [arg, undefined];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (flag !== '--state' && flag !== '--default' && flag !== '--fraction')
      return problem(2, `unknown option ${arg}; options: --state, --default, --fraction`, usage.flag);
    const value = inline ?? args[++i];
    if (value === undefined || value === '') return problem(2, `${flag} needs a value`, usage.flag);
    if (flag === '--state') {
      if (value !== 'ENABLED' && value !== 'DISABLED')
        return problem(
          2,
          `--state ${JSON.stringify(value)}: expected ENABLED or DISABLED (flagd's spelling)`,
          usage.flag,
        );
      state = value;
    } else if (flag === '--default') {
      defaultVariant = value;
    } else {
      const m = /^(.+)=(\d{1,3})%?$/s.exec(value);
      if (m === null || Number(m[2]) > 100)
        return problem(
          2,
          `--fraction ${JSON.stringify(value)}: expected VARIANT=PCT with a whole percentage from 0 to 100 (e.g. new-checkout=25)`,
          usage.flag,
        );
      fractions.push({ variant: m[1] as string, weight: Number(m[2]) });
    }
  }
  const [file, flag, ...extra] = positional;
  if (file === undefined || flag === undefined) return problem(2, 'missing arguments', usage.flag);
  if (extra.length > 0) return problem(2, `unexpected arguments: ${extra.join(' ')}`, usage.flag);
  if (state === undefined && defaultVariant === undefined && fractions.length === 0)
    return problem(2, 'nothing to change: give --state, --default or --fraction', usage.flag);
  const change: FlagChange = {
    ...(state !== undefined ? { state } : {}),
    ...(defaultVariant !== undefined ? { defaultVariant } : {}),
    ...(fractions.length > 0 ? { fractions } : {}),
  };
  const target = resolve(cwd, file);
  if ((await stat(target).catch(() => undefined))?.isDirectory() === true)
    return problem(2, `${target} is a folder; give the file that defines flag ${flag}`, usage.flag);
  return editFile(target, (text) => setFlag(text, flag, change));
}
