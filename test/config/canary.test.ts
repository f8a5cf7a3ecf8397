import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

// `environments.<env>.canary`: every key of issue 8 parses with its defaults, and `validate`
// refuses what would go wrong at the first tick, each at file:line:col.

function config(canary: string, mode = 'push', extraGates = ''): string {
  return `version: 1
gitops:
  repository: acme/gitops
  mode: ${mode}
services:
  checkout:
    image: ghcr.io/acme/checkout
environments:
  production:
    path: apps/{{service}}/overlays/production
    gates: [bake-1h]
    canary:
${canary
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
gates:
  bake-1h: { bake: 1h }
  canary-errors: { bake: 1m }${extraGates}
`;
}

function problemsOf(text: string): string[] {
  try {
    parseConfig({ file: 'rollgate.yaml', text }, [], {});
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

const TRAFFIC =
  'traffic: { kind: gateway-api, file: httproute.yaml, route: "{{service}}", canaryBackend: "{{service}}-canary" }';

describe('canary config', () => {
  it('parses every key with its defaults', () => {
    const text = config(`image: "{{service}}-canary"
${TRAFFIC}
steps: [5, { weight: 25, interval: 10m }, 50, 100]`);
    const parsed = parseConfig({ file: 'rollgate.yaml', text }, [], {});
    expect(parsed.environments.production?.canary).toEqual({
      image: '{{service}}-canary',
      traffic: {
        kind: 'gateway-api',
        file: 'httproute.yaml',
        route: '{{service}}',
        canaryBackend: '{{service}}-canary',
      },
      steps: [5, { weight: 25, interval: '10m' }, 50, 100],
      interval: '30m',
      analysis: [],
      analysisDelay: '1m',
      onFailure: 'rollback',
    });
  });

  it('accepts the full form', () => {
    const text = config(`path: apps/{{service}}/overlays/production-canary
${TRAFFIC}
steps: [5, 25, 50]
interval: 30m
analysis: [canary-errors]
analysisDelay: 2m
warmup: 5m
replicas: { name: "{{service}}-canary", count: 2 }
onFailure: pause
verify: { duration: 30m, analysis: [canary-errors] }`);
    expect(problemsOf(text)).toEqual([]);
  });

  const refusals: { name: string; canary: string; mode?: string; expected: RegExp[] }[] = [
    {
      name: 'a canary that edits the stable entry',
      canary: `image: ghcr.io/acme/checkout\n${TRAFFIC}\nsteps: [5]`,
      expected: [/^13:14 environments\.production\.canary\.image: .*edit the stable entry/],
    },
    {
      name: 'a canary overlay that is the stable overlay',
      canary: `path: apps/{{service}}/overlays/production\n${TRAFFIC}\nsteps: [5]`,
      expected: [/^13:13 environments\.production\.canary\.path: .*stable entry/],
    },
    {
      name: 'neither image nor path',
      canary: `${TRAFFIC}\nsteps: [5]`,
      expected: [/^13:7 environments\.production\.canary: say where the canary workload is/],
    },
    {
      name: 'falling weights',
      canary: `image: "{{service}}-canary"\n${TRAFFIC}\nsteps: [5, 50, 25]`,
      expected: [/^15:22 environments\.production\.canary\.steps\[2\]: weights must rise: 25 after 50/],
    },
    {
      name: 'unknown analysis and verify gates',
      canary: `image: "{{service}}-canary"\n${TRAFFIC}\nsteps: [5]\nanalysis: [canary-erors]\nverify: { duration: 1h, analysis: [nope] }`,
      expected: [
        /^16:18 environments\.production\.canary\.analysis\[0\]: no gate named "canary-erors" \(did you mean "canary-errors"\?\)/,
        /^17:42 environments\.production\.canary\.verify\.analysis\[0\]: no gate named "nope"/,
      ],
    },
    {
      name: 'pull-request mode',
      canary: `image: "{{service}}-canary"\n${TRAFFIC}\nsteps: [5]`,
      mode: 'pull-request',
      expected: [/^13:7 environments\.production\.canary: .*gitops\.mode: push/],
    },
    {
      name: 'an unknown traffic kind',
      canary: `image: "{{service}}-canary"\ntraffic: { kind: linkerd, file: x.yaml }\nsteps: [5]`,
      expected: [/^14:24 environments\.production\.canary\.traffic\.kind: .*gateway-api/],
    },
    {
      name: 'a bad duration in a step',
      canary: `image: "{{service}}-canary"\n${TRAFFIC}\nsteps: [{ weight: 5, interval: soon }]`,
      expected: [/^15:38 environments\.production\.canary\.steps\[0\]\.interval: a duration/],
    },
    {
      name: 'a weight step of 0',
      canary: `image: "{{service}}-canary"\n${TRAFFIC}\nsteps: [0, 5]`,
      expected: [/^15:15 environments\.production\.canary\.steps\[0\]: .*warmup/],
    },
    // Issue 11 item 13 for the new path templates: nothing rollgate reads or writes leaves the repository.
    {
      name: 'a canary overlay that leaves the repository',
      canary: `path: ../{{service}}/canary\n${TRAFFIC}\nsteps: [5]`,
      expected: [
        /^13:13 environments\.production\.canary\.path: canary\.path "\.\.\/\{\{service\}\}\/canary" leaves the GitOps repository; .*e\.g\. apps\/\{\{service\}\}\/overlays\/production-canary$/,
      ],
    },
    {
      name: 'an absolute canary overlay',
      canary: `path: /srv/{{service}}/canary\n${TRAFFIC}\nsteps: [5]`,
      expected: [
        /^13:13 environments\.production\.canary\.path: canary\.path "\/srv\/\{\{service\}\}\/canary" must be relative/,
      ],
    },
    {
      name: 'a traffic file that leaves the repository',
      canary: `image: "{{service}}-canary"\ntraffic: { kind: gateway-api, file: ../../../../../etc/route.yaml }\nsteps: [5]`,
      expected: [
        /^14:43 environments\.production\.canary\.traffic\.file: traffic\.file "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/route\.yaml" leaves the GitOps repository from the overlay folder apps\/\{\{service\}\}\/overlays\/production; /,
      ],
    },
    {
      name: 'an absolute traffic file',
      canary: `image: "{{service}}-canary"\ntraffic: { kind: gateway-api, file: /etc/route.yaml }\nsteps: [5]`,
      expected: [
        /^14:43 environments\.production\.canary\.traffic\.file: traffic\.file "\/etc\/route\.yaml" must be relative to the environment's overlay folder/,
      ],
    },
  ];

  it('accepts a traffic file beside the overlay folder, still inside the repository', () => {
    expect(
      problemsOf(
        config(
          `image: "{{service}}-canary"\ntraffic: { kind: gateway-api, file: "../shared/{{service}}-route.yaml" }\nsteps: [5]`,
        ),
      ),
    ).toEqual([]);
  });

  for (const r of refusals) {
    it(`refuses ${r.name}`, () => {
      const problems = problemsOf(config(r.canary, r.mode));
      expect(problems).toHaveLength(r.expected.length);
      r.expected.forEach((re, i) => expect(problems[i]).toMatch(re));
    });
  }
});
