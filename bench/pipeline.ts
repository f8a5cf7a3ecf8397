import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import { promote } from '../src/core/pipeline.js';
import { runGit } from '../src/gitops/exec.js';
import { openGitStore } from '../src/gitops/git-cli.js';

// A whole promotion (read the GitOps head, plan, decide, commit, push) through the git CLI against a
// real bare repository, for 1, 10 and 100 services in one commit. Prints wall time and memory.

async function git(cwd: string, ...args: string[]): Promise<void> {
  const r = await runGit(args, { cwd });
  if (r.code !== 0) throw new Error(r.stderr);
}

async function repoWith(root: string, services: readonly string[]): Promise<string> {
  const seed = join(root, 'seed');
  for (const s of services) {
    await mkdir(join(seed, 'apps', s, 'dev'), { recursive: true });
    await mkdir(join(seed, 'apps', s, 'prod'), { recursive: true });
    const text = `resources: []\nimages:\n  - name: ghcr.io/acme/${s} # ${s}\n    newTag: "1.0.0"\n`;
    await writeFile(join(seed, 'apps', s, 'dev', 'kustomization.yaml'), text);
    await writeFile(join(seed, 'apps', s, 'prod', 'kustomization.yaml'), text);
  }
  await git(root, 'init', '--quiet', '--initial-branch=main', seed);
  await git(seed, 'add', '.');
  await git(seed, '-c', 'user.name=b', '-c', 'user.email=b@e', 'commit', '--quiet', '-m', 'seed');
  await git(root, 'clone', '--quiet', '--bare', seed, join(root, 'gitops.git'));
  return join(root, 'gitops.git');
}

export default async function run(): Promise<void> {
  console.log('services  promote ms (median of 5)  heap MB');
  for (const count of [1, 10, 100]) {
    const root = await mkdtemp(join(tmpdir(), 'rollgate-bench-'));
    try {
      const services = Array.from({ length: count }, (_, i) => `svc${i}`);
      const bare = await repoWith(root, services);
      const config = parseConfig(
        {
          file: 'bench.yaml',
          text: `version: 1\ngitops: { repository: ${bare} }\nservices:\n${services.map((s) => `  ${s}: { image: ghcr.io/acme/${s} }`).join('\n')}\nenvironments:\n  dev: { path: "apps/{{service}}/dev" }\n  prod: { path: "apps/{{service}}/prod", after: dev }\n`,
        },
        [],
        {},
      );
      const store = await openGitStore({ repository: bare, branch: 'main' });
      const times: number[] = [];
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        const outcome = await promote(
          config,
          {
            environment: 'dev',
            services,
            version: { tag: `2.0.${round}` },
            requestedBy: 'bench',
            source: 'bench',
          },
          { store, clock: () => new Date('2026-11-16T09:00:00Z') },
        );
        times.push(performance.now() - started);
        if (outcome.kind !== 'committed') throw new Error(`round ${round}: ${outcome.kind}`);
      }
      await store.close();
      times.sort((a, b) => a - b);
      const heap = process.memoryUsage().heapUsed / 1024 / 1024;
      console.log(`${String(count).padEnd(8)}  ${(times[2] ?? 0).toFixed(0).padEnd(24)}  ${heap.toFixed(0)}`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}

// Details behind the table, not targets: npx tsx bench/pipeline.ts
if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) await run();
