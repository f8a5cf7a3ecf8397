// Where state files live in the GitOps repository (src/core/state.ts reads and writes them).

export const STATE_DIR = '.rollgate/state';

export function statePath(environment: string, service: string): string {
  return `${STATE_DIR}/${environment}/${service}.yaml`;
}

/** The state file of a feature-flag rollout, keyed by its name (`environments.<env>.flags.<name>`). */
export function flagStatePath(environment: string, flag: string): string {
  return `${STATE_DIR}/${environment}/flags/${flag}.yaml`;
}
