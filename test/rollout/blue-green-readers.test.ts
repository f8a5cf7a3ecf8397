import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, tempDir } from '../helpers/repo.js';
import { blueGreenConfigText, blueGreenFiles } from './blue-green-fixture.js';
import { seedRepo } from './fixture.js';

// "The version of an environment" for a blue-green environment is the live colour's: `status`
// shows it (and the idle colour's), and an `after:` order gate downstream reads it. Real git, the
// CLI entry in process. `dr` (a plain environment) comes after the blue-green `production`.

const DR = 'apps/checkout/overlays/dr';

function files(): Record<string, string> {
  return {
    ...blueGreenFiles('gateway-api'),
    [`${DR}/kustomization.yaml`]: `resources:
  - ../../base
images:
  - name: checkout-blue
    newName: ghcr.io/acme/checkout
    newTag: "1.4.0"
  - name: checkout-green
    newName: ghcr.io/acme/checkout
    newTag: "1.4.0"
  - name: ghcr.io/acme/checkout # what rollgate sets in dr
    newTag: "1.4.0"
`,
  };
}

function configText(): string {
  return blueGreenConfigText('gateway-api', 'preview: { duration: 10m }\nscaleDownDelay: 30m').replace(
    '\ngates:\n',
    '\n  dr:\n    path: apps/{{service}}/overlays/dr\n    after: production\ngates:\n',
  );
}

interface Row {
  environment: string;
  version?: string;
  workloads?: { name: string; live: boolean; version?: string; replicas?: number }[];
}

describe('readers of the version of a blue-green environment', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('status shows the live and the idle colour; after: reads the live colour, before and after the switch', async () => {
    const { bare } = await seedRepo(root, files(), '2026-11-30T12:00:00Z');
    const config = join(root, 'rollgate.yaml');
    await writeFile(config, configText());
    const common = ['--config', config, '--gitops', bare];
    const sim = (iso: string) => ['--at', iso, '--simulate-clock'];
    const production = async () => {
      const status = await cli(['status', '--json', ...common]);
      expect(status.code, status.stderr).toBe(0);
      return (JSON.parse(status.stdout) as { environments: Row[] }).environments.find(
        (r) => r.environment === 'production',
      );
    };
    const order = async (version: string, at: string) => {
      const checked = await cli(['check', 'dr', '--version', version, '--at', at, '--json', ...common]);
      const verdict = (
        JSON.parse(checked.stdout) as { verdicts: { gate: string; outcome: string; reason: string }[] }
      ).verdicts.find((v) => v.gate === 'order');
      return { code: checked.code, verdict };
    };

    // Blue is live: production runs 1.4.0 (it showed "-" before: no entry named after the service).
    expect(await production()).toMatchObject({
      version: '1.4.0',
      workloads: [
        { name: 'blue', live: true, version: '1.4.0', replicas: 4 },
        { name: 'green', live: false, version: '1.4.0', replicas: 0 },
      ],
    });
    const text = await cli(['status', ...common]);
    expect(text.stdout).toMatch(/production\s+checkout\s+1\.4\.0 on blue\s/);
    expect(text.stdout).toContain(
      'production/checkout: blue 1.4.0 live (4 replicas); green 1.4.0 idle (0 replicas)',
    );
    expect((await order('1.4.0', '2026-12-01T09:00:00Z')).verdict).toMatchObject({
      outcome: 'pass',
      reason: 'production runs 1.4.0',
    });

    // 1.5.0 previews on green: users still get blue's 1.4.0, so dr may not take 1.5.0 yet.
    expect(
      (await cli(['promote', 'production', '--version', '1.5.0', ...sim('2026-12-01T10:00:00Z'), ...common]))
        .code,
    ).toBe(0);
    expect(await production()).toMatchObject({
      version: '1.4.0',
      workloads: [
        { name: 'blue', live: true, version: '1.4.0', replicas: 4 },
        { name: 'green', live: false, version: '1.5.0', replicas: 4 },
      ],
    });
    const early = await order('1.5.0', '2026-12-01T10:05:00Z');
    expect(early.code).toBe(1);
    expect(early.verdict?.outcome).toBe('fail');
    expect(early.verdict?.reason).toContain('production must run 1.5.0 first (checkout runs 1.4.0)');

    // The switch: green is live with 1.5.0; the order gate downstream now passes.
    const tick = await cli(['tick', ...sim('2026-12-01T10:11:00Z'), ...common]);
    expect(tick.code, tick.stderr).toBe(0);
    expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe(
      'switch production checkout to green (1.5.0)\n',
    );
    expect(await production()).toMatchObject({
      version: '1.5.0',
      workloads: [
        { name: 'blue', live: false, version: '1.4.0', replicas: 4 },
        { name: 'green', live: true, version: '1.5.0', replicas: 4 },
      ],
    });
    const after = await order('1.5.0', '2026-12-01T10:12:00Z');
    expect(after.verdict).toMatchObject({ outcome: 'pass', reason: 'production runs 1.5.0' });
    expect(after.code).toBe(0);
    const promoted = await cli([
      'promote',
      'dr',
      '--version',
      '1.5.0',
      ...sim('2026-12-01T10:13:00Z'),
      ...common,
    ]);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect((await cli(['status', ...common])).stdout).toMatch(/dr\s+checkout\s+1\.5\.0\s/);
  });
});
