import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { decide } from '../../src/core/decide.js';
import { landedAt } from '../../src/core/history.js';
import { makePlan } from '../../src/core/plan.js';
import { parseVersion } from '../../src/core/request.js';
import type { Facts, HistoryEntry, PromotionRequest } from '../../src/core/types.js';
import { formatTrailers, historyFromCommits, parseTrailers } from '../../src/core/trailers.js';

const config = parseConfig(
  {
    file: 'rollgate.yaml',
    text: `version: 1
gitops: { repository: acme/gitops }
services:
  web: { image: ghcr.io/acme/web }
  api: {}
environments:
  dev: { path: "apps/{{service}}/dev" }
  prod:
    path: "apps/{{service}}/prod"
    after: dev
    gates: [bake-2h, freeze]
gates:
  bake-2h: { bake: 2h }
  freeze:
    freeze:
      windows: [{ start: "0 0 * * *", duration: 24h }]
      unless: { labels: [hotfix], breakGlass: { users: [lead] } }
`,
  },
  [],
  {},
);

const entry = (environment: string, services: string[], version: string, iso: string): HistoryEntry => ({
  sha: iso,
  committedAt: new Date(iso),
  environment,
  services,
  version,
});

function facts(now: string, history: HistoryEntry[], running: Facts['running']): Facts {
  return { now: new Date(now), history, running };
}

const req = (over: Partial<PromotionRequest> = {}): PromotionRequest => ({
  environment: 'prod',
  services: ['web', 'api'],
  version: { tag: '2.0.0' },
  requestedBy: 'dev1',
  source: 'test',
  ...over,
});

describe('landedAt', () => {
  const history = [
    entry('dev', ['web'], '2.0.0', '2026-01-03T00:00:00Z'),
    entry('dev', ['web', 'api'], '2.0.0', '2026-01-02T00:00:00Z'),
    entry('dev', ['web'], '1.0.0', '2026-01-01T00:00:00Z'),
  ];
  it('is the start of the current run of the version, not the latest re-commit', () => {
    expect(landedAt(history, 'dev', 'web', '2.0.0')?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(landedAt(history, 'dev', 'api', '2.0.0')?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
  it('is undefined when another version is newer', () => {
    expect(landedAt(history, 'dev', 'web', '1.0.0')).toBeUndefined();
    expect(landedAt(history, 'prod', 'web', '2.0.0')).toBeUndefined();
  });
});

describe('decide', () => {
  const history = [entry('dev', ['web', 'api'], '2.0.0', '2026-03-02T00:00:00Z')];
  const running = { dev: { web: '2.0.0', api: '2.0.0' }, prod: { web: '1.0.0', api: '1.0.0' } };

  it('fails order when upstream runs another version, naming the service', () => {
    const d = decide(
      config,
      req(),
      facts('2026-03-02T12:00:00Z', history, { ...running, dev: { web: '2.0.0', api: '1.9.0' } }),
    );
    expect(d.allowed).toBe(false);
    expect(d.verdicts[0]).toMatchObject({
      gate: 'order',
      outcome: 'fail',
      reasonCode: 'order.upstream-behind',
    });
    expect(d.verdicts[0]?.reason).toContain('api runs 1.9.0');
  });

  it('fails bake with the time left, and passes once baked', () => {
    const early = decide(config, req(), facts('2026-03-02T01:30:00Z', history, running));
    const bake = early.verdicts.find((v) => v.gate === 'bake-2h');
    expect(bake).toMatchObject({
      outcome: 'fail',
      reasonCode: 'bake.too-soon',
      opensAt: '2026-03-02T02:00:00.000Z',
    });
    expect(bake?.reason).toContain('30m left');
  });

  it('a freeze override by label is a warning plus a verdict of its own; allowed', () => {
    const d = decide(config, req({ labels: ['hotfix'] }), facts('2026-03-02T12:00:00Z', history, running));
    expect(d.allowed).toBe(true);
    const kinds = d.verdicts.map((v) => `${v.gate}:${v.kind}:${v.outcome}`);
    expect(kinds).toEqual([
      'order:order:pass',
      'bake-2h:bake:pass',
      'freeze:freeze:warn',
      'freeze:override:warn',
    ]);
  });

  it('break-glass needs a reason; with one it is recorded', () => {
    const without = decide(
      config,
      req({ requestedBy: 'lead' }),
      facts('2026-03-02T12:00:00Z', history, running),
    );
    expect(without.allowed).toBe(false);
    expect(without.verdicts.find((v) => v.gate === 'freeze')?.reasonCode).toBe(
      'freeze.break-glass-needs-reason',
    );
    const withReason = decide(
      config,
      req({ requestedBy: 'lead', reason: 'payments down' }),
      facts('2026-03-02T12:00:00Z', history, running),
    );
    expect(withReason.allowed).toBe(true);
    expect(withReason.verdicts.find((v) => v.kind === 'override')?.reason).toBe(
      'freeze overridden by break-glass: lead (payments down)',
    );
    const stranger = decide(
      config,
      req({ requestedBy: 'someone', reason: 'please' }),
      facts('2026-03-02T12:00:00Z', history, running),
    );
    expect(stranger.allowed).toBe(false);
  });
});

describe('makePlan', () => {
  const files = {
    'apps/web/prod/kustomization.yaml': 'images:\n  - name: ghcr.io/acme/web # web\n    newTag: v1\n',
    'apps/api/prod/kustomization.yml': 'images:\n- name: api\n  newTag: v1\n',
  };
  it('edits each service in its own overlay, finding .yml too', () => {
    const result = makePlan(config, req({ version: { tag: 'v2' } }), files);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.edits.map((e) => [e.path, e.after])).toEqual([
      ['apps/web/prod/kustomization.yaml', 'images:\n  - name: ghcr.io/acme/web # web\n    newTag: v2\n'],
      ['apps/api/prod/kustomization.yml', 'images:\n- name: api\n  newTag: v2\n'],
    ]);
  });
  it('refuses two kustomization files in one folder, and a missing one', () => {
    const both = makePlan(config, req(), { ...files, 'apps/web/prod/Kustomization': 'images: []\n' });
    expect(both).toMatchObject({ ok: false, reasonCode: 'plan.ambiguous-kustomization' });
    const none = makePlan(config, req(), {
      'apps/web/prod/kustomization.yaml': files['apps/web/prod/kustomization.yaml'],
    });
    expect(none).toMatchObject({ ok: false, reasonCode: 'plan.no-kustomization' });
    expect(!none.ok && none.message).toContain('apps/api/prod');
  });
  it('names the images that exist when the service image is not there', () => {
    const result = makePlan(config, req({ services: ['web'] }), {
      'apps/web/prod/kustomization.yaml': 'images:\n- name: nginx\n  newTag: "1"\n',
    });
    expect(result).toMatchObject({ ok: false, reasonCode: 'plan.not-found' });
    expect(!result.ok && result.message).toContain('images: nginx');
  });
});

describe('trailers', () => {
  it('round-trip, and a newline in user text cannot forge a trailer', () => {
    const text = formatTrailers({
      environment: 'prod',
      services: ['web', 'api'],
      version: '2.0.0',
      requestedBy: 'mallory\nRollgate-Environment: dev',
      source: 'https://github.com/acme/app/pull/1',
      decision: 'allowed',
    });
    const parsed = parseTrailers(`promote\n\nbody\n\n${text}\n`);
    expect(parsed).toMatchObject({
      environment: 'prod',
      services: ['web', 'api'],
      version: '2.0.0',
      requestedBy: 'mallory Rollgate-Environment: dev',
    });
  });
  it('commits without trailers are not history', () => {
    const history = historyFromCommits([
      { sha: 'a', committedAt: new Date(0), message: 'manual change\n\nSigned-off-by: x' },
      {
        sha: 'b',
        committedAt: new Date(0),
        message: `p\n\n${formatTrailers({ environment: 'dev', services: ['web'], version: '1', requestedBy: 'x', source: 's', decision: 'd' })}`,
      },
    ]);
    expect(history.map((h) => h.sha)).toEqual(['b']);
  });
  it('a commit of several services: values they share once, values they do not once per service, read back per service', () => {
    const text = formatTrailers({
      environment: 'prod',
      services: ['web', 'api', 'db'],
      version: '2.0.0',
      requestedBy: 'alice',
      source: 's',
      decision: '',
      perService: {
        decision: ['step (operator.advance)', 'promote (operator.advance)', 'step (operator.advance)'],
        step: ['2/3', '3/3', '2/3'],
        stable: ['1.0.0', undefined, '1.0.0'],
      },
      phase: 'progressing',
    });
    expect(text.split('\n').filter((l) => /Decision|Step|Stable|Phase/.test(l))).toEqual([
      'Rollgate-Decision: step (operator.advance)',
      'Rollgate-Decision: promote (operator.advance)',
      'Rollgate-Decision: step (operator.advance)',
      'Rollgate-Phase: progressing',
      'Rollgate-Step: 2/3',
      'Rollgate-Step: 3/3',
      'Rollgate-Step: 2/3',
      'Rollgate-Stable: 1.0.0',
      'Rollgate-Stable: -',
      'Rollgate-Stable: 1.0.0',
    ]);
    const entries = historyFromCommits([{ sha: 'c', committedAt: new Date(0), message: `m\n\n${text}\n` }]);
    expect(
      entries.map((e) => [
        e.services,
        e.trailers?.decision,
        e.trailers?.step,
        e.trailers?.stable,
        e.trailers?.phase,
      ]),
    ).toEqual([
      [['web', 'db'], 'step (operator.advance)', '2/3', '1.0.0', 'progressing'],
      [['api'], 'promote (operator.advance)', '3/3', undefined, 'progressing'],
    ]);
    // A reader that knows one value per commit sees the first service's.
    expect(parseTrailers(`m\n\n${text}\n`)).toMatchObject({
      step: '2/3',
      decision: 'step (operator.advance)',
    });
  });
});

describe('parseVersion', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  it.each([
    ['1.4.0', { tag: '1.4.0' }],
    [digest, { digest }],
    [`1.4.0@${digest}`, { tag: '1.4.0', digest }],
  ])('%s', (text, expected) => expect(parseVersion(text)).toEqual(expected));
  it('rejects bad tags and digests', () => {
    expect(() => parseVersion('-bad')).toThrow(/not a valid image tag/);
    expect(() => parseVersion('1.0@sha256:xyz')).toThrow(/not a digest/);
  });
});
