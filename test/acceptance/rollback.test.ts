import { describe, expect, it } from 'vitest';
import { overlay, trailers } from './harness.js';
import {
  CHECKOUT_DEV,
  CHECKOUT_PROD,
  comment,
  operations,
  result,
  setUp,
  tagOf,
  useScenes,
} from './scenarios.js';

const CART_PROD = 'apps/cart/overlays/production/kustomization.yaml';

// What a /rollback costs (issue 10: one read and one commit whatever the number of services): the
// app read, the GitOps read (overlays, state files, the first history page), the commit, the sticky,
// a deployment and its status, the reaction.
const ROLLBACK = [
  'graphql:repository',
  'graphql:repository',
  'graphql:createCommitOnBranch',
  'issues/create-comment',
  'repos/create-deployment',
  'repos/create-deployment-status',
  'reactions/create-for-issue-comment',
];

useScenes();

// Issue 11 item 8: DESIGN.md says nothing blocks a rollback. The Action's /rollback follows the
// same rule as the CLI: the commenter's permission is checked, the gates are skipped and recorded.

describe('acceptance: /rollback', () => {
  it('is not blocked by a freeze: the gates are shown as skipped and the commit says so', async () => {
    const s = await setUp();
    await s.gitops.commit(
      { [CHECKOUT_PROD]: overlay('checkout', 'production', '1.3.5') },
      trailers('production', ['checkout'], '1.3.5'),
      new Date(Date.now() - 3_600_000),
    );
    const run = await comment(s, 'alice', '/rollback production checkout --reason "INC-9 bad release"');
    expect(result(run)).toMatchObject({ status: 'committed', version: '1.3.0', allowed: true });
    expect(tagOf(await s.gitops.show('main', CHECKOUT_PROD))).toBe('1.3.0');
    expect(result(run).decision?.verdicts).toEqual([
      expect.objectContaining({ gate: 'order', outcome: 'skip', reasonCode: 'rollback.skipped' }),
      expect.objectContaining({ gate: 'year-2000-freeze', outcome: 'skip', reasonCode: 'rollback.skipped' }),
    ]);
    expect(s.sim.state.apiCommits[0]?.headline).toBe('roll back checkout to 1.3.0 in production');
    expect(s.sim.state.apiCommits[0]?.body).toContain('Rollgate-Decision: rollback (gates skipped)');
  });

  it('holds the version it leaves (Rollgate-Hold), and a second /rollback never flips back to it', async () => {
    // dev ran 1.3.0, then 1.3.5, and runs 1.4.0 since ten minutes ago.
    const s = await setUp();
    const first = await comment(s, 'alice', '/rollback dev checkout --reason "1.4.0 leaks memory"');
    expect(result(first)).toMatchObject({ status: 'committed', version: '1.3.5' });
    expect(s.sim.state.apiCommits[0]?.body).toContain('Rollgate-Hold: 1.4.0');
    expect(s.sim.state.apiCommits[0]?.body).toContain('Rollgate-Reason: 1.4.0 leaks memory');
    expect(await s.gitops.show('main', '.rollgate/state/dev/checkout.yaml')).toMatch(
      /holds:\n\s+- version: "?1\.4\.0"?/,
    );
    // The version before 1.3.5 in the history is the held 1.4.0: skipped, as the CLI does.
    const second = await comment(s, 'alice', '/rollback dev checkout --reason "1.3.5 too"');
    expect(result(second)).toMatchObject({ status: 'committed', version: '1.3.0' });
    expect(tagOf(await s.gitops.show('main', CHECKOUT_DEV))).toBe('1.3.0');
    expect(s.sim.state.apiCommits[1]?.headline).toBe('roll back checkout to 1.3.0 in dev');
    expect(s.sim.state.apiCommits[1]?.body).toContain('Rollgate-Hold: 1.3.5');
  });

  it('still needs the permission', async () => {
    const s = await setUp();
    const run = await comment(s, 'rita', '/rollback dev checkout');
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'not-permitted' });
    expect(s.sim.state.apiCommits).toEqual([]);
  });

  it('of two services going back to different versions: one read, one commit, as many requests as one service (issue 10)', async () => {
    const one = await setUp();
    await one.gitops.commit(
      { [CHECKOUT_PROD]: overlay('checkout', 'production', '1.3.5') },
      trailers('production', ['checkout'], '1.3.5'),
      new Date(Date.now() - 3_600_000),
    );
    const single = await comment(one, 'alice', '/rollback production checkout');
    expect(result(single)).toMatchObject({ status: 'committed', version: '1.3.0' });
    expect(operations(one)).toEqual(ROLLBACK);

    // production ran 1.3.0; checkout then got 1.3.5 and 1.4.0, cart 1.3.5.
    const s = await setUp();
    await s.gitops.commit(
      { [CHECKOUT_PROD]: overlay('checkout', 'production', '1.3.5') },
      trailers('production', ['checkout'], '1.3.5'),
      new Date(Date.now() - 7_200_000),
    );
    await s.gitops.commit(
      { [CART_PROD]: overlay('cart', 'production', '1.3.5') },
      trailers('production', ['cart'], '1.3.5'),
      new Date(Date.now() - 5_400_000),
    );
    await s.gitops.commit(
      { [CHECKOUT_PROD]: overlay('checkout', 'production', '1.4.0') },
      trailers('production', ['checkout'], '1.4.0'),
      new Date(Date.now() - 3_600_000),
    );
    const run = await comment(s, 'alice', '/rollback production checkout cart --reason "INC-10"');
    expect(run.code, run.stdout).toBe(0);
    expect(result(run)).toMatchObject({ status: 'committed', services: ['checkout', 'cart'] });
    expect(tagOf(await s.gitops.show('main', CHECKOUT_PROD))).toBe('1.3.5');
    expect(tagOf(await s.gitops.show('main', CART_PROD))).toBe('1.3.0');
    expect(s.sim.state.apiCommits).toHaveLength(1);
    const body = s.sim.state.apiCommits[0]?.body ?? '';
    expect(body.split('\n').filter((l) => /^Rollgate-(Service|Version|Hold):/.test(l))).toEqual([
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Version: 1.3.5',
      'Rollgate-Version: 1.3.0',
      'Rollgate-Hold: 1.4.0, 1.3.5',
    ]);
    expect(operations(s)).toEqual(ROLLBACK);
  });
});
