import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { promote } from '../../src/core/pipeline.js';
import type { PromotionRequest } from '../../src/core/types.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { showFile, tempDir } from '../helpers/repo.js';
import { handCommit, seedRepo } from './fixture.js';

// Issue 8, state files: what runs is what the overlay at the head says, whoever wrote it. When the
// overlay agrees with the state file, the state's landedAt dates the version; when a person edited
// it by hand, the landing time is the commit since which the overlay has held the value (the path's
// first-parent history), and bake counts from there. On a real git repository.

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const DEV = 'apps/checkout/overlays/dev/kustomization.yaml';

const overlay = (tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: []
images:
  - name: ghcr.io/acme/checkout
    newTag: "${tag}"
`;

const config = parseConfig(
  {
    file: 'rollgate.yaml',
    text: `version: 1
gitops:
  repository: .
services:
  checkout:
    image: ghcr.io/acme/checkout
environments:
  dev:
    path: apps/{{service}}/overlays/dev
  staging:
    path: apps/{{service}}/overlays/staging
    after: dev
    gates: [bake-1h]
gates:
  bake-1h: { bake: 1h }
`,
  },
  [],
  {},
);

function request(environment: string, version: string): PromotionRequest {
  return {
    environment,
    services: ['checkout'],
    version: { tag: version },
    requestedBy: 'release-bot',
    source: 'test',
    dryRun: environment === 'staging',
  };
}

describe('landing times from the state file and, after a hand edit, from the path history', () => {
  let root = '';
  let cleanup = async () => {};
  let close = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await close();
    await cleanup();
  });

  it('a hand edit of the overlay is dated by its own commit: bake counts from there, not from the state', async () => {
    const { bare, work } = await seedRepo(
      root,
      { [DEV]: overlay('1.0.0'), 'apps/checkout/overlays/staging/kustomization.yaml': overlay('1.0.0') },
      '2026-11-30T12:00:00Z',
    );
    const store = await openGitStore({ repository: bare, branch: 'main' });
    close = () => store.close();
    const bakeOf = async (minutes: number, version: string) => {
      const outcome = await promote(config, request('staging', version), { store, clock: () => at(minutes) });
      return outcome.evaluation.decision.verdicts.find((v) => v.gate === 'bake-1h');
    };

    // rollgate promotes 1.1.0 to dev at T0: the state file dates it.
    expect((await promote(config, request('dev', '1.1.0'), { store, clock: () => at(0) })).kind).toBe(
      'committed',
    );
    expect(await showFile(bare, '.rollgate/state/dev/checkout.yaml')).toContain(
      `landedAt: "${at(0).toISOString()}"`,
    );
    expect((await bakeOf(65, '1.1.0'))?.outcome).toBe('pass');

    // A person sets 1.2.0 by hand at T0+30m: the state still says 1.1.0, the overlay wins.
    await handCommit(work, { [DEV]: overlay('1.2.0') }, at(30).toISOString(), 'dev: try 1.2.0');
    const early = await bakeOf(70, '1.2.0');
    expect(early).toMatchObject({ outcome: 'fail' });
    expect(early?.reason).toMatch(/40m/); // 40 minutes since the hand edit, not 70 since the state's landing
    expect((await bakeOf(91, '1.2.0'))?.outcome).toBe('pass');
  });
});
