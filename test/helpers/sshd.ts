import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

// A real OpenSSH server on a loopback port (Debian's openssh-server; .ci/install-sshd.sh), with its
// own config, host key and authorized key in a temp folder: the ssh transport is tested against what
// GitHub or GitLab run, reached by the real ssh client. It logs in as the user running the tests
// (root in CI: sshd then needs its privilege separation folder, /run/sshd).

export const SSHD = '/usr/sbin/sshd';

export interface SshServer {
  readonly port: number;
  readonly user: string;
  /** GIT_SSH_COMMAND that reaches this server with the client key and nothing of ~/.ssh. */
  readonly sshCommand: string;
  close(): Promise<void>;
}

async function keygen(file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ssh-keygen exited ${String(code)}`)),
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port}: ${log()}`);
}

/**
 * Starts sshd in `dir`. `acceptGitProtocol`: pass GIT_PROTOCOL through (AcceptEnv), as GitHub does;
 * without it the server's git answers in protocol v0.
 */
export async function startSshd(dir: string, options: { acceptGitProtocol: boolean }): Promise<SshServer> {
  await access(SSHD).catch(() => {
    throw new Error(
      `${SSHD} is not installed: install OpenSSH's server (Debian/Ubuntu: apt-get install openssh-server, or .ci/install-sshd.sh), then run this again. The ssh tests need a real sshd.`,
    );
  });
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  await keygen(hostKey);
  await keygen(clientKey);
  const authorized = join(dir, 'authorized_keys');
  await writeFile(authorized, await readFile(`${clientKey}.pub`, 'utf8'), { mode: 0o600 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      ...(options.acceptGitProtocol ? ['AcceptEnv GIT_PROTOCOL'] : []),
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  await listening(port, child, () => log.trim());
  const known = join(dir, 'known_hosts');
  return {
    port,
    user: userInfo().username,
    sshCommand: [
      'ssh',
      '-F',
      '/dev/null',
      '-i',
      clientKey,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      `UserKnownHostsFile=${known}`,
      '-o',
      'LogLevel=ERROR',
    ].join(' '),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('close', () => resolve());
        child.kill();
      }),
  };
}
