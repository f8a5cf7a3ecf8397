import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type GitCliStore, openGitStore } from '../gitops/git-cli.js';
import { parseRemoteUrl } from '../gitops/remote-url.js';
import { DEFAULT_LIMITS, isYamlProblem, parseBounded } from '../overlays/yaml/bounded.js';
import { DEFAULT_CONFIG_PATH } from '../config/paths.js';
import { KUSTOMIZATION_NAMES } from '../core/overlay-paths.js';
import { statePath } from '../core/state-paths.js';
import { parseOptions, type OptionSpec } from './args.js';
import type { CliIo } from './io.js';

// The GitOps clone of a reading verb (check, plan) starts before the config is validated: the git
// processes run on another core while the rest of rollgate loads and checks the config, instead of
// after. It is only a head start. The verb validates everything as before and takes the clone only
// when the config names the same repository and branch; otherwise, or when the verb fails first,
// the clone is removed unused. Anything unclear here (an option that does not parse, a config that
// cannot be read, a `${VAR}`) starts nothing, and the verb opens its store as it always did.

/** The repository a CLI verb works on: --gitops, else gitops.repository; a local path from the working folder. */
export function gitopsLocation(repository: string, cwd: string): string {
  return isLocalPath(repository) ? resolve(cwd, repository) : repository;
}

/** A path, read as git reads a remote: `host:path` (with or without `user@`) is ssh, not a folder. */
function isLocalPath(repository: string): boolean {
  return parseRemoteUrl(repository).kind === 'local' && !/^file:/i.test(repository);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The files a check or plan of this (not yet validated) config will read first: every
 * environment's kustomization candidates and state file for each service deployed there, as
 * src/core/pipeline.ts promotionPaths lists them. The store fetches them while rollgate loads; a
 * wrong guess costs a fetch (the read brings what it lacks), never a different answer.
 */
export function likelyPaths(raw: unknown): string[] {
  if (!isRecord(raw) || !isRecord(raw.environments)) return [];
  const all = isRecord(raw.services) ? Object.keys(raw.services) : [];
  const paths: string[] = [];
  for (const [environment, env] of Object.entries(raw.environments)) {
    if (!isRecord(env) || typeof env.path !== 'string') continue;
    const only = Array.isArray(env.services) ? env.services : undefined;
    for (const service of only ?? all) {
      if (typeof service !== 'string') continue;
      const dir = env.path.replaceAll('{{service}}', service).replace(/\/+$/, '');
      paths.push(...KUSTOMIZATION_NAMES.map((name) => `${dir}/${name}`), statePath(environment, service));
    }
  }
  return paths;
}

export interface EarlyClone {
  /** The clone, when it is of this repository and branch and not yet taken: the taker closes it. */
  take(repository: string, branch: string): Promise<GitCliStore> | undefined;
  /** Removes the clone unless it was taken. */
  discard(): Promise<void>;
}

/**
 * Starts the clone for a verb's arguments, or returns undefined. Never throws: a clone that fails is
 * reported by the verb when it takes it, in the same words as a clone made then.
 */
export async function startEarlyClone(
  verb: string,
  args: readonly string[],
  options: OptionSpec,
  io: CliIo,
): Promise<EarlyClone | undefined> {
  try {
    const { values } = parseOptions(verb, args, options);
    const configFile = typeof values.config === 'string' ? values.config : DEFAULT_CONFIG_PATH;
    const text = await readFile(resolve(io.cwd, configFile), 'utf8');
    const parsed = parseBounded(text, DEFAULT_LIMITS);
    if (isYamlProblem(parsed) || parsed.docs.length !== 1) return undefined;
    const doc = parsed.docs[0];
    const configured = doc?.getIn(['gitops', 'repository']);
    const branch = doc?.getIn(['gitops', 'branch']) ?? 'main';
    const given = typeof values.gitops === 'string' ? values.gitops : configured;
    if (typeof given !== 'string' || typeof branch !== 'string') return undefined;
    if (given.includes('${') || branch.includes('${') || given === '' || branch === '') return undefined;
    const repository = gitopsLocation(given, io.cwd);
    // A reading verb: a repository on this machine opens in place, with no upload-pack unless needed.
    const store = openGitStore({ repository, branch, headInPlace: true });
    // Its failure is the verb's to report, when it takes the clone; left untaken, it is dropped.
    store.then(
      (s) => s.prefetch?.(likelyPaths(doc?.toJS({ maxAliasCount: -1 }))),
      () => undefined,
    );
    let taken = false;
    return {
      take(wantedRepository, wantedBranch) {
        if (taken || wantedRepository !== repository || wantedBranch !== branch) return undefined;
        taken = true;
        return store;
      },
      async discard() {
        if (taken) return;
        taken = true;
        // Cleaning up must not turn the verb's own outcome into another error.
        await store.then((s) => s.close()).catch(() => undefined);
      },
    };
  } catch {
    return undefined;
  }
}
