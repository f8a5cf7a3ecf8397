import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where a GitOps repository is, read the way `git fetch` reads a remote's URL: a path or file:// URL
// (this machine), ssh:// or the scp-like `[user@]host:path` (ssh), http:// or https:// (smart HTTP),
// anything else (git://, a remote helper such as `ext::`) left to git itself.

export type RemoteUrl =
  | { readonly kind: 'local'; readonly path: string }
  | {
      readonly kind: 'ssh';
      /** `user@host` as ssh is given it (brackets of an IPv6 address removed). */
      readonly host: string;
      readonly port: string | undefined;
      /** The path as the remote command gets it (`~user/x` for ssh://host/~user/x). */
      readonly path: string;
    }
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'other' };

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function parseRemoteUrl(repository: string): RemoteUrl {
  const scheme = SCHEME.exec(repository)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    try {
      return { kind: 'local', path: fileURLToPath(repository) };
    } catch {
      return { kind: 'other' };
    }
  }
  if (scheme === 'http' || scheme === 'https') {
    try {
      return { kind: 'http', url: new URL(repository) };
    } catch {
      return { kind: 'other' };
    }
  }
  if (scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git') return sshUrl(repository);
  if (scheme !== undefined) return { kind: 'other' };
  // <transport>::<address>: a remote helper (ext::, persistent-https::...), git's business.
  if (/^[a-z][a-z0-9+.-]*::/i.test(repository)) return { kind: 'other' };
  // scp-like: a colon before any slash (git's rule, `[host:port]:path` bracketed).
  const bracket = /^([^/@]*@)?\[([^\]/]+)\]:(.*)$/.exec(repository);
  if (bracket) return ssh(`${bracket[1] ?? ''}${bracket[2] ?? ''}`, undefined, bracket[3] ?? '');
  const colon = repository.indexOf(':');
  const slash = repository.indexOf('/');
  if (colon !== -1 && (slash === -1 || colon < slash))
    return ssh(repository.slice(0, colon), undefined, repository.slice(colon + 1));
  return { kind: 'local', path: resolve(repository) };
}

/** ssh://[user@]host[:port]/path: the path keeps its leading slash, but /~user/x is ~user/x. */
function sshUrl(repository: string): RemoteUrl {
  const rest = repository.replace(SCHEME, '');
  const slash = rest.indexOf('/');
  if (slash === -1) return { kind: 'other' };
  const authority = rest.slice(0, slash);
  const path = rest.slice(slash);
  const at = authority.lastIndexOf('@');
  const user = at === -1 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const match = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d*))?$/.exec(hostPort);
  if (!match) return { kind: 'other' };
  const host = match[1] ?? match[2] ?? '';
  return ssh(`${user}${host}`, match[3] || undefined, path.startsWith('/~') ? path.slice(1) : path);
}

function ssh(host: string, port: string | undefined, path: string): RemoteUrl {
  // A host or path read as an option by ssh would run what it names (git refuses them too).
  if (host === '' || host.startsWith('-') || path === '' || path.startsWith('-')) return { kind: 'other' };
  return { kind: 'ssh', host, port, path };
}
