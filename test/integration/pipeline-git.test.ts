import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { promote } from '../../src/core/pipeline.js';
import { promoteTogether, togetherPaths } from '../../src/core/promote-together.js';
import { readHistory } from '../../src/core/history-read.js';
import type { PromotionRequest } from '../../src/core/types.js';
import { runGit } from '../../src/gitops/exec.js';
import { openCloneStore, openGitStore } from '../../src/gitops/git-cli.js';
import type { GitOpsStore } from '../../src/core/store.js';
import { EXAMPLE_CONFIG, exampleGitOps, git, showFile, tempDir } from '../helpers/repo.js';

const run = promisify(execFile);

function request(environment: string, services: string[], tag: string): PromotionRequest {
  return { environment, services, version: { tag }, requestedBy: 'tester', source: 'test' };
}

const at = (iso: string) => () => new Date(iso);
/** A retry clock the test drives: sleeping advances it, nothing waits. */
function fakeTime(deadlineMs = 5_000) {
  let t = 0;
  return {
    deadlineMs,
    elapsed: () => t,
    sleep: async (ms: number) => {
      t += Math.max(ms, 1);
    },
    random: () => 1,
  };
}

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
        retry: fakeTime(),
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

  it('gives up at the deadline when the branch keeps moving, writing nothing of its own', async () => {
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
        retry: fakeTime(3_000),
      });
      // Bounded by time, not by a count: backoffs of 40, 80, ... 1000 ms fill the 3 s by attempt 8.
      expect(outcome).toMatchObject({ kind: 'gave-up', cause: 'moved', attempts: 8 });
      expect(await git(bare, 'rev-list', '--count', 'main')).toBe('1\n');
    } finally {
      await store.close();
    }
  });

  it('lands concurrent promotions of different services, each exactly once, with linear history and no lost edit', async () => {
    // Issue 10: 50 promotions of different services started at once on one bare repository all
    // land. In process (each with its own clone, store and retry clock, as 50 CLI runs would have),
    // so the test pays for 50 clones, not for 50 Node start-ups on a 2-core CI machine.
    const services = Array.from({ length: 50 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
    const { bare, config } = await servicesRepo(root, services);
    // All started at once, each with its own clone, as 50 CLI runs would be.
    const outcomes = await Promise.all(
      services.map(async (s) => {
        const store = await openGitStore({ repository: bare, branch: 'main' });
        try {
          // A deadline no racer reaches on a loaded machine: the test asserts that all land, not how fast.
          return await promote(config, request('dev', [s], '2.0.0'), {
            store,
            clock: at('2026-11-16T09:00:00Z'),
            retry: { deadlineMs: 840_000 },
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
      expect(await showFile(bare, `apps/${s}/dev/kustomization.yaml`)).toBe(overlay(s, '2.0.0'));
    }
  }, 900_000);

  it('rolls several services back to different versions with one read and one commit', async () => {
    const services = ['a', 'b', 'c'];
    const { bare, config } = await servicesRepo(root, services);
    const store = await openGitStore({ repository: bare, branch: 'main' });
    try {
      for (const [s, tag] of [
        ['a', '1.1.0'],
        ['b', '1.2.0'],
        ['c', '1.3.0'],
      ] as const)
        expect(
          (await promote(config, request('dev', [s], tag), { store, clock: at('2026-11-16T09:00:00Z') }))
            .kind,
        ).toBe('committed');
      let reads = 0;
      let commits = 0;
      const counting: GitOpsStore = {
        read: (paths) => (reads++, store.read(paths)),
        history: (...args) => store.history(...args),
        commit: (...args) => (commits++, store.commit(...args)),
      };
      const requests = (
        [
          [['a', 'b'], '1.0.0'],
          [['c'], '1.2.5'],
        ] as const
      ).map(([group, tag]): PromotionRequest => ({ ...request('dev', [...group], tag), kind: 'rollback' }));
      const snapshot = await counting.read(togetherPaths(config, requests));
      const outcomes = await promoteTogether(
        config,
        requests,
        { store: counting, clock: at('2026-11-16T10:00:00Z') },
        snapshot,
      );
      expect(outcomes.map((o) => o.kind)).toEqual(['committed', 'committed']);
      expect(reads).toBe(1);
      expect(commits).toBe(1);
      const head = (await git(bare, 'rev-parse', 'main')).trim();
      for (const o of outcomes) if (o.kind === 'committed') expect(o.sha).toBe(head);
      for (const [s, tag] of [
        ['a', '1.0.0'],
        ['b', '1.0.0'],
        ['c', '1.2.5'],
      ] as const)
        expect(await showFile(bare, `apps/${s}/dev/kustomization.yaml`)).toBe(overlay(s, tag));
      // The history reads the one commit as each service's own version.
      const history = await readHistory(store, head, [
        { environment: 'dev', service: 'c', version: undefined },
      ]);
      expect(history.filter((e) => e.sha === head).map((e) => [e.services, e.version])).toEqual([
        [['a', 'b'], '1.0.0'],
        [['c'], '1.2.5'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('20 concurrent promotions of one service: the last landed version stays, no false success, the others superseded', async () => {
    const { bare, config } = await servicesRepo(root, ['solo']);
    const versions = Array.from({ length: 20 }, (_, i) => `2.0.${i + 1}`);
    const outcomes = await Promise.all(
      versions.map(async (v) => {
        const store = await openGitStore({ repository: bare, branch: 'main' });
        try {
          return await promote(config, request('dev', ['solo'], v), {
            store,
            clock: at('2026-11-16T09:00:00Z'),
          });
        } finally {
          await store.close();
        }
      }),
    );
    const committed = outcomes.flatMap((o, i) =>
      o.kind === 'committed' ? [{ sha: o.sha, version: versions[i] }] : [],
    );
    const superseded = outcomes.filter((o) => o.kind === 'superseded');
    expect(committed.length).toBeGreaterThanOrEqual(1);
    expect(committed.length + superseded.length).toBe(20);
    // Every reported success is in the history, and the last of them is what the overlay holds.
    const landed = (await git(bare, 'log', '--format=%H', 'main~0', '--', 'apps/solo/dev/kustomization.yaml'))
      .trim()
      .split('\n');
    expect(landed.slice(0, committed.length).sort()).toEqual(committed.map((c) => c.sha).sort());
    const head = (await git(bare, 'rev-parse', 'main')).trim();
    const last = committed.find((c) => c.sha === head);
    expect(last).toBeDefined();
    expect(await showFile(bare, 'apps/solo/dev/kustomization.yaml')).toBe(
      overlay('solo', last?.version ?? ''),
    );
    for (const o of superseded) {
      if (o.kind !== 'superseded') continue;
      expect(o.reasonCode).toBe('superseded');
      expect(o.landed[0]?.service).toBe('solo');
      expect(committed.map((c) => c.version)).toContain(o.landed[0]?.now);
    }
  }, 240_000);

  it.each(['wire', 'clone'] as const)(
    'reports a ref lock as a lock, and a rejecting pre-receive hook as what it says (%s)',
    async (transport) => {
      const bare = await exampleGitOps(root);
      const config = await loadConfigFile(EXAMPLE_CONFIG, {});
      await writeFile(join(bare, 'refs', 'heads', 'main.lock'), '');
      const store = await openGitStore({ repository: bare, branch: 'main', transport });
      try {
        const locked = await promote(config, request('dev', ['checkout'], '1.4.0'), {
          store,
          clock: at('2026-11-16T09:00:00Z'),
          retry: fakeTime(2_000),
        });
        expect(locked).toMatchObject({ kind: 'gave-up', cause: 'locked' });
        if (locked.kind === 'gave-up') expect(locked.detail).toMatch(/main\.lock/);
        await rm(join(bare, 'refs', 'heads', 'main.lock'));
        const hook = join(bare, 'hooks', 'pre-receive');
        await writeFile(hook, '#!/bin/sh\necho "policy: production needs a signed commit" >&2\nexit 1\n');
        await chmod(hook, 0o755);
        await expect(
          promote(config, request('dev', ['checkout'], '1.4.0'), {
            store,
            clock: at('2026-11-16T09:00:00Z'),
          }),
        ).rejects.toThrow(
          /refused the push to main \(pre-receive hook declined\): policy: production needs a signed commit/,
        );
        expect(await git(bare, 'rev-list', '--count', 'main')).toBe('1\n');
      } finally {
        await store.close();
      }
    },
  );

  it('refuses a downgrade without --reason, and records why the reason was needed apart from its text', async () => {
    const bare = await exampleGitOps(root);
    const config = await loadConfigFile(EXAMPLE_CONFIG, {});
    const store = await openGitStore({ repository: bare, branch: 'main' });
    try {
      const refused = await promote(config, request('dev', ['checkout'], '1.2.9'), {
        store,
        clock: at('2026-11-16T09:00:00Z'),
      });
      expect(refused.kind).toBe('denied');
      expect(refused.evaluation.decision.verdicts).toContainEqual(
        expect.objectContaining({ gate: 'downgrade', outcome: 'fail', reasonCode: 'downgrade.needs-reason' }),
      );
      expect(await git(bare, 'rev-list', '--count', 'main')).toBe('1\n');
      const allowed = await promote(
        config,
        { ...request('dev', ['checkout'], '1.2.9'), reason: '1.3.0 leaks connections' },
        { store, clock: at('2026-11-16T09:00:00Z') },
      );
      expect(allowed.kind).toBe('committed');
      const body = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(body).toContain('Rollgate-Reason: 1.3.0 leaks connections\nRollgate-Reason-For: downgrade\n');
      expect(body).toContain('downgrade=warn');
    } finally {
      await store.close();
    }
  });

  it('commits over the wire and from a bare, blobless clone with no work tree and no index, on a 20,000-file repository', async () => {
    const bare = join(root, 'big.git');
    await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    const lines: string[] = [
      'commit refs/heads/main',
      'committer T <t@example.com> 1700000000 +0000',
      'data 5',
      'seed',
    ];
    for (let i = 0; i < 19_999; i++) {
      const body = `n: ${i}\n`;
      lines.push(`M 100644 inline other/d${i % 200}/f${i}.yaml`, `data ${Buffer.byteLength(body)}`, body);
    }
    const text = overlay('big', '1.0.0');
    lines.push('M 100644 inline apps/big/dev/kustomization.yaml', `data ${Buffer.byteLength(text)}`, text);
    const imported = await runGit(['fast-import', '--quiet'], { cwd: bare, input: `${lines.join('\n')}\n` });
    expect(imported.code).toBe(0);
    const config = servicesConfig(bare, ['big']);
    // Over the wire (the default for a repository on this machine): no clone at all.
    const wire = await openGitStore({ repository: bare, branch: 'main' });
    try {
      const outcome = await promote(config, request('dev', ['big'], '1.5.0'), {
        store: wire,
        clock: at('2026-11-16T09:00:00Z'),
      });
      expect(outcome.kind).toBe('committed');
    } finally {
      await wire.close();
    }
    expect((await git(bare, 'diff', '--name-only', 'main~1', 'main')).trim().split('\n')).toEqual([
      '.rollgate/state/dev/big.yaml',
      'apps/big/dev/kustomization.yaml',
    ]);
    expect(await showFile(bare, 'apps/big/dev/kustomization.yaml')).toBe(overlay('big', '1.5.0'));
    // Through a clone (the way for any other URL): bare, blobless, one commit deep.
    const store = await openCloneStore({ repository: bare, branch: 'main' });
    try {
      const outcome = await promote(config, request('dev', ['big'], '2.0.0'), {
        store,
        clock: at('2026-11-16T09:00:00Z'),
      });
      expect(outcome.kind).toBe('committed');
      expect((await git(store.gitDir, 'rev-parse', '--is-bare-repository')).trim()).toBe('true');
      expect(existsSync(join(store.gitDir, 'index'))).toBe(false);
      expect(existsSync(join(store.gitDir, 'apps'))).toBe(false);
      // Only the head's folders and the one file the plan read came over, never the 20,000 blobs.
      const counted = await git(store.gitDir, 'count-objects', '-v');
      expect(Number(/in-pack: (\d+)/.exec(counted)?.[1])).toBeLessThan(1_000);
    } finally {
      await store.close();
    }
    // The overlay and the service's state file (written by every rollgate commit), nothing else.
    expect((await git(bare, 'diff', '--name-only', 'main~1', 'main')).trim().split('\n')).toEqual([
      '.rollgate/state/dev/big.yaml',
      'apps/big/dev/kustomization.yaml',
    ]);
    expect((await git(bare, 'ls-tree', '-r', '--name-only', 'main')).trim().split('\n')).toHaveLength(20_001);
    expect(await showFile(bare, 'apps/big/dev/kustomization.yaml')).toBe(overlay('big', '2.0.0'));
  }, 600_000);
});

function overlay(service: string, tag: string): string {
  return `resources: []\nimages:\n  - name: ghcr.io/acme/${service}\n    newTag: "${tag}" # ${service}\n`;
}

function servicesConfig(bare: string, services: readonly string[]): Config {
  return parseConfig(
    {
      file: 'rollgate.yaml',
      text: `version: 1\ngitops: { repository: ${bare} }\nservices:\n${services.map((s) => `  ${s}: { image: ghcr.io/acme/${s} }`).join('\n')}\nenvironments:\n  dev: { path: "apps/{{service}}/dev" }\n`,
    },
    [],
    {},
  );
}

/** A bare repository with one dev overlay per service (each promotion edits its own file). */
async function servicesRepo(
  root: string,
  services: readonly string[],
): Promise<{ bare: string; config: Config }> {
  const seed = join(root, 'seed');
  for (const s of services) {
    await mkdir(join(seed, 'apps', s, 'dev'), { recursive: true });
    await writeFile(join(seed, 'apps', s, 'dev', 'kustomization.yaml'), overlay(s, '1.0.0'));
  }
  await git(root, 'init', '--quiet', '--initial-branch=main', seed);
  await git(seed, 'add', '.');
  await git(seed, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '-m', 'seed');
  const bare = join(root, 'gitops.git');
  await git(root, 'clone', '--quiet', '--bare', seed, bare);
  return { bare, config: servicesConfig(bare, services) };
}
