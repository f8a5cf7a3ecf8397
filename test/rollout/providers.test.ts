import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { RolloutAction } from '../../src/core/rollout.js';
import type { RolloutState } from '../../src/core/state.js';
import { canaryStrategy } from '../../src/strategies/canary.js';
import { kustomizeBuild } from '../overlays/kubectl.js';
import { tempDir } from '../helpers/repo.js';
import { canaryConfigText, gitopsFiles, type TrafficKind } from './fixture.js';

// `kubectl kustomize` builds every overlay the canary strategy writes, for every traffic provider:
// the start (canary image, replicas, first weight), each step, the promotion and a rollback after
// it, each rendered and checked for the weight and the images it should show.

const KINDS: readonly (TrafficKind | 'path')[] = ['gateway-api', 'istio', 'ingress-nginx', 'smi', 'path'];

/** The value at a path inside a rendered object (undefined when any step is missing). */
function dig(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function ofKind(objects: unknown[], kind: string): unknown {
  return objects.find((o) => dig(o, ['kind']) === kind);
}

function renderedWeight(kind: TrafficKind | 'path', objects: unknown[]): number | undefined {
  const value =
    kind === 'gateway-api' || kind === 'path'
      ? dig(ofKind(objects, 'HTTPRoute'), ['spec', 'rules', 0, 'backendRefs', 1, 'weight'])
      : kind === 'istio'
        ? dig(ofKind(objects, 'VirtualService'), ['spec', 'http', 0, 'route', 1, 'weight'])
        : kind === 'ingress-nginx'
          ? dig(ofKind(objects, 'Ingress'), [
              'metadata',
              'annotations',
              'nginx.ingress.kubernetes.io/canary-weight',
            ])
          : dig(ofKind(objects, 'TrafficSplit'), ['spec', 'backends', 1, 'weight']);
  return value === undefined ? undefined : Number(value);
}

function images(objects: unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    if (dig(o, ['kind']) !== 'Deployment') continue;
    const image = String(dig(o, ['spec', 'template', 'spec', 'containers', 0, 'image']));
    out[String(dig(o, ['metadata', 'name']))] = `${image}x${String(dig(o, ['spec', 'replicas']))}`;
  }
  return out;
}

describe('every traffic provider: the overlays a rollout writes build with kubectl kustomize', () => {
  let root = '';
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  for (const kind of KINDS) {
    it(kind, async () => {
      const files: Record<string, string | undefined> = gitopsFiles(
        ['checkout'],
        kind === 'path' ? 'gateway-api' : kind,
      );
      let text = canaryConfigText(['checkout'], kind === 'path' ? 'gateway-api' : kind, 'steps: [5, 25, 50]');
      if (kind === 'path') {
        text = text.replace(
          /traffic: .*/,
          'traffic: { kind: path, file: traffic.yaml, path: "spec.rules[0].backendRefs[1].weight" }',
        );
      }
      const config = parseConfig({ file: 'rollgate.yaml', text }, [], {});
      const target = { config, environment: 'production', service: 'checkout' };
      const rollout = (over: Partial<RolloutState>): RolloutState => ({
        strategy: 'canary',
        version: '1.5.0',
        phase: 'progressing',
        step: 1,
        steps: 3,
        weight: 5,
        windowStart: '2026-12-01T10:00:00.000Z',
        startedAt: '2026-12-01T10:00:00.000Z',
        ...over,
      });
      const steps: {
        action: RolloutAction;
        rollout?: RolloutState;
        weight: number;
        stable: string;
        canary: string;
      }[] = [
        {
          action: { kind: 'start', reasonCode: 'promote', message: '', step: 1, weight: 5 },
          weight: 5,
          stable: '1.4.0x4',
          canary: '1.5.0x2',
        },
        {
          action: { kind: 'step', reasonCode: 'hold.done', message: '', step: 2, weight: 25 },
          rollout: rollout({}),
          weight: 25,
          stable: '1.4.0x4',
          canary: '1.5.0x2',
        },
        {
          action: { kind: 'step', reasonCode: 'hold.done', message: '', step: 3, weight: 50 },
          rollout: rollout({ step: 2, weight: 25 }),
          weight: 50,
          stable: '1.4.0x4',
          canary: '1.5.0x2',
        },
        {
          action: { kind: 'promote', reasonCode: 'hold.done', message: '' },
          rollout: rollout({ step: 3, weight: 50 }),
          weight: 0,
          stable: '1.5.0x4',
          canary: '1.5.0x0',
        },
        {
          action: { kind: 'rollback', reasonCode: 'analysis.failed', message: '' },
          rollout: rollout({ phase: 'promoted', step: 3, weight: 0 }),
          weight: 0,
          stable: '1.4.0x4',
          canary: '1.4.0x0',
        },
      ];
      for (const [i, step] of steps.entries()) {
        const written = canaryStrategy.write(target, files, step.action, {
          state: undefined,
          rollout: step.rollout,
          version: '1.5.0',
          stable: '1.4.0',
        });
        if (!written.ok) throw new Error(written.message);
        for (const edit of written.edits) files[edit.path] = edit.after;
        const dir = join(root, kind, String(i));
        for (const [path, content] of Object.entries(files)) {
          if (content === undefined) continue;
          await mkdir(dirname(join(dir, path)), { recursive: true });
          await writeFile(join(dir, path), content);
        }
        const objects = await kustomizeBuild(join(dir, 'apps/checkout/overlays/production'));
        expect(renderedWeight(kind, objects), `${step.action.kind} weight`).toBe(step.weight);
        expect(images(objects)).toEqual({
          checkout: `ghcr.io/acme/checkout:${step.stable}`,
          'checkout-canary': `ghcr.io/acme/checkout:${step.canary}`,
        });
      }
    });
  }
});
