import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { promote } from '../../src/core/pipeline.js';
import type { PromotionRequest } from '../../src/core/types.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import type { GitOpsStore } from '../../src/core/store.js';
import { EXAMPLE_CONFIG, exampleGitOps, git, showFile, tempDir } from '../helpers/repo.js';

const run = promisify(execFile);

function request(environment: string, services: string[], tag: string): PromotionRequest {
  return { environment, services, version: { tag }, requestedBy: 'tester', source: 'test' };
}

const at = (iso: string) => () => new Date(iso);
const noSleep = async () => {};

describe('promotion pipeline on a real git repository', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('commits the plan with trailers at the clock time, and the overlay still builds', async () => {
    const bare = await exampleGitOps(root);
    const config = await loadConfigFile(EXAMPLE_CONFIG, {});
    const store = await openGitStore({ repository: bare, branch: 'main' });
    try {
      const outcome = await promote(config, request('dev', ['checkout'], '1.4.0'), {
        store,
        clock: at('2026-11-16T09:00:00Z'),
      });
      expect(outcome.kind).toBe('committed');
      if (outcome.kind !== 'committed') return;
      const message = await git(bare, 'log', '-1', '--format=%B%x00%cI', 'main');
      const [body, date] = message.split('\0');
      expect(date?.trim()).toBe('2026-11-16T09:00:00Z'.replace('Z', '+00:00'));
      expect(body).toContain(
        'Rollgate-Environment: dev\nRollgate-Service: checkout\nRollgate-Version: 1.4.0\nRollgate-Requested-By: tester\nRollgate-Source: test\nRollgate-Decision: allowed (no gates)',
      );
      const before = await showFile(bare, 'apps/checkout/overlays/dev/kustomization.yaml', 'main~1');
      const after = await showFile(bare, 'apps/checkout/overlays/dev/kustomization.yaml');
      expect(after).toBe(before.replace('newTag: "1.3.0"', 'newTag: "1.4.0"'));
      // The committed overlay still builds and renders the new image.
      const work = join(root, 'check');
      await git(root, 'clone', '--quiet', bare, work);
      const { stdout } = await run('kubectl', ['kustomize', join(work, 'apps/checkout/overlays/dev')]);
      expect(stdout).toContain('image: ghcr.io/acme/checkout:1.4.0');
    } finally {
      await store.close();
    }
  });

  it('denies without writing, and a second promotion of the same version is a no-op', async () => {
    const bare = await exampleGitOps(root);
    const config = await loadConfigFile(EXAMPLE_CONFIG, {});
    const store = await openGitStore({ repository: bare, branch: 'main' });
    try {
      const head = (await git(bare, 'rev-parse', 'main')).trim();
      const denied = await promote(config, request('staging', ['checkout'], '1.4.0'), {
        store,
        clock: at('2026-11-16T09:00:00Z'),
      });
      expect(denied.kind).toBe('denied');
      expect((await git(bare, 'rev-parse', 'main')).trim()).toBe(head);
      expect(
        (
          await promote(config, request('dev', ['cart'], '1.4.0'), {
            store,
            clock: at('2026-11-16T09:00:00Z'),
          })
        ).kind,
      ).toBe('committed');
      const again = await promote(config, request('dev', ['cart'], '1.4.0'), {
        store,
        clock: at('2026-11-16T09:01:00Z'),
      });
      expect(again.kind).toBe('noop');
      expect(await git(bare, 'rev-list', '--count', 'main')).toBe('2\n');
    } finally {
      await store.close();
    }
  });

  it('re-plans on the new head when the branch moves between read and push', async () => {
    const bare = await exampleGitOps(root);
    const config = await loadConfigFile(EXAMPLE_CONFIG, {});
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const rival = await openGitStore({ repository: bare, branch: 'main' });
    let raced = false;
    // The real store, but the first commit finds that a rival promotion has just landed.
    const racing: GitOpsStore = {
      read: (paths) => store.read(paths),
      history: (...args) => store.history(...args),
      async commit(snapshot, edits, message, when) {
        if (!raced) {
          raced = true;
          const other = await promote(config, request('dev', ['cart'], '2.0.0'), {
            store: rival,
            clock: () => when,
          });
          expect(other.kind).toBe('committed');
        }
        return store.commit(snapshot, edits, message, when);
      },
    };
    try {
      const outcome = await promote(config, request('dev', ['checkout'], '1.4.0'), {
        store: racing,
        clock: at('2026-11-16T09:00:00Z'),
        sleep: noSleep,
      });
      expect(outcome.kind).toBe('committed');
      if (outcome.kind === 'committed') expect(outcome.attempts).toBe(2);
      expect(await showFile(bare, 'apps/cart/overlays/dev/kustomization.yaml')).toContain('newTag: 2.0.0');
      expect(await showFile(bare, 'apps/checkout/overlays/dev/kustomization.yaml')).toContain(
        'newTag: "1.4.0"',
      );
      expect(await git(bare, 'rev-list', '--merges', 'main')).toBe('');
    } finally {
      await store.close();
      await rival.close();
    }
  });

  it('gives up after the bounded attempts when the branch keeps moving, writing nothing of its own', async () => {
    const bare = await exampleGitOps(root);
    const config = await loadConfigFile(EXAMPLE_CONFIG, {});
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const moving: GitOpsStore = {
      read: (p) => store.read(p),
      history: (...args) => store.history(...args),
      commit: async () => ({ kind: 'moved', detail: 'stale info' }),
    };
    try {
      const outcome = await promote(config, request('dev', ['checkout'], '1.4.0'), {
        store: moving,
        clock: at('2026-11-16T09:00:00Z'),
        sleep: noSleep,
        maxAttempts: 3,
      });
      expect(outcome).toMatchObject({ kind: 'gave-up', attempts: 3 });
      expect(await git(bare, 'rev-list', '--count', 'main')).toBe('1\n');
    } finally {
      await store.close();
    }
  });

  it('lands concurrent promotions of different services exactly once each, with linear history and no lost edit', async () => {
    const services = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const seed = join(root, 'seed');
    for (const s of services) {
      await mkdir(join(seed, 'apps', s, 'dev'), { recursive: true });
      // Each promotion edits its own file; they race for the one branch ref.
      await writeFile(
        join(seed, 'apps', s, 'dev', 'kustomization.yaml'),
        `resources: []\nimages:\n  - name: ghcr.io/acme/${s}\n    newTag: "1.0.0" # ${s}\n`,
      );
    }
    await git(root, 'init', '--quiet', '--initial-branch=main', seed);
    await git(seed, 'add', '.');
    await git(seed, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '-m', 'seed');
    const bare = join(root, 'gitops.git');
    await git(root, 'clone', '--quiet', '--bare', seed, bare);
    const config: Config = parseConfig(
      {
        file: 'rollgate.yaml',
        text: `version: 1\ngitops: { repository: ${bare} }\nservices:\n${services.map((s) => `  ${s}: { image: ghcr.io/acme/${s} }`).join('\n')}\nenvironments:\n  dev: { path: "apps/{{service}}/dev" }\n`,
      },
      [],
      {},
    );
    const outcomes = await Promise.all(
      services.map(async (s) => {
        const store = await openGitStore({ repository: bare, branch: 'main' });
        try {
          return await promote(config, request('dev', [s], '2.0.0'), {
            store,
            clock: at('2026-11-16T09:00:00Z'),
            maxAttempts: 20,
          });
        } finally {
          await store.close();
        }
      }),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(services.map(() => 'committed'));
    const log = await git(bare, 'log', '--format=%H %P%x00%B%x1e', 'main');
    const commits = log
      .split('\x1e')
      .map((c) => c.trim())
      .filter(Boolean);
    expect(commits).toHaveLength(services.length + 1);
    for (const c of commits) expect(c.split('\0')[0]?.trim().split(' ').length).toBeLessThanOrEqual(2); // no merges
    for (const s of services) {
      expect(commits.filter((c) => c.includes(`Rollgate-Service: ${s}\n`))).toHaveLength(1);
      expect(await showFile(bare, `apps/${s}/dev/kustomization.yaml`)).toBe(
        `resources: []\nimages:\n  - name: ghcr.io/acme/${s}\n    newTag: "2.0.0" # ${s}\n`,
      );
    }
    const attempts = outcomes.reduce((n, o) => n + (o.kind === 'committed' ? o.attempts : 0), 0);
    expect(attempts).toBeGreaterThanOrEqual(services.length);
  });
});
