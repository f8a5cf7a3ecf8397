import type { Config } from '../config/schema.js';
import { suggestion } from '../config/did-you-mean.js';
import { UsageError } from './errors.js';
import { deploysTo } from './overlay-paths.js';
import type { Version } from './types.js';

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/** `1.4.0`, `sha256:...` or `1.4.0@sha256:...`: an image tag, a digest, or both. */
export function parseVersion(text: string): Version {
  const at = text.indexOf('@');
  const tag = at === -1 ? (DIGEST.test(text) ? undefined : text) : text.slice(0, at);
  const digest = at === -1 ? (DIGEST.test(text) ? text : undefined) : text.slice(at + 1);
  if (tag !== undefined && !TAG.test(tag)) {
    throw new UsageError(
      `version "${text}": "${tag}" is not a valid image tag (letters, digits, _ . -; at most 128; not starting with . or -)`,
    );
  }
  if (digest !== undefined && !DIGEST.test(digest)) {
    throw new UsageError(`version "${text}": "${digest}" is not a digest such as sha256:<64 hex>`);
  }
  return { ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Checks an environment and service names against the config, with a did-you-mean for typos. */
export function checkTarget(
  config: Config,
  environment: string,
  services: readonly string[],
): readonly string[] {
  const envNames = Object.keys(config.environments);
  if (config.environments[environment] === undefined) {
    throw new UsageError(
      `unknown environment "${environment}"${suggestion(environment, envNames)}; environments: ${envNames.join(', ')}`,
    );
  }
  const all = Object.keys(config.services).filter((s) => deploysTo(config, environment, s));
  const chosen = services.length > 0 ? services : all;
  for (const service of chosen) {
    if (config.services[service] === undefined) {
      const names = Object.keys(config.services);
      throw new UsageError(
        `unknown service "${service}"${suggestion(service, names)}; services: ${names.join(', ')}`,
      );
    }
    if (!deploysTo(config, environment, service)) {
      throw new UsageError(
        `service "${service}" does not deploy to ${environment} (environments.${environment}.services: ${all.join(', ')})`,
      );
    }
  }
  return [...new Set(chosen)];
}
