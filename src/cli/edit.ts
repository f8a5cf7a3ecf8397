import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError, IoError } from '../core/errors.js';
import { KUSTOMIZATION_NAMES } from '../core/overlay-paths.js';
import { type ImageSpec, setImages } from '../overlays/kustomization.js';
import type { CliIo } from './io.js';

/** kustomize's image spec: `name=newName:tag@digest`, `name:tag`, `name@digest`; `*` keeps a field. */
export function parseImageSpec(spec: string): ImageSpec {
  const eq = spec.indexOf('=');
  const name = eq === -1 ? undefined : spec.slice(0, eq);
  const ref = eq === -1 ? spec : spec.slice(eq + 1);
  const at = ref.indexOf('@');
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const withoutDigest = at === -1 ? ref : ref.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > withoutDigest.lastIndexOf('/');
  const image = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
  const keep = (v: string | undefined) => (v === undefined || v === '*' ? undefined : v);
  const target = name ?? image;
  if (!target) throw new UsageError(`image spec "${spec}" names no image; write name=newName:tag@digest`);
  const newName = name !== undefined ? keep(image) : undefined;
  return {
    name: target,
    ...(newName !== undefined && newName !== '' ? { newName } : {}),
    ...(keep(tag) !== undefined ? { newTag: keep(tag) as string } : {}),
    ...(keep(digest) !== undefined ? { digest: keep(digest) as string } : {}),
  };
}

async function resolveKustomization(target: string): Promise<string> {
  const info = await stat(target).catch(() => undefined);
  if (info === undefined) throw new IoError(`${target}: no such file or folder`);
  if (!info.isDirectory()) return target;
  const found: string[] = [];
  for (const name of KUSTOMIZATION_NAMES) {
    if (await stat(join(target, name)).catch(() => undefined)) found.push(join(target, name));
  }
  if (found.length > 1)
    throw new UsageError(`found multiple kustomization files in ${target}: ${found.join(', ')}`);
  if (found[0] === undefined)
    throw new UsageError(`no kustomization.yaml, kustomization.yml or Kustomization in ${target}`);
  return found[0];
}

export async function runEdit(args: readonly string[], io: CliIo): Promise<number> {
  const [what, target, ...specs] = args;
  if (what !== 'image')
    throw new UsageError(`edit what? "rollgate edit image <dir|file> <spec>..." (got "${what ?? ''}")`);
  if (target === undefined || specs.length === 0)
    throw new UsageError('usage: rollgate edit image <dir|file> <spec>...');
  const file = await resolveKustomization(resolve(io.cwd, target));
  const text = await readFile(file, 'utf8');
  const result = setImages(text, specs.map(parseImageSpec));
  if (!result.ok) throw new UsageError(`${file}: ${result.message}`);
  if (result.changed) await writeFile(file, result.text);
  io.stdout(
    result.changed
      ? result.descriptions.map((d) => `${file}: ${d}`).join('\n')
      : `${file}: already up to date`,
  );
  return 0;
}
