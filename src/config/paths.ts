/** Where the config is read from when no --config (or Action input) names it, relative to the repository. */
export const DEFAULT_CONFIG_PATH = '.github/rollgate.yaml';
