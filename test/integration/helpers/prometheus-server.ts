import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrometheusServer {
  readonly url: string;
  stop(): Promise<void>;
}

async function which(binary: string): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v "$1"', 'sh', binary]);
    return true;
  } catch {
    return false;
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
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus at ${url} not ready after 60s:\n${log()}`);
}

/**
 * Backfills `openMetrics` with promtool and starts a real Prometheus on a free loopback port.
 * Missing binaries fail loudly (the tests must never pass without the real server).
 */
export async function startPrometheus(openMetrics: string): Promise<PrometheusServer> {
  for (const binary of ['prometheus', 'promtool']) {
    if (!(await which(binary))) {
      throw new Error(
        `${binary} is not installed: run .ci/install-prometheus.sh (apt-get install prometheus); the Prometheus integration tests need the real server`,
      );
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-prom-'));
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
  await waitReady(url, child, () => stderr);
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
