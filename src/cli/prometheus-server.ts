import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IoError } from '../core/errors.js';

// A real Prometheus on a loopback port, its storage backfilled by promtool from an OpenMetrics
// text: the canary demo's metrics and the Prometheus integration tests both start one this way.
// Debian's package (apt-get install prometheus) puts both binaries in /usr/bin.

const run = promisify(execFile);

export interface PrometheusServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Resolves when `binary` runs; an IoError that says how to install it otherwise. */
async function requireBinary(binary: string): Promise<void> {
  try {
    await run(binary, ['--version']);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return; // it exists; an odd --version exit is not our business
    throw new IoError(
      `${binary} is not installed: install Prometheus (Debian/Ubuntu: sudo apt-get install prometheus, ` +
        `or .ci/install-prometheus.sh), then run this again. A real Prometheus is needed; there is no stand-in.`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new IoError(`prometheus exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new IoError(`prometheus at ${url} not ready after 60s:\n${log()}`);
}

/**
 * Backfills `openMetrics` with `promtool tsdb create-blocks-from openmetrics` and starts a real
 * Prometheus on a free loopback port. A missing binary is an IoError saying how to install it (the
 * tests and the demo never run without the real server).
 */
export async function startPrometheus(openMetrics: string): Promise<PrometheusServer> {
  for (const binary of ['prometheus', 'promtool']) await requireBinary(binary);
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-prom-'));
  try {
    const input = join(dir, 'samples.om');
    const data = join(dir, 'data');
    const config = join(dir, 'prometheus.yml');
    await writeFile(input, openMetrics);
    await writeFile(config, 'global:\n  scrape_interval: 1m\n');
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, data], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        // Backfilled samples are older than the default 15 days; keep them all.
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitReady(url, child, () => stderr);
    } catch (err) {
      await stop();
      throw err;
    }
    return { url, stop };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
