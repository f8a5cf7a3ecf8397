import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImages } from '../src/overlays/kustomization.js';
import { atLeast, atMost, type BenchRow } from './row.js';

// Issue 10, "Edits": image edits per second on a 21-line kustomization (in process), a 10 MB
// overlay edited in under 2 s and 300 MB, and cost linear in size (1 MB against 10 MB).
// Run alone: npm run bench -- edits

/** A kustomization of `images` entries (three lines each, comments, quoted tags, digests). */
export function kustomization(images: number): string {
  const lines = [
    '# overlay for production',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: shop   # all services',
    'resources:',
    '  - ../../base',
    '  - httproute.yaml',
    '',
    'images:',
  ];
  for (let i = 0; i < images; i++) {
    lines.push(
      `  - name: ghcr.io/acme/service-${i} # team ${i % 7}`,
      `    newTag: "1.${i}.0"  # pinned`,
      `    digest: sha256:${'ab'.repeat(32)}`,
    );
    if (i % 5 === 4) lines.push('');
  }
  lines.push('labels:', '  - pairs: {team: shop}', '');
  return lines.join('\n');
}

/** A kustomization of about `bytes` bytes. */
function sized(bytes: number): string {
  const per = kustomization(1000).length / 1000;
  return kustomization(Math.round(bytes / per));
}

function edit(text: string, i: number): void {
  const result = setImages(text, [{ name: 'ghcr.io/acme/service-1', newTag: `2.${i}.0` }]);
  if (!result.ok || !result.changed) throw new Error(result.ok ? 'nothing changed' : result.message);
}

/** CPU and wall milliseconds of one edit, the median of `runs`. */
function timeEdit(text: string, runs: number): { cpu: number; wall: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    edit(text, i);
    wall.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return { cpu: mid(cpu), wall: mid(wall) };
}

const MB = 1024 * 1024;

export const rows: readonly BenchRow[] = [
  {
    target: 'image edits on a 21-line kustomization >= 5,000/s (in process)',
    measure: () => {
      const text = kustomization(3);
      const lines = text.split('\n').length;
      for (let i = 0; i < 2000; i++) edit(text, i); // warm up
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < 1000) edit(text, n++);
      const rate = n / ((performance.now() - start) / 1000);
      return atLeast(1, rate / 5000, `${Math.round(rate)} edits/s (${lines} lines)`);
    },
  },
  {
    target: 'a 10 MB overlay edited in < 2 s (in process)',
    measure: () => {
      const text = sized(10 * MB);
      const { cpu, wall } = timeEdit(text, 3);
      return atMost(
        1,
        wall / 2000,
        `${(wall / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} s CPU (${(text.length / MB).toFixed(1)} MB, median of 3)`,
      );
    },
  },
  {
    target: 'a 10 MB overlay edited in < 300 MB (peak RSS of `rollgate edit image`, dist/cli.js)',
    measure: () => {
      const dir = mkdtempSync(join(tmpdir(), 'rollgate-bench-'));
      try {
        const file = join(dir, 'kustomization.yaml');
        writeFileSync(file, sized(10 * MB));
        // A preload reports the process's own peak RSS when it exits.
        const report = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;
        const run = (target: string) => {
          const child = spawnSync(
            process.execPath,
            ['--import', report, 'dist/cli.js', 'edit', 'image', target, 'ghcr.io/acme/service-1:9.9.9'],
            { encoding: 'utf8' },
          );
          const kb = Number(/maxrss=(\d+)/.exec(child.stderr)?.[1]);
          if (child.status !== 0 || !Number.isFinite(kb))
            throw new Error(`rollgate edit failed: ${child.stderr}`);
          return kb / 1024;
        };
        const big = run(file);
        writeFileSync(file, kustomization(3));
        const small = run(file);
        return atMost(1, big / 300, `${Math.round(big)} MB peak (a 21-line file: ${Math.round(small)} MB)`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    target: 'edit cost linear in size: 10 MB <= 1.2x ten times 1 MB (CPU)',
    measure: () => {
      const one = timeEdit(sized(1 * MB), 5).cpu;
      const ten = timeEdit(sized(10 * MB), 3).cpu;
      return atMost(
        1.2,
        ten / (10 * one),
        `1 MB ${one.toFixed(0)} ms, 10 MB ${ten.toFixed(0)} ms CPU (x${(ten / one).toFixed(1)})`,
      );
    },
  },
];
