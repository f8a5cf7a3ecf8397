import { spawn } from 'node:child_process';
import type { GitObject } from './exec.js';

// One `git cat-file --batch` process for the life of a store: every object a promotion reads (the
// head, the folders along the overlay paths, the files) goes through it, request after request, so
// a read costs pipe round trips, not processes. It sees what later fetches bring (git looks again
// for packs and refs it does not know) and answers in the order it was asked.

export interface ObjectReader {
  /** The object a name resolves to (an id, `<commit>^{tree}`, a ref); undefined when there is none. */
  read(name: string): Promise<GitObject | undefined>;
  close(): Promise<void>;
}

export interface CatFileOptions {
  /**
   * The repository's own objects only: a repository that is itself a partial clone must not fetch
   * what it lacks from its remote (GIT_NO_LAZY_FETCH). For a repository read in place; rollgate's
   * private clone does fetch what it lacks.
   */
  readonly noLazyFetch?: boolean;
}

export function catFile(cwd: string, options: CatFileOptions = {}): ObjectReader {
  let child: ReturnType<typeof spawn> | undefined;
  const waiting: { resolve: (o: GitObject | undefined) => void; reject: (err: Error) => void }[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let stderr = '';
  let closed: Promise<void> = Promise.resolve();

  const fail = (err: Error) => {
    for (const w of waiting.splice(0)) w.reject(err);
  };

  /** Answers every complete response at the front of the buffer. */
  const drain = () => {
    for (;;) {
      const lineEnd = pending.indexOf(0x0a);
      if (lineEnd === -1) return;
      const header = pending.subarray(0, lineEnd).toString('utf8');
      const match = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
      if (!match) {
        // "<name> missing" or "<name> ambiguous": no body follows.
        pending = pending.subarray(lineEnd + 1);
        waiting.shift()?.resolve(undefined);
        continue;
      }
      const size = Number(match[3]);
      if (pending.length < lineEnd + 1 + size + 1) return;
      const content = Buffer.from(pending.subarray(lineEnd + 1, lineEnd + 1 + size));
      pending = pending.subarray(lineEnd + 1 + size + 1);
      waiting.shift()?.resolve({ oid: match[1] ?? '', type: match[2] ?? '', content });
    }
  };

  const start = () => {
    const proc = spawn('git', ['cat-file', '--batch'], {
      cwd,
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
        ...(options.noLazyFetch ? { GIT_NO_LAZY_FETCH: '1' } : {}),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => {
      pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
      drain();
    });
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.stdin?.on('error', () => undefined);
    proc.on('error', (err) => fail(err));
    closed = new Promise<void>((resolve) =>
      proc.on('close', (code) => {
        fail(new Error(`git cat-file exited ${code}: ${stderr.trim()}`));
        child = undefined;
        resolve();
      }),
    );
    return proc;
  };

  return {
    read(name) {
      // A newline would split the request in two and shift every answer after it.
      if (/[\r\n]/.test(name))
        return Promise.reject(new Error(`path with a line break: ${JSON.stringify(name)}`));
      child ??= start();
      const proc = child;
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        proc.stdin?.write(`${name}\n`);
      });
    },
    close() {
      child?.stdin?.end();
      return closed;
    },
  };
}
