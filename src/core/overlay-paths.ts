import type { Config } from '../config/schema.js';
import { normalizeRepoPath } from './repo-paths.js';

/** The names kustomize accepts for a kustomization, in its own order of preference. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The overlay folder of a service in an environment (`{{service}}` filled in). */
export function overlayDir(config: Config, environment: string, service: string): string {
  const env = config.environments[environment];
  if (env === undefined) throw new Error(`unknown environment ${environment}`);
  return normalizeRepoPath(env.path.replaceAll('{{service}}', service));
}

/** Every candidate kustomization path of the services in every environment: what a plan may read. */
export function overlayCandidates(config: Config, services: readonly string[]): string[] {
  const paths: string[] = [];
  for (const environment of Object.keys(config.environments)) {
    for (const service of services) {
      if (!deploysTo(config, environment, service)) continue;
      const dir = overlayDir(config, environment, service);
      for (const name of KUSTOMIZATION_NAMES) paths.push(`${dir}/${name}`);
    }
  }
  return paths;
}

export function deploysTo(config: Config, environment: string, service: string): boolean {
  const only = config.environments[environment]?.services;
  return only === undefined || only.includes(service);
}

export function imageNameOf(config: Config, service: string): string {
  return config.services[service]?.image ?? service;
}

export type KustomizationLookup =
  | { readonly kind: 'found'; readonly path: string; readonly text: string }
  | { readonly kind: 'missing'; readonly dir: string }
  | { readonly kind: 'ambiguous'; readonly paths: readonly string[] };

/** Finds the one kustomization file of a folder in a snapshot; two of them is an error, as in kustomize. */
export function findKustomization(
  files: Readonly<Record<string, string | undefined>>,
  dir: string,
): KustomizationLookup {
  const found = KUSTOMIZATION_NAMES.map((n) => `${dir}/${n}`).filter((p) => files[p] !== undefined);
  if (found.length > 1) return { kind: 'ambiguous', paths: found };
  const path = found[0];
  if (path === undefined) return { kind: 'missing', dir };
  return { kind: 'found', path, text: files[path] as string };
}
