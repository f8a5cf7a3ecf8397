import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from './demo-repo.js';
import { clockOn, type DemoStep, demoWalker, type Run, simulatedWrite } from './demo-walk.js';
import type { CliIo } from './io.js';

// `rollgate demo flags` (npm run demo:flags): two flagd flags in a ConfigMap, rolled out through
// git by rollgate. `new-checkout` goes 10% -> 50% -> 100% tick by tick; `new-search` is aborted at
// 10% (its share back to 0, the flag still ENABLED, the variant held). Offline: git only, the clock
// moved by --at with --simulate-clock.

const DAY = '2026-11-24'; // a Tuesday: no weekend freeze
const at = clockOn(DAY);

const FLAG_FILE = 'apps/checkout/flags/flagd-config.yaml';

const FILES: Readonly<Record<string, string>> = {
  [FLAG_FILE]: `apiVersion: v1
kind: ConfigMap
metadata:
  name: flagd-config # mounted by the flagd sidecar; a plain resource, so no name hash and no restarts
data:
  flags.flagd.json: |
    {
      "$schema": "https://flagd.dev/schema/v0/flags.json",
      "flags": {
        "new-checkout": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {}
        },
        "new-search": {
          "state": "ENABLED",
          "variants": {"v1": "classic", "v2": "vector"},
          "defaultVariant": "v1"
        }
      }
    }
`,
  'apps/checkout/flags/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: checkout
resources:
  - flagd-config.yaml
`,
};

const CONFIG = `version: 1
gitops:
  repository: .
services:
  checkout:
    image: ghcr.io/acme/checkout
environments:
  production:
    path: apps/{{service}}/overlays/production
    gates: [weekend-freeze]
    flags:
      new-checkout:
        file: ${FLAG_FILE}
        variant: "on"
        steps: [10, 50]
        interval: 30m
      new-search:
        file: ${FLAG_FILE}
        variant: v2
        steps: [10, 50]
        interval: 30m
gates:
  weekend-freeze:
    freeze:
      windows:
        - { start: "0 16 * * FRI", end: "0 8 * * MON", timezone: Europe/Berlin }
`;

const write = simulatedWrite(at);

export const FLAG_STEPS: readonly DemoStep[] = [
  {
    title: '10:00 start the new-checkout rollout: the gates pass, 10% of users get "on"',
    argv: write('promote', '10:00', 'production', '--flag', 'new-checkout'),
    expect: 0,
  },
  { title: '10:10 a tick inside the 30m hold: nothing is written', argv: write('tick', '10:10'), expect: 0 },
  {
    title: '10:30 a tick: the hold is over, 50% (the new users join; nobody leaves "on")',
    argv: write('tick', '10:30'),
    expect: 0,
  },
  { title: '11:00 a tick: promoted, 100% and defaultVariant "on"', argv: write('tick', '11:00'), expect: 0 },
  {
    title: '11:10 start new-search (v2) at 10%',
    argv: write('promote', '11:10', 'production', '--flag', 'new-search'),
    expect: 0,
  },
  {
    title:
      '11:20 search latency doubles: abort. v2 goes back to a share of 0 (the flag stays ENABLED) and is held',
    argv: write('abort', '11:20', 'production', '--flag', 'new-search', '--reason', 'search latency doubled'),
    expect: 0,
  },
  {
    title: '11:30 starting v2 again is refused while the hold is on (promote --reason lifts it)',
    argv: write('promote', '11:30', 'production', '--flag', 'new-search'),
    expect: 1,
  },
];

export async function runFlagsDemo(keep: boolean, io: CliIo, run: Run): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'rollgate-flags-demo-'));
  try {
    const work = join(root, 'seed');
    for (const [path, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), text);
    }
    const when = '2026-11-02T12:00:00Z';
    const env = {
      GIT_AUTHOR_NAME: 'platform-team',
      GIT_AUTHOR_EMAIL: 'platform@example.com',
      GIT_COMMITTER_NAME: 'platform-team',
      GIT_COMMITTER_EMAIL: 'platform@example.com',
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
    };
    await git(work, ['init', '--quiet', '--initial-branch=main']);
    await git(work, ['add', '.']);
    await git(work, ['commit', '--quiet', '-m', 'bootstrap: flagd flags for checkout'], env);
    const gitops = join(root, 'gitops.git');
    await git(root, ['clone', '--quiet', '--bare', work, gitops]);
    const config = join(root, 'rollgate.yaml');
    await writeFile(config, CONFIG);
    io.stdout(
      'rollgate flags demo: feature-flag rollouts through git (OpenFeature flagd definitions in a ConfigMap).',
    );
    io.stdout(`GitOps repository: ${gitops}`);
    io.stdout(`Config: ${config}: new-checkout and new-search roll out 10% -> 50% -> 100%, 30m per step.\n`);
    const common = ['--config', config, '--gitops', gitops, '--requested-by', 'release-manager'];
    const walker = demoWalker({
      gitops,
      common,
      io,
      run,
      show: (step) => (step.argv[0] === 'promote' ? undefined : { paths: ['--', FLAG_FILE] }),
    });
    for (const [i, step] of FLAG_STEPS.entries()) await walker.step(step, i + 1);
    io.stdout('\n=== The GitOps history: one commit per rollout action');
    io.stdout(await git(gitops, ['log', '--format=%h %cI %s']));
    io.stdout('=== The flags now');
    io.stdout(await git(gitops, ['show', `main:${FLAG_FILE}`]));
    return walker.failures() === 0 ? 0 : 3;
  } finally {
    if (keep) io.stdout(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}
