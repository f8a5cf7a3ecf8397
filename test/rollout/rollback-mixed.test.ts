import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, tempDir } from '../helpers/repo.js';
import { buildAt, canaryConfigText, gitopsFiles, seedRepo } from './fixture.js';

// Issue 10, the mixed case: `rollback <env>` of two services where one has a canary rollout under
// way and the other finished its rollouts earlier. One commit for both: the rollout is aborted
// (canary back to the stable version, weight 0, the version held) and the other service goes back
// to the version it ran before its current one, with one Rollgate-Service / Rollgate-Version line
// pair per service, each version what that service's stable workload runs after the commit.

describe('rollback of a rolling and a promoted service (CLI, real git)', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('aborts the rollout and rolls the other service back, in one commit', async () => {
    const { bare } = await seedRepo(
      root,
      {
        ...gitopsFiles(['checkout'], 'gateway-api', '1.4.0'),
        ...gitopsFiles(['cart'], 'gateway-api', '2.0.0'),
      },
      '2026-11-30T12:00:00Z',
    );
    const config = join(root, 'rollgate.yaml');
    await writeFile(
      config,
      canaryConfigText(['checkout', 'cart'], 'gateway-api', 'steps: [5, 25, 50]\ninterval: 30m'),
    );
    const common = ['--config', config, '--gitops', bare];
    const sim = (iso: string) => ['--at', iso, '--simulate-clock'];
    const ok = async (argv: string[]) => {
      const r = await cli([...argv, ...common]);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    // cart: two rollouts run to the end (2.0.0 -> 2.1.0 -> 2.2.0), so rollgate's history knows
    // 2.1.0 as the version it ran before its current one.
    const fullRollout = async (version: string, day: string) => {
      await ok([
        'promote',
        'production',
        '--service',
        'cart',
        '--version',
        version,
        ...sim(`${day}T10:00:00Z`),
      ]);
      for (const t of ['10:31', '11:02', '11:33'])
        await ok(['tick', 'production', ...sim(`${day}T${t}:00Z`)]);
    };
    await fullRollout('2.1.0', '2026-12-01');
    await fullRollout('2.2.0', '2026-12-02');
    expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toBe('promote cart 2.2.0 in production\n');
    // checkout: a canary of 1.5.0 at step 2/3 (25%) over the stable 1.4.0.
    await ok([
      'promote',
      'production',
      '--service',
      'checkout',
      '--version',
      '1.5.0',
      ...sim('2026-12-02T14:00:00Z'),
    ]);
    await ok(['tick', 'production', ...sim('2026-12-02T14:31:00Z')]);
    const rows = (
      JSON.parse((await ok(['status', '--json'])).stdout) as { environments: Record<string, unknown>[] }
    ).environments;
    expect(rows.find((r) => r.service === 'checkout')).toMatchObject({
      version: '1.4.0',
      rollout: { version: '1.5.0', active: true, step: 2, weight: 25 },
    });
    expect(rows.find((r) => r.service === 'cart')).toMatchObject({ version: '2.2.0', stable: '2.2.0' });
    expect(rows.find((r) => r.service === 'cart')).not.toMatchObject({ rollout: { active: true } });

    const before = (await git(bare, 'rev-parse', 'main')).trim();
    const back = await cli([
      'rollback',
      'production',
      '--reason',
      'bad build',
      ...sim('2026-12-02T14:40:00Z'),
      ...common,
    ]);
    expect(back.code, back.stderr).toBe(0);
    // Exactly one new commit, reported as the same commit for the abort and the plain rollback.
    expect(await git(bare, 'rev-list', '--count', `${before}..main`)).toBe('1\n');
    const sha = (await git(bare, 'rev-parse', 'main')).trim();
    expect(back.stdout).toContain(
      `abort (operator): aborted: back to 1.4.0, 1.5.0 held [${sha.slice(0, 12)}]`,
    );
    expect(back.stdout).toMatch(/^cart: 2\.2\.0 -> 2\.1\.0 \(last set by [0-9a-f]{12}\)$/m);
    expect(back.stdout).toContain(`committed ${sha.slice(0, 12)} to main`);
    expect((await git(bare, 'show', '--name-only', '--format=', 'main')).trim().split('\n').sort()).toEqual([
      '.rollgate/state/production/cart.yaml',
      '.rollgate/state/production/checkout.yaml',
      'apps/cart/overlays/production/kustomization.yaml',
      'apps/checkout/overlays/production/kustomization.yaml',
      'apps/checkout/overlays/production/traffic.yaml',
    ]);

    // Not every service was aborted, so it is a plain rollback commit (promote-together.ts,
    // docs/canary.md): one pair per service, each version what its stable workload runs after it
    // (checkout's stable 1.4.0, cart's previous 2.1.0), both versions left held, no phase.
    const message = await git(bare, 'log', '-1', '--format=%B', 'main');
    expect(message.split('\n')[0]).toBe('roll back checkout, cart in production');
    expect(message).toContain('\n- checkout: aborted: back to 1.4.0, 1.5.0 held\n');
    const trailers = message.split('\n').filter((l) => /^Rollgate-[A-Za-z-]+: /.test(l));
    expect(trailers.filter((l) => !l.startsWith('Rollgate-Run: '))).toEqual([
      'Rollgate-Environment: production',
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Version: 1.4.0',
      'Rollgate-Version: 2.1.0',
      'Rollgate-Requested-By: ana',
      'Rollgate-Source: rollgate CLI',
      'Rollgate-Decision: rollback (gates skipped)',
      'Rollgate-Hold: 1.5.0, 2.2.0',
      'Rollgate-Reason: bad build',
      'Rollgate-Clock: simulated',
    ]);
    expect(trailers.filter((l) => l.startsWith('Rollgate-Run: '))).toHaveLength(1);

    // checkout: canary back to the stable version at weight 0 and no replicas, the rollout aborted,
    // 1.5.0 held.
    const route = await git(bare, 'show', 'main:apps/checkout/overlays/production/traffic.yaml');
    expect([...route.matchAll(/weight: (\d+)/g)].map((m) => Number(m[1]))).toEqual([100, 0]);
    const overlay = await git(bare, 'show', 'main:apps/checkout/overlays/production/kustomization.yaml');
    expect(overlay).toContain('  - name: ghcr.io/acme/checkout # the stable workload\n    newTag: "1.4.0"');
    expect(overlay).toContain(
      '  - name: checkout-canary\n    newName: ghcr.io/acme/checkout\n    newTag: "1.4.0"',
    );
    expect(overlay).toContain('  - name: checkout-canary\n    count: 0');
    const state = await git(bare, 'show', 'main:.rollgate/state/production/checkout.yaml');
    expect(state).toMatch(/^stable: "1\.4\.0"$/m);
    expect(state).toMatch(/^ {2}version: "1\.5\.0"\n {2}phase: aborted$/m);
    expect(state).toMatch(/^ {2}weight: 0$/m);
    expect(state).toMatch(/^holds:\n {2}- version: "1\.5\.0"$/m);

    // cart: the stable workload back at 2.1.0, its traffic untouched, 2.2.0 held.
    const cartOverlay = await git(bare, 'show', 'main:apps/cart/overlays/production/kustomization.yaml');
    expect(cartOverlay).toContain('  - name: ghcr.io/acme/cart # the stable workload\n    newTag: "2.1.0"');
    const cartState = await git(bare, 'show', 'main:.rollgate/state/production/cart.yaml');
    expect(cartState).toMatch(/^version: "2\.1\.0"$/m);
    expect(cartState).toMatch(/^holds:\n {2}- version: "2\.2\.0"$/m);

    // Every overlay written builds with kubectl kustomize, to the images the trailers name.
    const images = async (service: string) =>
      Object.fromEntries(
        (await buildAt(bare, root, `apps/${service}/overlays/production`)).flatMap((o) => {
          const d = o as {
            kind?: string;
            metadata?: { name?: string };
            spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
          };
          return d.kind === 'Deployment'
            ? [[d.metadata?.name, [d.spec?.template?.spec?.containers?.[0]?.image, d.spec?.replicas]]]
            : [];
        }),
      );
    expect(await images('checkout')).toEqual({
      checkout: ['ghcr.io/acme/checkout:1.4.0', 4],
      'checkout-canary': ['ghcr.io/acme/checkout:1.4.0', 0],
    });
    expect((await images('cart')).cart).toEqual(['ghcr.io/acme/cart:2.1.0', 4]);

    const status = (await ok(['status'])).stdout;
    expect(status).toMatch(/production\s+checkout\s+1\.4\.0\s+1\.4\.0\s+\S+\s+1\.5\.0 aborted/);
    expect(status).toMatch(/production\s+cart\s+2\.1\.0\s+2\.1\.0\s/);
    expect(status).toContain('production/checkout: 1.5.0 held');
    expect(status).toContain('production/cart: 2.2.0 held');
  });
});
