import { UsageError } from '../core/errors.js';
import {
  type CommandResult,
  runEditFlag,
  runEditImage,
  runEditMirror,
  runEditReplicas,
  runEditWeight,
} from '../overlays/cli-edit.js';
import type { CliIo } from './io.js';

const VERBS: Record<string, (args: readonly string[], cwd: string) => Promise<CommandResult>> = {
  image: runEditImage,
  replicas: runEditReplicas,
  weight: runEditWeight,
  mirror: runEditMirror,
  flag: runEditFlag,
};

/** `rollgate edit image|replicas|weight|mirror|flag ...`: the overlay engine's verbs (src/overlays/cli-edit.ts). */
export async function runEdit(args: readonly string[], io: CliIo): Promise<number> {
  const [what, ...rest] = args;
  const verb = what === undefined ? undefined : VERBS[what];
  if (verb === undefined)
    throw new UsageError(`edit what? expected image, replicas, weight, mirror or flag (got "${what ?? ''}")`);
  const result = await verb(rest, io.cwd);
  if (result.stdout !== '') io.stdout(result.stdout.replace(/\n$/, ''));
  if (result.stderr !== '') io.stderr(result.stderr.replace(/\n$/, ''));
  return result.exitCode;
}
