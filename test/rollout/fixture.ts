import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { RolloutDeps } from '../../src/core/rollout-run.js';
import type { GitOpsStore } from '../../src/core/store.js';
import { fetchAnalysisInputs } from '../../src/facts/fetchers.js';
import { runGit } from '../../src/gitops/exec.js';
import { cli } from '../helpers/cli.js';
import { git } from '../helpers/repo.js';
import { kustomizeBuild } from '../overlays/kubectl.js';

// A GitOps repository for rollouts: per service a stable and a canary Deployment and Service, a
// production overlay pinning both images, and a traffic file of the chosen provider. Real git.

export type TrafficKind = 'gateway-api' | 'istio' | 'ingress-nginx' | 'smi';

export const TRAFFIC_FILES: Readonly<Record<TrafficKind, (s: string) => string>> = {
  'gateway-api': (s) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${s}
spec:
  parentRefs:
    - name: public
  rules:
    - backendRefs:
        - name: ${s}
          port: 80
          weight: 100 # stable
        - name: ${s}-canary
          port: 80
          weight: 0
`,
  istio: (s) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${s}
spec:
  hosts: [${s}]
  http:
    - route:
        - destination: { host: ${s} }
          weight: 100
        - destination: { host: ${s}-canary }
          weight: 0
`,
  'ingress-nginx': (s) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${s}-canary
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-weight: "0"
spec:
  rules:
    - host: ${s}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: { name: ${s}-canary, port: { number: 80 } }
`,
  smi: (s) => `apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata:
  name: ${s}
spec:
  service: ${s}
  backends:
    - service: ${s}
      weight: 100
    - service: ${s}-canary
      weight: 0
`,
};

function deployment(name: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: app
          image: ${image}
`;
}

function service(name: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: { app: ${name} }
  ports:
    - port: 80
`;
}

export function gitopsFiles(
  services: readonly string[],
  kind: TrafficKind,
  version = '1.4.0',
): Record<string, string> {
  const files: Record<string, string> = {};
  for (const s of services) {
    const base = `apps/${s}/base`;
    files[`${base}/deployment.yaml`] = deployment(s, `ghcr.io/acme/${s}:latest`);
    files[`${base}/deployment-canary.yaml`] = deployment(`${s}-canary`, `${s}-canary`);
    files[`${base}/service.yaml`] = service(s);
    files[`${base}/service-canary.yaml`] = service(`${s}-canary`);
    files[`${base}/kustomization.yaml`] =
      'resources:\n  - deployment.yaml\n  - deployment-canary.yaml\n  - service.yaml\n  - service-canary.yaml\n';
    files[`apps/${s}/overlays/production/traffic.yaml`] = TRAFFIC_FILES[kind](s);
    files[`apps/${s}/overlays/production/kustomization.yaml`] = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${s}
resources:
  - ../../base
  - traffic.yaml

replicas:
  - name: ${s}
    count: 4 # sized for peak
  - name: ${s}-canary
    count: 0

images:
  - name: ghcr.io/acme/${s} # the stable workload
    newTag: "${version}"
  - name: ${s}-canary
    newName: ghcr.io/acme/${s}
    newTag: "${version}"
`;
  }
  return files;
}

export function canaryConfig(
  services: readonly string[],
  kind: TrafficKind,
  canary?: string,
  gates = '',
): Config {
  return parseConfig(
    { file: 'rollgate.yaml', text: canaryConfigText(services, kind, canary, gates) },
    [],
    {},
  );
}

export function canaryConfigText(
  services: readonly string[],
  kind: TrafficKind,
  canary: string = 'steps: [5, 25, 50]\ninterval: 30m\nanalysis: [canary-errors]',
  gates = '',
): string {
  const traffic =
    kind === 'ingress-nginx'
      ? `traffic: { kind: ingress-nginx, file: traffic.yaml, route: "{{service}}-canary" }`
      : `traffic: { kind: ${kind}, file: traffic.yaml, route: "{{service}}", canaryBackend: "{{service}}-canary" }`;
  const text = `version: 1
gitops:
  repository: .
services:
${services.map((s) => `  ${s}:\n    image: ghcr.io/acme/${s}`).join('\n')}
environments:
  production:
    path: apps/{{service}}/overlays/production
    gates: [weekend-freeze]
    canary:
      image: "{{service}}-canary"
      ${traffic}
      replicas: 2
${canary
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
gates:
  weekend-freeze:
    freeze:
      windows:
        - { start: "0 16 * * FRI", end: "0 8 * * MON", timezone: UTC }
      unless: { labels: [hotfix] }
  canary-errors:
    slo:
      prometheus: { url: "http://127.0.0.1:9" }
      objective: 99
      period: 1h
      errors: sum(rate(errors[{{window}}]))
      total: sum(rate(total[{{window}}]))
      burnRates: none
      onNoData: warn
${gates}`;
  return text;
}

const ENV = {
  GIT_AUTHOR_NAME: 'platform-team',
  GIT_AUTHOR_EMAIL: 'platform@example.com',
  GIT_COMMITTER_NAME: 'platform-team',
  GIT_COMMITTER_EMAIL: 'platform@example.com',
};

/** A bare repository holding `files`, committed at `when`; returns its path and a work clone for hand edits. */
export async function seedRepo(
  root: string,
  files: Readonly<Record<string, string>>,
  when = '2026-11-30T12:00:00Z',
): Promise<{ bare: string; work: string }> {
  const work = join(root, 'work');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), text);
  }
  await gitEnv(work, when, 'init', '--quiet', '--initial-branch=main');
  await gitEnv(work, when, 'add', '.');
  await gitEnv(work, when, 'commit', '--quiet', '-m', 'bootstrap');
  const bare = join(root, 'gitops.git');
  await git(root, 'clone', '--quiet', '--bare', work, bare);
  await gitEnv(work, when, 'remote', 'add', 'origin', bare);
  return { bare, work };
}

async function gitEnv(cwd: string, when: string, ...args: string[]): Promise<void> {
  const r = await runGit(args, { cwd, env: { ...ENV, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when } });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/**
 * A person's commit on the GitOps branch (a hand edit or a revert), made in the work clone and
 * pushed; to another branch (`side`) for a commit that lands later, when a test moves main to it.
 */
export async function handCommit(
  work: string,
  files: Readonly<Record<string, string>>,
  when: string,
  message = 'hand edit',
  branch = 'main',
): Promise<void> {
  await gitEnv(work, when, 'pull', '--quiet', '--ff-only', 'origin', 'main');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), text);
  }
  await gitEnv(work, when, 'add', '--', ...Object.keys(files));
  await gitEnv(work, when, 'commit', '--quiet', '-m', message);
  await gitEnv(work, when, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
}

/** What the analysis port hands the canary-errors slo gate: healthy, failing, no data, or Prometheus down. */
export type Health = 'healthy' | 'failing' | 'no-data' | 'down';

export function sloInputs(health: Health, at: Date): Record<string, unknown> {
  const result = (value: string) =>
    health === 'no-data'
      ? { kind: 'empty' }
      : health === 'down'
        ? { kind: 'error', reasonCode: 'prometheus.unreachable', reason: 'connect ECONNREFUSED 127.0.0.1:9' }
        : { kind: 'sample', value };
  return {
    'canary-errors': {
      kind: 'slo-samples',
      at: at.toISOString(),
      windows: {
        '1h': {
          errors: { query: 'errors', result: result(health === 'failing' ? '50' : '0') },
          total: { query: 'total', result: result('100') },
        },
      },
    },
  };
}

/** `kubectl kustomize` of an overlay as committed at `ref`: the tree is exported, then built. */
export async function buildAt(bare: string, root: string, overlay: string, ref = 'main'): Promise<unknown[]> {
  const dir = await mkdtemp(join(root, 'build-'));
  const tar = join(dir, 'tree.tar');
  await git(bare, 'archive', '--format=tar', '-o', tar, ref);
  await promisify(execFile)('tar', ['-xf', tar, '-C', dir]);
  return kustomizeBuild(join(dir, overlay));
}

/** Rollout deps at a given time whose analysis asks the real Prometheus of the metric gates. */
export const metricDeps =
  (store: GitOpsStore) =>
  (at: Date): RolloutDeps => ({
    store,
    clock: () => at,
    analysis: (gates, window, subject) => fetchAnalysisInputs(gates, window, { ...subject, env: {} }),
  });

/** The CLI's `--at T --simulate-clock`. */
export const simulated = (iso: string): string[] => ['--at', iso, '--simulate-clock'];

/**
 * Gateway API canaries of `services` (5 -> 25 -> 50, every 30 min) in a fresh bare repository, all
 * started at 1.5.0 by one CLI promote at 2026-12-01T10:00Z. `common` are the CLI's --config and --gitops.
 */
export async function startedRollouts(
  root: string,
  services: readonly string[] = ['checkout', 'cart'],
): Promise<{ bare: string; work: string; common: string[] }> {
  const { bare, work } = await seedRepo(root, gitopsFiles(services, 'gateway-api'), '2026-11-30T12:00:00Z');
  const config = join(root, 'rollgate.yaml');
  await writeFile(config, canaryConfigText(services, 'gateway-api', 'steps: [5, 25, 50]\ninterval: 30m'));
  const common = ['--config', config, '--gitops', bare];
  const started = await cli([
    'promote',
    'production',
    '--version',
    '1.5.0',
    ...simulated('2026-12-01T10:00:00Z'),
    ...common,
  ]);
  if (started.code !== 0) throw new Error(`promote failed: ${started.stderr}`);
  return { bare, work, common };
}
