import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { git, showFile } from '../helpers/repo.js';

// `npm run demo:canary` is `rollgate demo canary`: this runs the same entry with the real
// Prometheus (backfilled by promtool) and checks the story it tells, from its output and from the
// GitOps repository it leaves behind (--keep).

const OVERLAY = 'apps/checkout/overlays/production/kustomization.yaml';
const ROUTE = 'apps/checkout/overlays/production/httproute.yaml';
const STATE = '.rollgate/state/production/checkout.yaml';

describe('npm run demo:canary', () => {
  it('1.5.0 steps 5 -> 25 -> 50, promotes and verifies; 1.6.0 fails analysis at 25% and rolls back with a hold', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['demo', 'canary', '--keep'], {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: process.env,
      cwd: process.cwd(),
    });
    const text = out.join('\n');
    const kept = /^kept (.+)$/m.exec(text)?.[1];
    try {
      expect(err.join('\n')).toBe('');
      expect(code, text).toBe(0);
      expect(kept).toBeDefined();
      const gitops = join(kept ?? '', 'gitops.git');

      // One commit per rollout action, in the order of the story.
      const log = (
        await git(
          gitops,
          'log',
          '--reverse',
          '--format=%s%x09%(trailers:key=Rollgate-Phase,valueonly,separator=)%x09%(trailers:key=Rollgate-Weight,valueonly,separator=)',
        )
      )
        .trim()
        .split('\n')
        .slice(1) // the bootstrap commit
        .map((line) => line.split('\t'));
      const production = log.filter(([subject]) => /in production/.test(subject ?? ''));
      expect(production.map(([, phase, weight]) => `${phase} ${weight}`)).toEqual([
        'progressing 5', // 1.5.0 starts
        'progressing 25',
        'progressing 50',
        'promoted 0',
        'verified 0',
        'progressing 5', // 1.6.0 starts
        'progressing 25',
        'rolled-back 0', // analysis failed at 25%
      ]);
      expect(production.map(([subject]) => /(1\.[56]\.0)/.exec(subject ?? '')?.[1])).toEqual([
        '1.5.0',
        '1.5.0',
        '1.5.0',
        '1.5.0',
        '1.5.0',
        '1.6.0',
        '1.6.0',
        '1.6.0',
      ]);
      const rollback = await git(gitops, 'log', '-1', '--format=%B', 'main');
      expect(rollback).toMatch(/^Rollgate-Hold: 1\.6\.0$/m);
      expect(rollback).toMatch(/^Rollgate-Analysis: canary-errors=fail/m);
      expect(rollback).toMatch(/^Rollgate-Clock: simulated$/m);

      // Final versions: stable and canary back on 1.5.0, no traffic to the canary, 1.6.0 held.
      const overlay = await showFile(gitops, OVERLAY);
      expect(overlay).toMatch(/name: ghcr\.io\/acme\/checkout {3}# the stable image\n\s+newTag: "1\.5\.0"/);
      expect(overlay).toMatch(
        /name: checkout-canary.*\n\s+newName: ghcr\.io\/acme\/checkout\n\s+newTag: "1\.5\.0"/,
      );
      expect([...(await showFile(gitops, ROUTE)).matchAll(/weight: (\d+)/g)].map((m) => m[1])).toEqual([
        '100',
        '0',
      ]);
      const state = await showFile(gitops, STATE);
      expect(state).toMatch(/^stable: "1\.5\.0"$/m);
      expect(state).toMatch(/^ {2}phase: rolled-back$/m);
      expect(state).toMatch(/^ {2}- version: "1\.6\.0"$/m);

      // What the reader sees: the wait, the refusal of the held version, the status at the end.
      expect(text).toContain('(exit 1)'); // promoting 1.6.0 again is refused by the hold
      expect(text).toMatch(/=== 14\. 15:00 where everything stands\n\$ rollgate status/);
    } finally {
      if (kept) await rm(kept, { recursive: true, force: true });
    }
  }, 240_000);
});
