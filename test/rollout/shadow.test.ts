import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { promote } from '../../src/core/pipeline.js';
import { runRolloutCommand, runTick } from '../../src/core/rollout-run.js';
import { parseState, type ServiceState, statePath } from '../../src/core/state.js';
import { openGitStore } from '../../src/gitops/git-cli.js';
import { readMirror } from '../../src/overlays/traffic/mirror.js';
import { git, showFile, tempDir } from '../helpers/repo.js';
import { canaryOpenMetrics } from '../integration/helpers/canary-openmetrics.js';
import { type PrometheusServer, startPrometheus } from '../integration/helpers/prometheus-server.js';
import {
  buildAt,
  canaryConfig,
  canaryConfigText,
  gitopsFiles,
  handCommit,
  metricDeps,
  seedRepo,
  type TrafficKind,
} from './fixture.js';

// canary.shadow end to end: real git, the canary's analysis judged by a `metric` gate against a
// real Prometheus (promtool backfill), every written overlay built by kubectl kustomize. The shadow
// stage mirrors 10% (Istio mirror + mirrorPercentage, Gateway API RequestMirror), then one commit
// removes the mirror and sets the first step's weight; a failing version rolls back from the shadow
// stage with the mirror gone.

const END = new Date('2026-12-01T12:00:00Z'); // a Tuesday, clear of the fixture's weekend freeze
const before = (minutes: number) => new Date(END.getTime() - minutes * 60_000);
const TRAFFIC = 'apps/checkout/overlays/production/traffic.yaml';
const OVERLAY = 'apps/checkout/overlays/production';

let server: PrometheusServer;

beforeAll(async () => {
  server = await startPrometheus(canaryOpenMetrics(END));
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

const metricGate = (url: string) => `  canary-metric:
    metric:
      prometheus: { url: "${url}" }
      query: sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{job="{{service}}",env="{{environment}}",track="canary",version="{{version}}"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 1m
      failureLimit: 2
`;

const SHADOW =
  'steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-metric]\nshadow: { percent: 10, duration: 15m, analysis: [canary-metric] }';

async function state(bare: string): Promise<ServiceState> {
  const parsed = parseState('s', await showFile(bare, statePath('production', 'checkout')));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.state;
}

describe('shadow traffic before the first canary step', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  async function setup(kind: TrafficKind, shadow = SHADOW) {
    const { bare } = await seedRepo(root, gitopsFiles(['checkout'], kind));
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const config = canaryConfig(['checkout'], kind, shadow, metricGate(server.url));
    const deps = metricDeps(store);
    const start = (version: string, at: Date) =>
      promote(
        config,
        {
          environment: 'production',
          services: ['checkout'],
          version: { tag: version },
          requestedBy: 'release-bot',
          source: 'https://github.com/acme/app/pull/7',
        },
        { store, clock: () => at },
      );
    return { bare, store, config, deps, start };
  }

  for (const kind of ['gateway-api', 'istio'] as const) {
    it(`${kind}: mirrors 10%, then one commit removes the mirror and gives the first step 5%`, async () => {
      const { bare, store, config, deps, start } = await setup(kind);
      try {
        const original = await showFile(bare, TRAFFIC);
        expect((await start('1.5.0', before(60))).kind).toBe('committed');
        const shadowing = await showFile(bare, TRAFFIC);
        expect(readMirror(shadowing, { route: 'checkout', backend: 'checkout-canary' })).toBe(10);
        expect(await state(bare)).toMatchObject({
          version: '1.4.0',
          rollout: { phase: 'shadowing', step: 0, steps: 3, weight: 0 },
        });
        const first = await git(bare, 'log', '-1', '--format=%B', 'main');
        expect(first).toContain('Rollgate-Phase: shadowing\nRollgate-Step: 0/3\nRollgate-Weight: 0');
        expect(first).toContain(
          'HTTPRoute checkout rule 0: mirror to checkout-canary (unset) -> 10%'.replace(
            'HTTPRoute checkout rule 0',
            kind === 'istio' ? 'VirtualService checkout http[0]' : 'HTTPRoute checkout rule 0',
          ),
        );
        // What the cluster gets: the mirror on the route, the canary at 0 weight.
        const built = JSON.stringify(await buildAt(bare, root, OVERLAY));
        expect(built).toContain(
          kind === 'istio'
            ? '"mirror":{"host":"checkout-canary"},"mirrorPercentage":{"value":10}'
            : '"filters":[{"requestMirror":{"backendRef":{"name":"checkout-canary","port":80},"percent":10},"type":"RequestMirror"}]',
        );

        // Inside the shadow stage's 15m: nothing written.
        const head = await git(bare, 'rev-parse', 'main');
        const early = await runTick(config, deps(before(50)));
        expect(early.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'hold' });
        expect(await git(bare, 'rev-parse', 'main')).toBe(head);

        const report = await runTick(config, deps(before(40)));
        expect(report.exitCode).toBe(0);
        expect(report.rollouts[0]?.action).toMatchObject({ kind: 'step', step: 1, weight: 5 });
        expect(report.rollouts[0]?.action.message).toContain('the shadow stage is over: mirror removed');
        const stepped = await showFile(bare, TRAFFIC);
        expect(readMirror(stepped, { route: 'checkout', backend: 'checkout-canary' })).toBe(0);
        // The mirror's lines are gone, byte for byte; only the weights differ from the seed.
        expect(stepped).toBe(
          kind === 'istio'
            ? original.replace('weight: 100', 'weight: 95').replace('weight: 0', 'weight: 5')
            : original
                .replace('weight: 100 # stable', 'weight: 95 # stable')
                .replace('weight: 0', 'weight: 5'),
        );
        const message = await git(bare, 'log', '-1', '--format=%B', 'main');
        expect(message).toContain('Rollgate-Phase: progressing\nRollgate-Step: 1/3\nRollgate-Weight: 5');
        expect(message).toMatch(/Rollgate-Analysis: canary-metric=pass \(successful \d+, failed 0/);
        expect(await state(bare)).toMatchObject({ rollout: { phase: 'progressing', step: 1, weight: 5 } });
        expect(JSON.stringify(await buildAt(bare, root, OVERLAY))).not.toContain('mirror');
      } finally {
        await store.close();
      }
    });
  }

  it('a version failing on mirrored requests rolls back from the shadow stage: mirror gone, held', async () => {
    const { bare, store, config, deps, start } = await setup('gateway-api');
    try {
      const original = await showFile(bare, TRAFFIC);
      expect((await start('1.6.0', before(25))).kind).toBe('committed');
      const report = await runTick(config, deps(END));
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'rollback', reasonCode: 'analysis.failed' });
      expect(await showFile(bare, TRAFFIC)).toBe(original);
      expect(await state(bare)).toMatchObject({
        version: '1.4.0',
        holds: [{ version: '1.6.0', reason: 'analysis.failed' }],
        rollout: { phase: 'rolled-back', weight: 0 },
      });
      const message = await git(bare, 'log', '-1', '--format=%B', 'main');
      expect(message).toContain('mirror to checkout-canary 10% -> removed');
      expect(message).toContain('Rollgate-Hold: 1.6.0');
      await buildAt(bare, root, OVERLAY);
    } finally {
      await store.close();
    }
  });

  it('pause and resume keep the shadow stage; abort removes the mirror', async () => {
    const { bare, store, config, deps, start } = await setup('istio');
    try {
      const original = await showFile(bare, TRAFFIC);
      expect((await start('1.5.0', before(60))).kind).toBe('committed');
      const command = (verb: 'pause' | 'resume' | 'abort', at: Date) =>
        runRolloutCommand(config, deps(at), {
          verb,
          environment: 'production',
          services: [],
          requestedBy: 'sre',
          source: 'cli',
        });
      expect((await command('pause', before(55))).exitCode).toBe(0);
      expect(await state(bare)).toMatchObject({ rollout: { phase: 'paused', pausedFrom: 'shadowing' } });
      expect((await command('resume', before(50))).exitCode).toBe(0);
      expect(await state(bare)).toMatchObject({ rollout: { phase: 'shadowing', step: 0 } });
      expect(readMirror(await showFile(bare, TRAFFIC), { route: 'checkout' })).toBe(10);
      expect((await command('abort', before(45))).exitCode).toBe(0);
      expect(await showFile(bare, TRAFFIC)).toBe(original);
      expect(await state(bare)).toMatchObject({
        rollout: { phase: 'aborted' },
        holds: [{ version: '1.5.0' }],
      });
    } finally {
      await store.close();
    }
  });
});

describe('a hand-edited mirror during the shadow stage is drift', () => {
  let root = '';
  let cleanup = async () => {};
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  // No analysis here (the drift is found before any is judged): real git and kubectl kustomize only.
  const rows: {
    name: string;
    kind: 'gateway-api' | 'istio';
    edit: (text: string) => string;
    drift: string;
  }[] = [
    {
      name: 'Gateway API: the RequestMirror percent changed',
      kind: 'gateway-api',
      edit: (t) => t.replace('percent: 10', 'percent: 50'),
      drift: 'the shadow mirror to checkout-canary is 50%, the state says 10% (shadowing)',
    },
    {
      name: 'Gateway API: the RequestMirror filter removed',
      kind: 'gateway-api',
      edit: (t) => t.replace(/ {6}filters:\n[\s\S]*$/, ''),
      drift: 'the shadow mirror to checkout-canary is removed, the state says 10% (shadowing)',
    },
    {
      name: 'Istio: mirrorPercentage removed (Istio then mirrors everything)',
      kind: 'istio',
      edit: (t) => t.replace(/ {6}mirrorPercentage:\n {8}value: 10\n/, ''),
      drift: 'the shadow mirror to checkout-canary is 100%, the state says 10% (shadowing)',
    },
    {
      name: 'Istio: the mirror pointed at another host',
      kind: 'istio',
      edit: (t) =>
        t.replace(
          'host: checkout-canary\n      mirrorPercentage',
          'host: checkout-v2\n      mirrorPercentage',
        ),
      drift: 'the shadow mirror copies to checkout-v2, the state says checkout-canary (shadowing)',
    },
  ];

  for (const row of rows) {
    it(`${row.name}: the tick pauses with reason drift, nothing overwritten; resume is refused until it is put back`, async () => {
      const { bare, work } = await seedRepo(root, gitopsFiles(['checkout'], row.kind));
      const store = await openGitStore({ repository: bare, branch: 'main' });
      const config = canaryConfig(
        ['checkout'],
        row.kind,
        'steps: [5, 25, 50]\ninterval: 30m\nshadow: { percent: 10, duration: 15m }',
      );
      const deps = (at: Date) => ({ store, clock: () => at });
      try {
        const started = await promote(
          config,
          {
            environment: 'production',
            services: ['checkout'],
            version: { tag: '1.5.0' },
            requestedBy: 'release-bot',
            source: 'https://github.com/acme/app/pull/7',
          },
          { store, clock: () => before(60) },
        );
        expect(started.kind).toBe('committed');
        const shadowing = await showFile(bare, TRAFFIC);
        const edited = row.edit(shadowing);
        expect(edited).not.toBe(shadowing);
        await handCommit(work, { [TRAFFIC]: edited }, before(55).toISOString(), 'tune the mirror by hand');
        await buildAt(bare, root, OVERLAY);

        const report = await runTick(config, deps(before(50)));
        expect(report.exitCode).toBe(0);
        expect(report.rollouts[0]?.action).toMatchObject({ kind: 'pause', reasonCode: 'drift' });
        expect(report.rollouts[0]?.action.message).toContain(row.drift);
        // The pause writes the state file only: the hand-edited traffic file stays as the person left it.
        expect(await showFile(bare, TRAFFIC)).toBe(edited);
        expect((await git(bare, 'show', '--format=', '--name-only', 'main')).trim()).toBe(
          '.rollgate/state/production/checkout.yaml',
        );
        expect(await state(bare)).toMatchObject({
          rollout: { phase: 'paused', pausedFrom: 'shadowing', reason: 'drift' },
        });
        expect(await git(bare, 'log', '-1', '--format=%B', 'main')).toContain(`Rollgate-Phase: paused`);

        const resume = await runRolloutCommand(config, deps(before(45)), {
          verb: 'resume',
          environment: 'production',
          services: [],
          requestedBy: 'sre',
          source: 'cli',
        });
        expect(resume.exitCode).toBe(1);
        expect(resume.rollouts[0]?.action).toMatchObject({ kind: 'refused', reasonCode: 'drift' });
        expect(resume.rollouts[0]?.action.message).toContain(row.drift);

        // Put back as the state says: resume goes on with the shadow stage.
        await handCommit(work, { [TRAFFIC]: shadowing }, before(44).toISOString(), 'put the mirror back');
        const resumed = await runRolloutCommand(config, deps(before(43)), {
          verb: 'resume',
          environment: 'production',
          services: [],
          requestedBy: 'sre',
          source: 'cli',
        });
        expect(resumed.exitCode).toBe(0);
        expect(await state(bare)).toMatchObject({ rollout: { phase: 'shadowing' } });
      } finally {
        await store.close();
      }
    });
  }

  it("a mirror edited after the shadow stage is the overlay's business: no drift", async () => {
    const { bare, work } = await seedRepo(root, gitopsFiles(['checkout'], 'gateway-api'));
    const store = await openGitStore({ repository: bare, branch: 'main' });
    const config = canaryConfig(
      ['checkout'],
      'gateway-api',
      'steps: [5, 25, 50]\ninterval: 30m\nshadow: { percent: 10, duration: 15m }',
    );
    try {
      await promote(
        config,
        {
          environment: 'production',
          services: ['checkout'],
          version: { tag: '1.5.0' },
          requestedBy: 'release-bot',
          source: 'https://github.com/acme/app/pull/7',
        },
        { store, clock: () => before(60) },
      );
      expect((await runTick(config, { store, clock: () => before(40) })).rollouts[0]?.action.kind).toBe(
        'step',
      );
      const stepped = await showFile(bare, TRAFFIC);
      const { setMirror } = await import('../../src/overlays/traffic/mirror.js');
      const mirrored = setMirror(stepped, { percent: 5, route: 'checkout', backend: 'checkout-canary' });
      if (!mirrored.ok) throw new Error(mirrored.message);
      await handCommit(work, { [TRAFFIC]: mirrored.text }, before(35).toISOString());
      const report = await runTick(config, { store, clock: () => before(30) });
      expect(report.rollouts[0]?.action).toMatchObject({ kind: 'wait', reasonCode: 'hold' });
    } finally {
      await store.close();
    }
  });
});

describe('validate: canary.shadow', () => {
  const problems = (kind: TrafficKind, canary: string) => {
    try {
      parseConfig({ file: 'rollgate.yaml', text: canaryConfigText(['checkout'], kind, canary) }, [], {});
      return [];
    } catch (err) {
      return String((err as Error).message)
        .split('\n')
        .filter((l) => l.startsWith('rollgate.yaml:'));
    }
  };

  it('refuses shadow with a provider that cannot mirror, at file:line:col', () => {
    const found = problems(
      'smi',
      'steps: [5, 25]\nanalysis: [canary-errors]\nshadow: { percent: 10, duration: 15m }',
    );
    expect(found).toEqual([
      expect.stringMatching(
        /^rollgate\.yaml:17:15 \(environments\.production\.canary\.shadow\): traffic kind smi cannot mirror requests; shadow traffic needs istio or gateway-api/,
      ),
    ]);
  });

  it('refuses shadow with warmup, an unknown shadow gate and a percent out of range', () => {
    expect(
      problems('istio', 'steps: [5]\nwarmup: 5m\nshadow: { percent: 10, duration: 15m, analysis: [nope] }'),
    ).toEqual([
      expect.stringContaining(
        'rollgate.yaml:17:56 (environments.production.canary.shadow.analysis[0]): no gate named "nope"',
      ),
      expect.stringContaining(
        'rollgate.yaml:16:15 (environments.production.canary.warmup): warmup and shadow both start',
      ),
    ]);
    expect(problems('istio', 'steps: [5]\nshadow: { percent: 0, duration: 15m }')).toEqual([
      expect.stringContaining('environments.production.canary.shadow.percent'),
    ]);
  });
});
