import { spawn } from 'node:child_process';
import { median } from './row.js';

// Whole-process timing, paired: A and B run in turn (A B A B ...), so a comparison holds while a
// shared machine's speed drifts, and the ratio is taken pair by pair. Wall time from spawn to exit.

export interface Command {
  readonly argv: readonly [string, ...string[]];
  readonly cwd?: string;
  /** The exit code a run must end with (a run that fails is not a measurement). */
  readonly exitCode?: number;
}

export interface Paired {
  /** Medians in milliseconds. */
  readonly aMs: number;
  readonly bMs: number;
  /** The median of the pair-by-pair ratios A/B. */
  readonly ratio: number;
  readonly pairs: number;
}

/** Wall milliseconds of one run of `command`; throws when it exits other than expected. */
export function timeOnce(command: Command): Promise<number> {
  const [file, ...args] = command.argv;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Not the parent's execArgv or NODE_OPTIONS: tsx's loader must not slow the measured process.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(file, args, { cwd: command.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const expected = command.exitCode ?? 0;
      if (code === expected) resolve(ms);
      else
        reject(new Error(`${command.argv.join(' ')} exited ${code}, expected ${expected}: ${stderr.trim()}`));
    });
  });
}

/** One warm-up run of each, then `pairs` runs of A and B in turn. */
export async function paired(a: Command, b: Command, pairs = 11): Promise<Paired> {
  await timeOnce(a);
  await timeOnce(b);
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const aMs = await timeOnce(a);
    const bMs = await timeOnce(b);
    as.push(aMs);
    bs.push(bMs);
    ratios.push(aMs / bMs);
  }
  return { aMs: median(as), bMs: median(bs), ratio: median(ratios), pairs };
}
