import { spawn } from 'node:child_process';

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs git with an argument array (never a shell string, so no user text is ever interpreted) and
 * collects its output. The caller decides what a non-zero exit means.
 */
export function runGit(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: Readonly<Record<string, string>> } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    if (child.stdin) {
      // git may exit before reading all input (e.g. on an error); that is reported by its exit code.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** One object as `git cat-file --batch` gives it; undefined when the name resolves to nothing. */
export interface GitObject {
  readonly oid: string;
  readonly type: string;
  readonly content: Buffer;
}

/**
 * Streams `git log` from a commit, newest first, and stops the process as soon as `visit` says
 * 'stop': reading 50,000 commits of history costs nothing when the answer is in the first ten.
 */
export function streamLog(
  cwd: string,
  from: string,
  visit: (commit: { sha: string; committedAt: Date; message: string }) => 'more' | 'stop',
  options: { readonly paths?: readonly string[]; readonly firstParent?: boolean } = {},
): Promise<void> {
  if (!/^[0-9a-f]{7,64}$/i.test(from)) return Promise.reject(new Error(`not a commit id: ${from}`));
  const args = [
    'log',
    ...(options.firstParent ? ['--first-parent'] : []),
    '--format=%H%x00%cI%x00%B%x1e',
    from,
    '--',
    ...(options.paths ?? []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    let stopped = false;
    const err: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stopped) return;
      pending += chunk;
      let end = pending.indexOf('\x1e');
      while (end !== -1) {
        const record = pending.slice(0, end).replace(/^\n/, '');
        pending = pending.slice(end + 1);
        const [sha = '', date = '', message = ''] = record.split('\x00');
        if (visit({ sha, committedAt: new Date(date), message }) === 'stop') {
          stopped = true;
          child.kill();
          return;
        }
        end = pending.indexOf('\x1e');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (stopped || code === 0) resolve();
      else reject(new Error(`git log failed: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}
