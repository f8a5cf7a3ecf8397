import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { runGit } from './exec.js';
import { FLUSH, PacketReader } from './pkt-line.js';
import type { RemoteUrl } from './remote-url.js';

// How the wire client (wire.ts) reaches `git upload-pack` and `git receive-pack`: one Connection per
// conversation. Over a byte stream (a process on this machine, or ssh running the service on the
// server) the requests go down one pipe and the answers come back in order on one reader; over smart
// HTTP (smart-http.ts) each request is a POST with its own response. wire.ts speaks the protocol and
// does not know which.

export type GitService = 'git-upload-pack' | 'git-receive-pack';

/** One conversation with `git upload-pack` or `git receive-pack`. */
export interface Connection {
  /** What the service says first: its advertisement (capabilities, or refs for receive-pack). */
  readonly advertisement: PacketReader;
  /**
   * Sends one request and gives the reader its answer comes on. `last`: nothing follows, so a stream
   * closes its input (receive-pack reads the pack to its end before it reports).
   */
  request(body: Buffer, last?: boolean): Promise<PacketReader>;
  /** Ends the conversation (a stream is told there is nothing more) and says how it ended. */
  close(): Promise<{ readonly detail: string }>;
  /** What the other side said besides the protocol (a process's stderr), for messages. */
  diagnostics(): string;
}

export interface Transport {
  /** upload-pack is asked for protocol v2; receive-pack speaks v0 (there is no v2 push). */
  connect(service: GitService): Promise<Connection>;
}

/**
 * The server does not speak what the wire client needs (protocol v2 with partial fetches, smart
 * HTTP): the store goes through a clone instead, as git would manage it.
 */
export class WireUnsupported extends Error {}

/** The server declined a request before reading it (HTTP 4xx): nothing it asked for was done. */
export class RequestRefused extends Error {}

const ENV = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

/** A service at the other end of a process's stdin and stdout (git itself, or ssh running it). */
function streamConnection(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Connection {
  const child = spawn(command, args, {
    env: { ...process.env, ...ENV, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e) => ((err += String(e)), resolve(1)));
    child.on('close', (code) => resolve(code ?? 1));
  });
  const reader = new PacketReader(child.stdout, () => err.trim() || 'no message');
  let ended = false;
  return {
    advertisement: reader,
    request(body, last = false) {
      if (last) {
        ended = true;
        child.stdin.end(body);
      } else child.stdin.write(body);
      return Promise.resolve(reader);
    },
    async close() {
      // A flush where a request would start: upload-pack v2 and receive-pack both end there.
      if (!ended) child.stdin.end(FLUSH);
      ended = true;
      const code = await exited;
      return { detail: `${basename(command)} exited ${code}` };
    },
    diagnostics: () => err.trim(),
  };
}

/**
 * A repository on this machine: git's own upload-pack and receive-pack, started with an argument
 * array (git starts them through a shell, which is not needed here). Serving a partial clone and
 * objects by id is the server's choice; this server is ours, so both are allowed.
 */
export function localTransport(path: string): Transport {
  return {
    connect: (service) =>
      Promise.resolve(
        service === 'git-upload-pack'
          ? streamConnection(
              'git',
              [
                '-c',
                'uploadpack.allowFilter=true',
                '-c',
                'uploadpack.allowAnySHA1InWant=true',
                'upload-pack',
                '--',
                path,
              ],
              { GIT_PROTOCOL: 'version=2' },
            )
          : streamConnection('git', ['receive-pack', '--', path], {}),
      ),
  };
}

/** A path as a POSIX shell reads it back: in single quotes, `'` and `!` outside them (git's sq_quote). */
export function shellQuote(text: string): string {
  return `'${text.replace(/['!]/g, (c) => `'\\${c}'`)}'`;
}

/** The ssh program git would run, and how it takes its arguments. */
export interface SshProgram {
  /** What is spawned: the program, and the arguments before rollgate's. */
  readonly command: string;
  readonly args: readonly string[];
  /** ssh: OpenSSH (-p, -o SendEnv); plink: -P; tortoiseplink: -batch -P; simple: host and command only. */
  readonly variant: 'ssh' | 'plink' | 'tortoiseplink' | 'simple';
}

/**
 * GIT_SSH_COMMAND (a shell command line, run as git runs it: through `sh -c` with the arguments after
 * it as "$@", so no part of the URL is ever read by a shell), else GIT_SSH (a program), else the
 * config's core.sshCommand, else `ssh`. The variant follows git: GIT_SSH_VARIANT or ssh.variant when
 * set, else the program's name; a name git would probe with `ssh -G` counts as simple here.
 */
export async function sshProgram(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SshProgram> {
  const fromEnv = env['GIT_SSH_COMMAND'] || undefined;
  const program = fromEnv === undefined ? env['GIT_SSH'] || undefined : undefined;
  // One git process reads both settings, and only when the environment leaves one open.
  const config = new Map<string, string>();
  if (!env['GIT_SSH_VARIANT'] || (fromEnv === undefined && program === undefined)) {
    const got = await runGit(['config', '--get-regexp', '^(core\\.sshcommand|ssh\\.variant)$']);
    for (const line of got.code === 0 ? got.stdout.split('\n') : []) {
      const space = line.indexOf(' ');
      if (space > 0) config.set(line.slice(0, space).toLowerCase(), line.slice(space + 1));
    }
  }
  const line = fromEnv ?? (program === undefined ? config.get('core.sshcommand') : undefined);
  const first = (line ?? program ?? 'ssh').trim().split(/\s+/)[0] ?? 'ssh';
  const name = basename(first)
    .toLowerCase()
    .replace(/\.exe$/, '');
  const set = (env['GIT_SSH_VARIANT'] || config.get('ssh.variant') || 'auto').toLowerCase();
  const variant =
    set === 'ssh' || set === 'plink' || set === 'tortoiseplink' || set === 'simple'
      ? set
      : set === 'putty'
        ? 'plink'
        : name === 'ssh' || name === 'plink' || name === 'tortoiseplink'
          ? name
          : 'simple';
  return line !== undefined
    ? { command: 'sh', args: ['-c', `${line} "$@"`, line], variant }
    : { command: program ?? 'ssh', args: [], variant };
}

/**
 * A repository over ssh, reached as `git fetch` reaches it: `ssh [-o SendEnv=GIT_PROTOCOL] [-p port]
 * [user@]host "git-upload-pack '/path'"` with GIT_PROTOCOL=version=2 in ssh's environment (a server
 * that accepts the variable answers in protocol v2; one that does not answers in v0, and the store
 * goes through a clone). The program is resolved once, on the first connection.
 */
export function sshTransport(remote: Extract<RemoteUrl, { kind: 'ssh' }>): Transport {
  let program: Promise<SshProgram> | undefined;
  return {
    async connect(service) {
      program ??= sshProgram();
      const ssh = await program;
      const options: string[] = [];
      if (ssh.variant === 'ssh') {
        if (service === 'git-upload-pack') options.push('-o', 'SendEnv=GIT_PROTOCOL');
        if (remote.port !== undefined) options.push('-p', remote.port);
      } else {
        if (ssh.variant === 'tortoiseplink') options.push('-batch');
        if (remote.port !== undefined) {
          // git would probe the program with `ssh -G` first: leave that to git, through a clone.
          if (ssh.variant === 'simple')
            throw new WireUnsupported(
              `${ssh.command} is not known to take a port; set GIT_SSH_VARIANT=ssh if it is OpenSSH`,
            );
          options.push('-P', remote.port);
        }
      }
      return streamConnection(
        ssh.command,
        [...ssh.args, ...options, remote.host, `${service} ${shellQuote(remote.path)}`],
        service === 'git-upload-pack' ? { GIT_PROTOCOL: 'version=2' } : {},
      );
    },
  };
}
