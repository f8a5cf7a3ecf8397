import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import { gitopsFiles, seedRepo } from '../rollout/fixture.js';

// A GitOps history with known delivery figures, written by rollgate's own CLI on a real git
// repository with a simulated clock: staging promotes plainly (one rollback), production rolls out
// canaries with a verify (one abort). The answers are worked out by hand in delivery.test.ts.

export const CONFIG = `version: 1
gitops:
  repository: .
services:
  checkout:
    image: ghcr.io/acme/checkout
environments:
  staging:
    path: apps/{{service}}/overlays/staging
  production:
    path: apps/{{service}}/overlays/production
    canary:
      image: "{{service}}-canary"
      traffic: { kind: gateway-api, file: traffic.yaml, route: "{{service}}", canaryBackend: "{{service}}-canary" }
      steps: [50]
      interval: 30m
      verify: { duration: 1h }
`;

const STAGING = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: checkout
resources:
  - ../../base
images:
  - name: ghcr.io/acme/checkout
    newTag: "1.4.0"
`;

/** Every command, in time order: [argv, expected exit code]. */
export const STORY: readonly (readonly [readonly string[], number])[] = [
  [['promote', 'staging', '--version', '1.4.1', '--at', '2026-11-21T10:00:00Z'], 0], // before the window
  [
    [
      'promote',
      'staging',
      '--version',
      '1.5.0',
      '--source-time',
      '2026-11-23T08:00:00Z',
      '--at',
      '2026-11-23T10:00:00Z',
    ],
    0,
  ],
  [
    [
      'promote',
      'production',
      '--version',
      '1.5.0',
      '--source-time',
      '2026-11-23T08:00:00Z',
      '--at',
      '2026-11-24T10:00:00Z',
    ],
    0,
  ],
  [['tick', '--at', '2026-11-24T10:31:00Z'], 0], // promoted
  [['tick', '--at', '2026-11-24T11:32:00Z'], 0], // verified
  [
    [
      'promote',
      'staging',
      '--version',
      '1.6.0',
      '--source-time',
      '2026-11-24T10:00:00Z',
      '--at',
      '2026-11-25T10:00:00Z',
    ],
    0,
  ],
  [['rollback', 'staging', '--at', '2026-11-25T12:00:00Z'], 0],
  [['promote', 'staging', '--version', '1.6.1', '--at', '2026-11-26T12:00:00Z'], 0], // no source time
  [
    [
      'promote',
      'production',
      '--version',
      '1.6.1',
      '--source-time',
      '2026-11-26T10:00:00Z',
      '--at',
      '2026-12-01T10:00:00Z',
    ],
    0,
  ],
  [['abort', 'production', '--at', '2026-12-01T10:10:00Z'], 0],
  [
    [
      'promote',
      'production',
      '--version',
      '1.7.0',
      '--source-time',
      '2026-12-02T09:00:00Z',
      '--at',
      '2026-12-02T10:00:00Z',
    ],
    0,
  ],
  [['tick', '--at', '2026-12-02T10:31:00Z'], 0], // promoted
  [['tick', '--at', '2026-12-02T11:32:00Z'], 0], // verified: restores the abort
  [
    [
      'promote',
      'staging',
      '--version',
      '1.7.0',
      '--source-time',
      '2026-12-08T08:00:00Z',
      '--at',
      '2026-12-08T09:00:00Z',
    ],
    0,
  ],
];

export async function cli(argv: readonly string[], cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...argv], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { USER: 'ana' },
    cwd,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Builds the history; returns the bare repository and the config file. */
export async function buildHistory(root: string): Promise<{ bare: string; config: string }> {
  const files = {
    ...gitopsFiles(['checkout'], 'gateway-api', '1.4.0'),
    'apps/checkout/overlays/staging/kustomization.yaml': STAGING,
  };
  const { bare } = await seedRepo(root, files, '2026-11-20T12:00:00Z');
  const config = join(root, 'rollgate.yaml');
  await writeFile(config, CONFIG);
  for (const [argv, expected] of STORY) {
    const result = await cli([...argv, '--simulate-clock', '--config', config, '--gitops', bare]);
    if (result.code !== expected)
      throw new Error(
        `rollgate ${argv.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
      );
  }
  return { bare, config };
}
