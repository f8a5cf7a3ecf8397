import { suggestion } from '../config/did-you-mean.js';
import type { Command } from './parse.js';

/** The part of the config a command is checked against. */
export interface CommandScope {
  readonly environments: Readonly<Record<string, { readonly services?: readonly string[] | undefined }>>;
  readonly services: Readonly<Record<string, unknown>>;
}

/**
 * Names the first unknown environment or service in a command, with a did-you-mean, or undefined
 * when the command names only things the config knows.
 */
export function checkCommand(command: Command, scope: CommandScope): string | undefined {
  if (command.verb !== '/promote' && command.verb !== '/rollback') return undefined;
  const environments = Object.keys(scope.environments);
  const env = scope.environments[command.environment];
  if (env === undefined) {
    return `unknown environment "${command.environment}"${suggestion(command.environment, environments)}; environments: ${environments.join(', ')}`;
  }
  const deployed = env.services ?? Object.keys(scope.services);
  for (const service of command.services) {
    if (!deployed.includes(service)) {
      const where =
        scope.services[service] === undefined
          ? 'unknown service'
          : `service not deployed to ${command.environment}:`;
      return `${where} "${service}"${suggestion(service, deployed)}; services in ${command.environment}: ${deployed.join(', ')}`;
    }
  }
  return undefined;
}
