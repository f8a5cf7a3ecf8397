import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { git, showFile } from '../helpers/repo.js';
import { kustomizeBuild } from '../overlays/kubectl.js';

// `npm run demo:blue-green` is `rollgate demo blue-green`: this runs the same entry and checks the
// story from its output and from the GitOps repository it leaves behind (--keep): 1.4.0 previewed
// on green, switched to, blue scaled down; 1.5.0 on blue, switched to, aborted with one switch-back.

const OVERLAY = 'apps/payments/overlays/production';
const STATE = '.rollgate/state/production/payments.yaml';

describe('npm run demo:blue-green', () => {
  it('shows a preview, a switch, a scale-down, and a switch-back in one commit', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['demo', 'blue-green', '--keep'], {
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
      const gitops = join(kept ?? '', 'gitops.git');
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
        .slice(1)
        .map((line) => line.split('\t').slice(1).join(' '));
      expect(log).toEqual([
        'previewing 0', // 1.4.0 on green
        'switched 100',
        'scaled-down 100',
        'previewing 0', // 1.5.0 on blue
        'switched 100',
        'aborted 0', // one switch-back commit
      ]);
      // The switch-back touched the Service (and the state) only.
      const last = (await git(gitops, 'show', '--format=', '--name-only', 'main')).trim().split('\n').sort();
      expect(last).toEqual([STATE, `${OVERLAY}/service.yaml`]);
      expect(await showFile(gitops, `${OVERLAY}/service.yaml`)).toContain(
        'app.kubernetes.io/color: green # the live colour',
      );
      expect(text).toContain('switch: 1.4.0 takes all traffic');
      expect(text).toMatch(/DENIED {3}payments 1\.5\.0 -> production by hold/);
      // What Argo CD would apply now: green live with 1.4.0, blue up (inside the delay) with 1.5.0.
      const dir = join(kept ?? '', 'checkout');
      await git(kept ?? '', 'clone', '--quiet', gitops, dir);
      const objects = (await kustomizeBuild(join(dir, OVERLAY))) as {
        kind: string;
        metadata: { name: string };
        spec: { replicas?: number; template?: { spec: { containers: { image: string }[] } } };
      }[];
      expect(
        objects
          .filter((o) => o.kind === 'Deployment')
          .map((o) => [o.metadata.name, o.spec.replicas, o.spec.template?.spec.containers[0]?.image]),
      ).toEqual([
        ['payments-blue', 3, 'ghcr.io/acme/payments:1.5.0'],
        ['payments-green', 3, 'ghcr.io/acme/payments:1.4.0'],
      ]);
    } finally {
      if (kept !== undefined) await rm(kept, { recursive: true, force: true });
    }
  });
});
