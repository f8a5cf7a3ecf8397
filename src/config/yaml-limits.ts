import { DEFAULT_MAX_FILE_SIZE, parseSize, type YamlLimits } from '../overlays/yaml/bounded.js';
import type { LimitsConfig } from './schema.js';

/** The YAML limits a config sets (limits.maxFileSize), with the defaults for what it leaves out. */
export function yamlLimitsOf(config: { readonly limits?: LimitsConfig | undefined }): YamlLimits {
  const size = config.limits?.maxFileSize;
  return { maxFileSize: size === undefined ? DEFAULT_MAX_FILE_SIZE : parseSize(size) };
}
