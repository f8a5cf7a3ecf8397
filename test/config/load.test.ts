import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { ConfigError, exitCodeOf } from '../../src/core/errors.js';
import { EXAMPLE_CONFIG, tempDir } from '../helpers/repo.js';

const BASE = `version: 1
gitops:
  repository: acme/gitops
services:
  checkout:
    image: ghcr.io/acme/checkout
environments:
  dev:
    path: apps/{{service}}/dev
  staging:
    path: apps/{{service}}/staging
    after: dev
    gates: [bake-1h]
gates:
  bake-1h: { bake: 1h }
`;

function problemsOf(
  text: string,
  policies: { file: string; text: string }[] = [],
  env: Record<string, string> = {},
) {
  try {
    parseConfig({ file: 'rollgate.yaml', text }, policies, env);
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('config loader', () => {
  it('loads the bundled example with its policies folder', async () => {
    const config = await loadConfigFile(EXAMPLE_CONFIG, {});
    expect(Object.keys(config.environments)).toEqual(['dev', 'staging', 'production']);
    expect(config.environments.production?.gates).toEqual(['weekend-freeze', 'holidays', 'bake-24h']);
    expect(config.gates['weekend-freeze']?.kind).toBe('freeze');
    expect(config.gates['weekend-freeze']?.file).toMatch(/policies\/freezes\.yaml$/);
    expect(config.gitops).toEqual({ repository: 'acme/gitops', branch: 'main', mode: 'push' });
  });

  it('applies defaults for omitted keys', () => {
    const config = parseConfig({ file: 'r.yaml', text: BASE }, [], {});
    expect(config.gitops.branch).toBe('main');
    expect(config.gitops.mode).toBe('push');
    expect(config.environments.dev?.gates).toEqual([]);
  });

  const cases: { name: string; edit: (t: string) => string; expected: string[] }[] = [
    {
      name: 'misspelt key with did-you-mean and position',
      edit: (t) => t.replace('    after: dev', '    atfer: dev'),
      expected: [
        'rollgate.yaml:12:5 environments.staging.atfer: unknown key "atfer" (did you mean "after"?)',
      ],
    },
    {
      name: 'bad enum value names the value',
      edit: (t) => t.replace('  repository: acme/gitops', '  repository: acme/gitops\n  mode: pushh'),
      expected: ['rollgate.yaml:4:9 gitops.mode: expected one of "push"|"pull-request", got "pushh"'],
    },
    {
      name: 'missing required key points at its parent',
      edit: (t) => t.replace('    path: apps/{{service}}/dev\n', '    gates: []\n'),
      expected: ['rollgate.yaml:9:5 environments.dev.path: missing required key "path"'],
    },
    {
      name: 'unknown gate kind with did-you-mean',
      edit: (t) => t.replace('{ bake: 1h }', '{ baek: 1h }'),
      expected: ['rollgate.yaml:15:14 gates.bake-1h.baek: unknown gate kind "baek" (did you mean "bake"?)'],
    },
    {
      name: 'gate config is validated by its kind schema',
      edit: (t) => t.replace('{ bake: 1h }', '{ bake: soon }'),
      expected: ['rollgate.yaml:15:20 gates.bake-1h.bake: a duration such as 1h, 24h, 2d, got "soon"'],
    },
    {
      name: 'reference to an unknown gate',
      edit: (t) => t.replace('gates: [bake-1h]', 'gates: [bake-1hr]'),
      expected: [
        'rollgate.yaml:13:13 environments.staging.gates[0]: no gate named "bake-1hr" (did you mean "bake-1h"?)',
      ],
    },
    {
      name: 'after names no environment',
      edit: (t) => t.replace('after: dev', 'after: deb'),
      expected: [
        'rollgate.yaml:12:12 environments.staging.after: "after: deb" names no environment (did you mean "dev"?)',
      ],
    },
    {
      name: 'after loop',
      edit: (t) =>
        t.replace('    path: apps/{{service}}/dev\n', '    path: apps/{{service}}/dev\n    after: staging\n'),
      expected: ['environments.dev.after: "after" forms a loop: dev -> staging -> dev'],
    },
    {
      name: 'YAML syntax error',
      edit: (t) => t.replace('  checkout:\n', '  checkout:\n   - [\n'),
      expected: ['rollgate.yaml:'],
    },
    {
      name: 'bad cron and unknown zone in a freeze window',
      edit: (t) =>
        `${t}  freeze-1:\n    freeze:\n      windows:\n        - { start: "0 25 * * *", end: "0 8 * * MON", timezone: Europe/Berlin }\n        - { from: "2026-12-21T00:00", to: "2027-01-04T00:00", timezone: Mars/Olympus }\n`,
      expected: [
        'rollgate.yaml:19:20 gates.freeze-1.freeze.windows[0].start: bad cron "0 25 * * *"',
        'rollgate.yaml:20:73 gates.freeze-1.freeze.windows[1].timezone: unknown time zone "Mars/Olympus"',
      ],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const problems = problemsOf(c.edit(BASE));
      expect(problems.length).toBeGreaterThan(0);
      for (const e of c.expected)
        expect(
          problems.some((p) => p.includes(e)),
          `${problems.join('\n')}\nwanted: ${e}`,
        ).toBe(true);
    });
  }

  it('resolves ${ENV} at load and names a missing variable with its position', () => {
    const text = BASE.replace('repository: acme/gitops', 'repository: ${GITOPS_REPO}');
    expect(parseConfig({ file: 'r.yaml', text }, [], { GITOPS_REPO: 'acme/other' }).gitops.repository).toBe(
      'acme/other',
    );
    expect(problemsOf(text)).toEqual([
      'rollgate.yaml:3:15 gitops.repository: environment variable GITOPS_REPO is not set (referenced as ${GITOPS_REPO}); set it, or write the value in place',
    ]);
  });

  it("keeps ${ENV} in a gate's prometheus block for the query to expand, and still names a missing one", () => {
    const gates = `gates:
  errors:
    metric:
      prometheus: { url: "\${PROM_URL}/?api_key=\${PROM_KEY}", headers: { X-Scope-OrgID: "\${TENANT}" } }
      query: "sum(rate(e{tenant='\${TENANT}'}[1m]))"
      thresholdRange: { max: 1 }
`;
    const env = { PROM_URL: 'http://p:9090', PROM_KEY: 's3cret', TENANT: 'acme' };
    const policy = { file: 'policies/p.yaml', text: gates };
    const config = parseConfig({ file: 'rollgate.yaml', text: BASE }, [policy], env);
    expect(config.gates.errors?.config).toMatchObject({
      prometheus: { url: '${PROM_URL}/?api_key=${PROM_KEY}', headers: { 'X-Scope-OrgID': '${TENANT}' } },
      query: "sum(rate(e{tenant='acme'}[1m]))",
    });
    expect(problemsOf(BASE, [policy], { PROM_URL: 'http://p:9090', TENANT: 'acme' })).toEqual([
      'policies/p.yaml:4:26 gates.errors.metric.prometheus.url: environment variable PROM_KEY is not set (referenced as ${PROM_KEY}); set it, or write the value in place',
    ]);
  });

  it('reads gates from policy files and refuses a duplicate name', () => {
    const policy = { file: 'policies/p.yaml', text: 'gates:\n  bake-1h: { bake: 2h }\n' };
    expect(problemsOf(BASE, [policy])).toEqual([
      'policies/p.yaml:2:3 gates.bake-1h: gate "bake-1h" is already defined in rollgate.yaml; gate names must be unique',
    ]);
    const other = { file: 'policies/q.yaml', text: 'gates:\n  bake-2h: { bake: 2h }\n  oops: 1\n' };
    expect(problemsOf(BASE, [other])[0]).toContain(
      'policies/q.yaml:3:9 gates.oops: a gate holds exactly one key',
    );
  });

  it('reports several problems at once', () => {
    const text = BASE.replace('  repository: acme/gitops', '  repo: acme/gitops').replace(
      '    path: apps/{{service}}/dev',
      '    paht: x',
    );
    expect(problemsOf(text).length).toBeGreaterThanOrEqual(3);
  });

  describe('on disk', () => {
    let dir = '';
    let cleanup = async () => {};
    beforeAll(async () => {
      ({ dir, cleanup } = await tempDir());
      await mkdir(join(dir, 'policies'));
      await writeFile(join(dir, 'rollgate.yaml'), BASE.replace('gates:\n  bake-1h: { bake: 1h }\n', ''));
      await writeFile(join(dir, 'policies', 'bake.yaml'), 'gates:\n  bake-1h: { bake: 1h }\n');
      await writeFile(join(dir, 'policies', 'README.md'), 'not a policy');
    });
    afterAll(() => cleanup());
    it('finds gates in policies/ beside the config file', async () => {
      const config = await loadConfigFile(join(dir, 'rollgate.yaml'), {});
      expect(config.gates['bake-1h']).toMatchObject({ kind: 'bake', config: '1h' });
    });
    it('a missing config file is a usage error (exit 2) that says what to do', async () => {
      const err: unknown = await loadConfigFile(join(dir, 'nope.yaml'), {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/config .*nope\.yaml.*--config FILE/);
      expect(exitCodeOf(err)).toBe(2);
      // A folder where the file should be is the same mistake.
      expect(exitCodeOf(await loadConfigFile(dir, {}).catch((e: unknown) => e))).toBe(2);
    });
  });
});
