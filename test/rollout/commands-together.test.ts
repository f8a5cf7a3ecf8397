import { access } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyEntriesOf } from '../../src/core/trailers.js';
import { cli } from '../helpers/cli.js';
import { git, loseNextPushAnswer, moveBranchOnNextPush, tempDir } from '../helpers/repo.js';
import { buildAt, handCommit, simulated, startedRollouts } from './fixture.js';

// Issue 10, multi-service writes: `advance | pause | resume | abort` over several services is one
// read and one commit (every service's edits and state file, the message and trailers naming each
// service), and when the branch moved between the read and the push the whole group is read, judged
// and pushed again. Real git (a bare repository), the CLI entry, kubectl kustomize of the overlays.

const SERVICES = ['checkout', 'cart'];
const sim = simulated;

interface Report {
  exitCode: number;
  rollouts: { service: string; commit?: string; action: { kind: string; reasonCode: string } }[];
  problems: { service: string; reasonCode: string }[];
}

/** checkout and cart rolling out 1.5.0 since 10:00, and the CLI with --json. */
async function twoRollouts(root: string) {
  const { bare, work, common } = await startedRollouts(root, SERVICES);
  const run = async (...args: string[]) => {
    const r = await cli([...args, '--json', ...common]);
    return { ...r, report: JSON.parse(r.stdout) as Report };
  };
  return { bare, work, run };
}

const head = async (bare: string) => (await git(bare, 'rev-parse', 'main')).trim();
const count = async (bare: string, from: string) =>
  Number((await git(bare, 'rev-list', '--count', `${from}..main`)).trim());
const message = (bare: string, ref = 'main') => git(bare, 'log', '-1', '--format=%B', ref);
const lines = (text: string, names: string) =>
  text.split('\n').filter((l) => new RegExp(`^Rollgate-(${names}):`).test(l));
const stateOf = (bare: string, service: string) =>
  git(bare, 'show', `main:.rollgate/state/production/${service}.yaml`);

/** What kubectl kustomize builds of a service's overlay at the head: each Deployment's image, the route's weights. */
async function built(bare: string, root: string, service: string) {
  const objects = (await buildAt(bare, root, `apps/${service}/overlays/production`)) as {
    kind: string;
    metadata: { name: string };
    spec: {
      template?: { spec: { containers: { image: string }[] } };
      rules?: { backendRefs: { name: string; weight: number }[] }[];
    };
  }[];
  const images = Object.fromEntries(
    objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => [o.metadata.name, o.spec.template?.spec.containers[0]?.image]),
  );
  const route = objects.find((o) => o.kind === 'HTTPRoute');
  const weights = route?.spec.rules?.[0]?.backendRefs.map((b) => b.weight);
  return { images, weights };
}

describe('rollout commands of several services: one read, one commit (issue 10)', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('abort of two services: one commit with both services back to stable, each held; the overlays build', async () => {
    const { bare, run } = await twoRollouts(root);
    const before = await head(bare);
    const aborted = await run(
      'abort',
      'production',
      '--service',
      'checkout',
      '--service',
      'cart',
      '--reason',
      'bad build',
      ...sim('2026-12-01T10:05:00Z'),
    );
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(await count(bare, before)).toBe(1);
    const sha = await head(bare);
    expect(aborted.report.rollouts.map((r) => [r.service, r.action.kind, r.commit])).toEqual([
      ['checkout', 'abort', sha],
      ['cart', 'abort', sha],
    ]);
    const body = await message(bare);
    expect(body.split('\n')[0]).toBe('abort rollouts of checkout, cart in production');
    expect(body).toContain('- checkout: ');
    expect(body).toContain('- cart: ');
    expect(lines(body, 'Service|Version|Decision|Phase|Stable|Hold|Reason|Clock')).toEqual([
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Version: 1.5.0',
      'Rollgate-Decision: abort (operator)',
      'Rollgate-Phase: aborted',
      'Rollgate-Stable: 1.4.0',
      'Rollgate-Hold: 1.5.0',
      'Rollgate-Reason: bad build',
      'Rollgate-Clock: simulated',
    ]);
    expect(body).toMatch(/^Rollgate-Run: cli:[0-9a-f]{8}$/m);
    // Every file of both services is in that one commit.
    expect((await git(bare, 'show', '--name-only', '--format=', 'main')).trim().split('\n').sort()).toEqual([
      '.rollgate/state/production/cart.yaml',
      '.rollgate/state/production/checkout.yaml',
      'apps/cart/overlays/production/kustomization.yaml',
      'apps/cart/overlays/production/traffic.yaml',
      'apps/checkout/overlays/production/kustomization.yaml',
      'apps/checkout/overlays/production/traffic.yaml',
    ]);
    for (const service of SERVICES) {
      const state = await stateOf(bare, service);
      expect(state).toMatch(/phase: "?aborted"?/);
      expect(state).toMatch(/^holds:\n\s+- version: "?1\.5\.0"?/m);
      expect(await built(bare, root, service)).toEqual({
        images: {
          [service]: `ghcr.io/acme/${service}:1.4.0`,
          [`${service}-canary`]: `ghcr.io/acme/${service}:1.4.0`,
        },
        weights: [100, 0],
      });
    }
    // The history reads the commit as an abort of each service.
    const [entry, ...rest] = historyEntriesOf({ sha, committedAt: new Date(), message: body });
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ services: ['checkout', 'cart'], version: '1.5.0' });
    expect(entry?.trailers).toMatchObject({ phase: 'aborted', hold: '1.5.0' });
  });

  it('pause of every rollout (none named): one commit, the reason once, both state files paused', async () => {
    const { bare, run } = await twoRollouts(root);
    const before = await head(bare);
    const paused = await run('pause', 'production', '--reason', 'INC-7', ...sim('2026-12-01T10:05:00Z'));
    expect(paused.code, paused.stderr).toBe(0);
    expect(await count(bare, before)).toBe(1);
    const body = await message(bare);
    expect(body.split('\n')[0]).toBe('pause rollouts of checkout, cart in production');
    expect(lines(body, 'Service|Phase|Step|Weight|Reason')).toEqual([
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Phase: paused',
      'Rollgate-Step: 1/3',
      'Rollgate-Weight: 5',
      'Rollgate-Reason: INC-7',
    ]);
    for (const service of SERVICES) {
      expect(await stateOf(bare, service)).toMatch(/phase: "?paused"?/);
      // A pause edits no workload: the canary keeps its version and its 5%.
      expect(await built(bare, root, service)).toEqual({
        images: {
          [service]: `ghcr.io/acme/${service}:1.4.0`,
          [`${service}-canary`]: `ghcr.io/acme/${service}:1.5.0`,
        },
        weights: [95, 5],
      });
    }
    expect((await git(bare, 'show', '--name-only', '--format=', 'main')).trim().split('\n').sort()).toEqual([
      '.rollgate/state/production/cart.yaml',
      '.rollgate/state/production/checkout.yaml',
    ]);
  });

  it('one refused and one acting: the refused one is reported with its reason, the other is written alone', async () => {
    const { bare, run } = await twoRollouts(root);
    expect((await run('pause', 'production', '--service', 'cart', ...sim('2026-12-01T10:05:00Z'))).code).toBe(
      0,
    );
    const before = await head(bare);
    const paused = await run('pause', 'production', ...sim('2026-12-01T10:06:00Z'));
    // Refused for cart (already paused): exit 1, as a command with a refusal always was.
    expect(paused.code).toBe(1);
    expect(await count(bare, before)).toBe(1);
    const sha = await head(bare);
    expect(
      paused.report.rollouts.map((r) => [r.service, r.action.kind, r.action.reasonCode, r.commit]),
    ).toEqual([
      ['checkout', 'pause', 'operator', sha],
      ['cart', 'refused', 'already-paused', undefined],
    ]);
    // One service's commit reads as it always did.
    const body = await message(bare);
    expect(body.split('\n')[0]).toBe('pause rollout of checkout 1.5.0 in production');
    expect(lines(body, 'Service')).toEqual(['Rollgate-Service: checkout']);
    // Nobody acts: nothing is written.
    const nothing = await run('pause', 'production', ...sim('2026-12-01T10:07:00Z'));
    expect(nothing.code).toBe(1);
    expect(await head(bare)).toBe(sha);
    expect(nothing.report.rollouts.map((r) => r.action.reasonCode)).toEqual([
      'already-paused',
      'already-paused',
    ]);
  });

  it('advance of rollouts at different steps: one commit, each service its own step and weight', async () => {
    const { bare, run } = await twoRollouts(root);
    expect(
      (await run('advance', 'production', '--service', 'checkout', ...sim('2026-12-01T10:05:00Z'))).code,
    ).toBe(0);
    const before = await head(bare);
    const advanced = await run('advance', 'production', ...sim('2026-12-01T10:06:00Z'));
    expect(advanced.code, advanced.stderr).toBe(0);
    expect(await count(bare, before)).toBe(1);
    const body = await message(bare);
    expect(body.split('\n')[0]).toBe('advance rollouts of checkout, cart in production');
    expect(lines(body, 'Service|Version|Phase|Step|Weight')).toEqual([
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Version: 1.5.0',
      'Rollgate-Phase: progressing',
      'Rollgate-Step: 3/3',
      'Rollgate-Step: 2/3',
      'Rollgate-Weight: 50',
      'Rollgate-Weight: 25',
    ]);
    expect((await built(bare, root, 'checkout')).weights).toEqual([50, 50]);
    expect((await built(bare, root, 'cart')).weights).toEqual([75, 25]);
    // The history reads each service's own step.
    const entries = historyEntriesOf({ sha: await head(bare), committedAt: new Date(), message: body });
    expect(entries.map((e) => [e.services, e.trailers?.step, e.trailers?.weight])).toEqual([
      [['checkout'], '3/3', '50'],
      [['cart'], '2/3', '25'],
    ]);
  });

  it('the branch moved between the read and the push: the group is read again and lands once', async () => {
    const { bare, work, run } = await twoRollouts(root);
    // Someone else's commit, prepared on a side branch on top of main: an unrelated file.
    await handCommit(work, { 'README.md': 'platform notes\n' }, '2026-12-01T10:01:00Z', 'notes', 'side');
    const side = await git(bare, 'rev-parse', 'side');
    const before = await head(bare);
    const hook = await moveBranchOnNextPush(bare);

    const aborted = await run('abort', 'production', ...sim('2026-12-01T10:05:00Z'));
    await expect(access(hook)).rejects.toThrow();
    expect(aborted.code, aborted.stderr).toBe(0);
    // The other commit, then exactly one of ours on top of it, with both services.
    expect(await count(bare, before)).toBe(2);
    expect((await git(bare, 'rev-parse', 'main~1')).trim()).toBe(side.trim());
    const body = await message(bare);
    expect(body.split('\n')[0]).toBe('abort rollouts of checkout, cart in production');
    expect(await git(bare, 'show', 'main:README.md')).toBe('platform notes\n');
    const sha = await head(bare);
    expect(aborted.report.rollouts.map((r) => [r.service, r.commit])).toEqual([
      ['checkout', sha],
      ['cart', sha],
    ]);
  });

  it('a push whose answer was lost: the command finds its own commit of both services (Rollgate-Run)', async () => {
    const { bare, run } = await twoRollouts(root);
    const before = await head(bare);
    const hook = await loseNextPushAnswer(bare);
    const aborted = await run('abort', 'production', ...sim('2026-12-01T10:05:00Z'));
    await expect(access(hook)).rejects.toThrow();
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(await count(bare, before)).toBe(1);
    const sha = await head(bare);
    expect(aborted.report.rollouts.map((r) => [r.service, r.action.kind, r.commit])).toEqual([
      ['checkout', 'abort', sha],
      ['cart', 'abort', sha],
    ]);
    expect(await message(bare)).toMatch(/^Rollgate-Run: cli:[0-9a-f]{8}$/m);
  });

  it('the branch moved with a pause of one of them: the retry judges again, pauses the other alone', async () => {
    const { bare, run } = await twoRollouts(root);
    // The concurrent commit is rollgate's own pause of cart, made and then taken off main onto `side`.
    const before = await head(bare);
    expect((await run('pause', 'production', '--service', 'cart', ...sim('2026-12-01T10:04:00Z'))).code).toBe(
      0,
    );
    await git(bare, 'update-ref', 'refs/heads/side', 'main');
    await git(bare, 'update-ref', 'refs/heads/main', before);
    const hook = await moveBranchOnNextPush(bare);

    const paused = await run('pause', 'production', ...sim('2026-12-01T10:05:00Z'));
    await expect(access(hook)).rejects.toThrow();
    expect(paused.code).toBe(1);
    expect(await count(bare, before)).toBe(2);
    const sha = await head(bare);
    expect(paused.report.rollouts.map((r) => [r.service, r.action.reasonCode, r.commit])).toEqual([
      ['checkout', 'operator', sha],
      ['cart', 'already-paused', undefined],
    ]);
    expect(lines(await message(bare), 'Service')).toEqual(['Rollgate-Service: checkout']);
    for (const service of SERVICES) expect(await stateOf(bare, service)).toMatch(/phase: "?paused"?/);
  });
});
