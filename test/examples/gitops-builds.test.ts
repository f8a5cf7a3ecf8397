import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kustomizeBuild } from '../overlays/kubectl.js';
import { EXAMPLES } from '../helpers/repo.js';

// The example GitOps repository (the demos and docs/canary.md use it) must build with the real
// kubectl kustomize, and production's checkout must render a canary beside the stable workload.

type Obj = {
  kind?: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
};

const APPS = join(EXAMPLES, 'gitops', 'apps');

async function overlays(): Promise<string[]> {
  const dirs: string[] = [];
  for (const app of await readdir(APPS)) {
    for (const env of await readdir(join(APPS, app, 'overlays'))) dirs.push(join(app, 'overlays', env));
  }
  return dirs.sort();
}

describe('examples/gitops', () => {
  it('every overlay builds with kubectl kustomize', async () => {
    const dirs = await overlays();
    expect(dirs).toHaveLength(7);
    for (const dir of dirs) {
      const objects = (await kustomizeBuild(join(APPS, dir))) as Obj[];
      expect(objects.length, dir).toBeGreaterThan(0);
    }
  });

  it("checkout's production overlay renders the canary Deployment and Service beside the stable ones, and the route", async () => {
    const objects = (await kustomizeBuild(join(APPS, 'checkout', 'overlays', 'production'))) as Obj[];
    const named = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata?.name === name);
    const image = (o: Obj | undefined) =>
      ((o?.spec?.['template'] as { spec: { containers: { image: string }[] } }).spec.containers[0] ?? {})
        .image;
    expect(image(named('Deployment', 'checkout'))).toBe('ghcr.io/acme/checkout:1.3.0');
    expect(image(named('Deployment', 'checkout-canary'))).toBe('ghcr.io/acme/checkout:1.3.0');
    // The stable Service must not select canary pods, or the route's weights would mean nothing.
    const stableSelector = named('Service', 'checkout')?.spec?.['selector'] as Record<string, string>;
    const canaryPods = (
      named('Deployment', 'checkout-canary')?.spec?.['template'] as { metadata: { labels: Record<string, string> } }
    ).metadata.labels;
    expect(Object.entries(stableSelector).every(([k, v]) => canaryPods[k] === v)).toBe(false);
    expect(named('Service', 'checkout-canary')?.spec?.['selector']).toEqual({
      'app.kubernetes.io/name': 'checkout-canary',
    });
    const route = named('HTTPRoute', 'checkout')?.spec?.['rules'] as { backendRefs: { name: string; weight: number }[] }[];
    expect(route[0]?.backendRefs.map((b) => [b.name, b.weight])).toEqual([
      ['checkout', 100],
      ['checkout-canary', 0],
    ]);
  });

  it("payments' production overlay renders blue live and green idle, the public Service selecting blue", async () => {
    const objects = (await kustomizeBuild(join(APPS, 'payments', 'overlays', 'production'))) as Obj[];
    const deployments = objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => [
        o.metadata?.name,
        o.spec?.['replicas'],
        (o.spec?.['template'] as { spec: { containers: { image: string }[] } }).spec.containers[0]?.image,
      ]);
    expect(deployments).toEqual([
      ['payments-blue', 3, 'ghcr.io/acme/payments:1.3.0'],
      ['payments-green', 0, 'ghcr.io/acme/payments:1.3.0'],
    ]);
    const service = objects.find((o) => o.kind === 'Service' && o.metadata?.name === 'payments');
    expect(service?.spec?.['selector']).toEqual({
      'app.kubernetes.io/name': 'payments',
      'app.kubernetes.io/color': 'blue',
    });
  });
});
