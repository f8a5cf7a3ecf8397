// Acceptance harness: a scene (an app repository and a GitOps repository as real git repos, served
// by the loopback GitHub simulator) and a runner that starts the BUILT bundle `node dist/action.js`
// as the runner would: INPUT_* variables, GITHUB_EVENT_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gitOk } from '../sim/git.js';
import { startSimulator, type Simulator } from '../sim/index.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BUNDLE = join(ROOT, 'dist', 'action.js');

const HOUR = 3_600_000;

export const APP_CONFIG = `version: 1
gitops:
  repository: acme/gitops
  branch: main
  mode: MODE
services:
  checkout:
    image: ghcr.io/acme/checkout
    tag: "sha-{{sha7}}"
  cart:
    image: ghcr.io/acme/cart
environments:
  dev:
    path: apps/{{service}}/overlays/dev
  staging:
    path: apps/{{service}}/overlays/staging
    after: dev
    gates: [bake-1h]
  production:
    path: apps/{{service}}/overlays/production
    after: staging
    gates: [year-2000-freeze]
gates:
  bake-1h: { bake: 1h }
`;

/** A freeze that is always on while these tests run: the Action reads the real clock. */
export const FREEZE_POLICY = `gates:
  year-2000-freeze:
    freeze:
      windows:
        - { name: the long freeze, from: "2000-01-01T00:00", to: "2100-01-01T00:00", timezone: UTC }
      unless: { labels: [hotfix] }
`;

/** Gates a scene can put on production instead of the freeze. */
export const EXTRA_POLICY = `gates:
  release-approvals:
    approvals: { count: 1, teams: [acme/release] }
  ci-green:
    checks: { required: [build] }
`;

/** An SLO gate; only added to a scene that asks for it (it needs PROMETHEUS_URL at load). */
export const SLO_POLICY = `gates:
  checkout-slo:
    slo:
      prometheus: { url: "\${PROMETHEUS_URL}" }
      objective: 99.9
      period: 30d
      errors: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total{job="checkout"}[{{window}}]))
      minBudgetRemaining: 25%
      burnRates: workbook
      onNoData: fail
`;

/** production as a canary environment (with `canary: true`): checkout steps 5 -> 25 -> 50, judged by Prometheus. */
export const CANARY_CONFIG = `    canary:
      image: "{{service}}-canary"
      traffic: { kind: gateway-api, file: httproute.yaml, route: "{{service}}", canaryBackend: "{{service}}-canary" }
      steps: [5, 25, 50]
      interval: 5m
      analysis: [canary-errors]
      verify: { duration: 30m, analysis: [canary-errors] }
`;

export const CANARY_POLICY = `gates:
  canary-errors:
    metric:
      prometheus: { url: "\${PROMETHEUS_URL}" }
      query: sum(rate(http_requests_total{job="{{service}}",track="canary",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{job="{{service}}",track="canary"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 1m
      failureLimit: 1
      onNoData: inconclusive
`;

/** A production overlay with a canary image entry beside the stable one, and its HTTPRoute. */
export function canaryOverlay(service: string, tag: string): Record<string, string> {
  const dir = `apps/${service}/overlays/production`;
  return {
    [`${dir}/kustomization.yaml`]: [
      overlay(service, 'production', tag).trimEnd(),
      `  - name: ${service}-canary`,
      `    newName: ghcr.io/acme/${service}`,
      `    newTag: "${tag}"`,
      '',
    ].join('\n'),
    [`${dir}/httproute.yaml`]: [
      'apiVersion: gateway.networking.k8s.io/v1',
      'kind: HTTPRoute',
      'metadata:',
      `  name: ${service}`,
      'spec:',
      '  rules:',
      '    - backendRefs:',
      `        - name: ${service}`,
      '          port: 80',
      '          weight: 100',
      `        - name: ${service}-canary`,
      '          port: 80',
      '          weight: 0',
      '',
    ].join('\n'),
  };
}

export function overlay(service: string, env: string, tag: string): string {
  return [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    `namespace: ${service}-${env}`,
    'resources:',
    '  - ../../base',
    '',
    '# rollgate edits only the tag below; everything else stays byte for byte.',
    'images:',
    `  - name: ghcr.io/acme/${service}`,
    `    newTag: "${tag}" # promoted by rollgate`,
    '',
  ].join('\n');
}

export function trailers(env: string, services: string[], version: string): string {
  return [
    `promote ${services.join(', ')} ${version} to ${env}`,
    '',
    `Rollgate-Environment: ${env}`,
    ...services.map((s) => `Rollgate-Service: ${s}`),
    `Rollgate-Version: ${version}`,
    'Rollgate-Requested-By: fixture',
    'Rollgate-Source: fixture',
    'Rollgate-Decision: allowed',
  ].join('\n');
}

/** A git repository whose commits carry chosen dates (bake time is read from commit dates). */
export async function gitRepo(dir: string) {
  await mkdir(dir, { recursive: true });
  await gitOk(dir, ['init', '--quiet', '--initial-branch=main']);
  // One write instead of three `git config` processes (a scene is made per test).
  await appendFile(
    join(dir, '.git', 'config'),
    '[user]\n\tname = Fixture\n\temail = fixture@example.com\n[commit]\n\tgpgsign = false\n',
  );
  return {
    dir,
    /**
     * Many commits in one `git fast-import` process, each on its branch (a new branch starts at
     * main), without touching the work tree (`commit` syncs it first). Returns each branch's head.
     */
    async importCommits(commits: readonly FixtureCommit[]): Promise<Record<string, string>> {
      await gitOk(dir, ['fast-import', '--quiet', '--done'], { input: fastImportStream(commits) });
      const branches = [...new Set(commits.map((c) => c.branch ?? 'main'))];
      const heads = await gitOk(dir, ['rev-parse', ...branches.map((b) => `refs/heads/${b}`)]);
      return Object.fromEntries(heads.split('\n').map((sha, i) => [branches[i] ?? '', sha]));
    },
    async commit(files: Record<string, string>, message: string, at = new Date(), branch = 'main') {
      const current = await gitOk(dir, ['symbolic-ref', '--short', 'HEAD']);
      if (current !== branch) {
        const exists = (await gitOk(dir, ['branch', '--list', branch])).length > 0;
        await gitOk(dir, exists ? ['checkout', '--quiet', branch] : ['checkout', '--quiet', '-b', branch]);
      }
      // The simulator moves branches without touching the work tree: sync it first.
      await gitOk(dir, ['reset', '--quiet', '--hard', 'HEAD']).catch(() => '');
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const date = at.toISOString();
      await gitOk(dir, ['add', '--all']);
      await gitOk(dir, ['commit', '--quiet', '--allow-empty', '-m', message], {
        env: { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      });
      return gitOk(dir, ['rev-parse', 'HEAD']);
    },
    head: (branch = 'main') => gitOk(dir, ['rev-parse', `refs/heads/${branch}`]),
    show: (rev: string, path: string) => gitOk(dir, ['show', `${rev}:${path}`]),
    log: (rev = 'main') => gitOk(dir, ['log', '--format=%H %s', rev]),
  };
}
export type Repo = Awaited<ReturnType<typeof gitRepo>>;

export interface FixtureCommit {
  readonly files: Record<string, string>;
  readonly message: string;
  readonly at: Date;
  /** main unless named; a branch that does not exist yet starts at main. */
  readonly branch?: string;
}

/** A `git fast-import` stream of `commits` by the fixture identity, in order. */
function fastImportStream(commits: readonly FixtureCommit[]): Buffer {
  const parts: Buffer[] = [];
  const text = (t: string) => parts.push(Buffer.from(t, 'utf8'));
  const data = (body: string) => {
    const bytes = Buffer.from(body, 'utf8');
    text(`data ${bytes.length}\n`);
    parts.push(bytes);
    text('\n');
  };
  const started = new Set<string>();
  for (const c of commits) {
    const branch = c.branch ?? 'main';
    const when = `${Math.floor(c.at.getTime() / 1000)} +0000`;
    text(`commit refs/heads/${branch}\n`);
    text(`author Fixture <fixture@example.com> ${when}\n`);
    text(`committer Fixture <fixture@example.com> ${when}\n`);
    // As `git commit` leaves it: one newline at the end.
    data(`${c.message.trimEnd()}\n`);
    if (branch !== 'main' && !started.has(branch)) text('from refs/heads/main\n');
    started.add(branch);
    for (const [path, body] of Object.entries(c.files)) {
      text(`M 100644 inline ${path}\n`);
      data(body);
    }
  }
  text('done\n');
  return Buffer.concat(parts);
}

export interface Scene {
  readonly sim: Simulator;
  readonly app: Repo;
  readonly gitops: Repo;
  readonly tmp: string;
  /** A pull request on acme/app from branch `feature`. */
  readonly pr: { number: number; headSha: string };
  close(): Promise<void>;
}

export interface SceneOptions {
  readonly mode?: 'push' | 'pull-request';
  /** Edits on the PR branch (e.g. a PR that rewrites the gates). */
  readonly prFiles?: Record<string, string>;
  readonly prLabels?: string[];
  readonly prFromFork?: boolean;
  /** Replaces production's gates (defined in EXTRA_POLICY), e.g. ['release-approvals']. */
  readonly productionGates?: string[];
  /** gitops.repository: "." (the overlays live in the app repository). */
  readonly sameRepo?: boolean;
  /** production rolls out as a canary (CANARY_CONFIG, CANARY_POLICY, canaryOverlay). */
  readonly canary?: boolean;
}

/**
 * GitOps history: checkout and cart run 1.3.0 everywhere since two days ago; checkout 1.3.5 went
 * to dev and staging 30 hours ago (production may take it, freeze permitting); checkout 1.4.0 went
 * to dev ten minutes ago (so staging's bake-1h is not yet satisfied for it).
 */
export async function makeScene(options: SceneOptions = {}): Promise<Scene> {
  const tmp = await mkdtemp(join(tmpdir(), 'rollgate-acc-'));
  const app = await gitRepo(join(tmp, 'app'));
  // gitops.repository "." keeps the overlays in the app repository itself.
  const gitops = options.sameRepo ? app : await gitRepo(join(tmp, 'gitops'));
  let config = APP_CONFIG.replace('MODE', options.mode ?? 'push');
  if (options.productionGates) {
    config = config.replace('gates: [year-2000-freeze]', `gates: [${options.productionGates.join(', ')}]`);
  }
  // The production block is the last environment: its canary goes right before the top-level gates.
  if (options.canary) config = config.replace('\ngates:\n', `\n${CANARY_CONFIG}gates:\n`);
  const now = Date.now();
  const appCommits: FixtureCommit[] = [];
  const gitopsCommits: FixtureCommit[] = [];
  appCommits.push({
    files: {
      '.github/rollgate.yaml': options.sameRepo
        ? config.replace('repository: acme/gitops', 'repository: "."')
        : config,
      '.github/policies/freeze.yaml': FREEZE_POLICY,
      ...(options.productionGates ? { '.github/policies/extra.yaml': EXTRA_POLICY } : {}),
      ...(options.canary ? { '.github/policies/canary.yaml': CANARY_POLICY } : {}),
      ...(options.productionGates?.includes('checkout-slo')
        ? { '.github/policies/slo.yaml': SLO_POLICY }
        : {}),
      'src/index.ts': 'export {};\n',
    },
    message: 'app: initial',
    at: new Date(now),
  });
  const base: Record<string, string> = {};
  for (const service of ['checkout', 'cart']) {
    base[`apps/${service}/base/kustomization.yaml`] = 'resources: []\n';
    for (const env of ['dev', 'staging', 'production']) {
      base[`apps/${service}/overlays/${env}/kustomization.yaml`] = overlay(service, env, '1.3.0');
    }
    if (options.canary) Object.assign(base, canaryOverlay(service, '1.3.0'));
  }
  gitopsCommits.push({ files: base, message: 'initial layout', at: new Date(now - 72 * HOUR) });
  for (const env of ['dev', 'staging', 'production']) {
    gitopsCommits.push({
      files: {},
      message: trailers(env, ['checkout', 'cart'], '1.3.0'),
      at: new Date(now - 48 * HOUR),
    });
  }
  for (const env of ['dev', 'staging']) {
    gitopsCommits.push({
      files: { [`apps/checkout/overlays/${env}/kustomization.yaml`]: overlay('checkout', env, '1.3.5') },
      message: trailers(env, ['checkout'], '1.3.5'),
      at: new Date(now - 30 * HOUR),
    });
  }
  gitopsCommits.push({
    files: { 'apps/checkout/overlays/dev/kustomization.yaml': overlay('checkout', 'dev', '1.4.0') },
    message: trailers('dev', ['checkout'], '1.4.0'),
    at: new Date(now - HOUR / 6),
  });
  const feature: FixtureCommit = {
    files: { 'src/index.ts': 'export const x = 1;\n', ...options.prFiles },
    message: 'feature work',
    at: new Date(),
    branch: 'feature',
  };
  // One fast-import per repository instead of about sixty git processes: a scene is made per test.
  let headSha: string;
  if (options.sameRepo) {
    headSha = (await app.importCommits([...appCommits, ...gitopsCommits, feature]))['feature'] ?? '';
  } else {
    const [appHeads] = await Promise.all([
      app.importCommits([...appCommits, feature]),
      gitops.importCommits(gitopsCommits),
    ]);
    headSha = appHeads['feature'] ?? '';
  }

  const sim = await startSimulator();
  sim.addRepo('acme/app', { dir: app.dir });
  if (!options.sameRepo) sim.addRepo('acme/gitops', { dir: gitops.dir });
  sim.addToken('ghs_app_token', 'github-actions[bot]');
  sim.addToken('ghs_gitops_token', 'rollgate-app[bot]');
  // Like GITHUB_TOKEN, the app token reaches only this repository; the GitOps repository needs
  // its own token (a GitHub App installation token in real life).
  sim.state.tokenRepos['ghs_app_token'] = ['acme/app'];
  sim.state.tokenRepos['ghs_gitops_token'] = ['acme/gitops'];
  sim.setPermission('acme/app', 'alice', 'write');
  sim.setPermission('acme/app', 'rita', 'read');
  const pull = await sim.addPull('acme/app', {
    user: 'bob',
    head: { ref: 'feature', sha: headSha, ...(options.prFromFork ? { repo: 'mallory/app' } : {}) },
    labels: options.prLabels ?? [],
  });
  return {
    sim,
    app,
    gitops,
    tmp,
    pr: { number: pull.number, headSha },
    async close() {
      await sim.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

// ---- events from @octokit/webhooks-examples, edited to the scene ----

const require = createRequire(import.meta.url);
interface WebhookExamples {
  name: string;
  examples: Record<string, unknown>[];
}
const EXAMPLES = require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookExamples[];

function example(name: string, action?: string): Record<string, unknown> {
  const found = EXAMPLES.find((e) => e.name === name)?.examples.find(
    (x) => action === undefined || x['action'] === action,
  );
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${name}.${action ?? ''}`);
  return structuredClone(found);
}

function withRepository(payload: Record<string, unknown>, sim: Simulator): Record<string, unknown> {
  const repository = payload['repository'] as Record<string, unknown>;
  Object.assign(repository, {
    name: 'app',
    full_name: 'acme/app',
    owner: { ...(repository['owner'] as object), login: 'acme' },
    url: `${sim.url}/repos/acme/app`,
  });
  return payload;
}

/** issue_comment.created on the scene's pull request, by `user`, with `body`. */
export function commentEvent(
  scene: Scene,
  user: string,
  body: string,
  action = 'created',
): Record<string, unknown> {
  const payload = example('issue_comment', action);
  const comment = scene.sim.addComment('acme/app', scene.pr.number, user, body);
  const issue = payload['issue'] as Record<string, unknown>;
  Object.assign(issue, {
    number: scene.pr.number,
    html_url: `https://github.com/acme/app/pull/${scene.pr.number}`,
    pull_request: {
      url: `${scene.sim.url}/repos/acme/app/pulls/${scene.pr.number}`,
      html_url: `https://github.com/acme/app/pull/${scene.pr.number}`,
    },
  });
  const c = payload['comment'] as Record<string, unknown>;
  Object.assign(c, {
    id: comment.id,
    body,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    user: { ...(c['user'] as object), login: user, type: user.endsWith('[bot]') ? 'Bot' : 'User' },
  });
  return withRepository(payload, scene.sim);
}

export function pullRequestEvent(scene: Scene, action = 'opened'): Record<string, unknown> {
  const payload = example('pull_request', action);
  const pull = payload['pull_request'] as Record<string, unknown>;
  Object.assign(pull, {
    number: scene.pr.number,
    html_url: `https://github.com/acme/app/pull/${scene.pr.number}`,
    head: { ...(pull['head'] as object), sha: scene.pr.headSha },
  });
  payload['number'] = scene.pr.number;
  return withRepository(payload, scene.sim);
}

export function reviewEvent(scene: Scene): Record<string, unknown> {
  const payload = example('pull_request_review', 'submitted');
  const pull = payload['pull_request'] as Record<string, unknown>;
  Object.assign(pull, {
    number: scene.pr.number,
    html_url: `https://github.com/acme/app/pull/${scene.pr.number}`,
    head: { ...(pull['head'] as object), sha: scene.pr.headSha },
  });
  return withRepository(payload, scene.sim);
}

export function dispatchEvent(scene: Scene): Record<string, unknown> {
  return withRepository(example('workflow_dispatch'), scene.sim);
}

/** repository_dispatch, as an external cron would send it (POST /repos/acme/app/dispatches). */
export function repositoryDispatchEvent(scene: Scene, eventType = 'rollgate-tick'): Record<string, unknown> {
  const payload = example('repository_dispatch');
  payload['action'] = eventType;
  return withRepository(payload, scene.sim);
}

// ---- running the bundle ----

export interface ActionRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

export interface RunOptions {
  readonly event: string;
  readonly payload: Record<string, unknown>;
  readonly inputs?: Record<string, string>;
  readonly sha?: string;
  /** Point GITHUB_API_URL at the simulator the GHES way (/api/v3). */
  readonly ghes?: boolean;
  /** More environment variables for the step (e.g. PROMETHEUS_URL). */
  readonly env?: Record<string, string>;
}

export async function runAction(scene: Scene, options: RunOptions): Promise<ActionRun> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
  const dir = await mkdtemp(join(scene.tmp, 'run-'));
  const eventPath = join(dir, 'event.json');
  const outputPath = join(dir, 'output');
  const summaryPath = join(dir, 'summary');
  await writeFile(eventPath, JSON.stringify(options.payload));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const inputs = {
    'github-token': 'ghs_app_token',
    'gitops-token': 'ghs_gitops_token',
    config: '.github/rollgate.yaml',
    ...options.inputs,
  };
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: scene.tmp,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    GITHUB_SHA: options.sha ?? scene.pr.headSha,
    GITHUB_ACTOR: 'alice',
    GITHUB_API_URL: options.ghes ? `${scene.sim.url}/api/v3` : scene.sim.url,
    GITHUB_GRAPHQL_URL: options.ghes ? `${scene.sim.url}/api/graphql` : `${scene.sim.url}/graphql`,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: dir,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [BUNDLE], { env, cwd: dir });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    },
  );
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(outputPath, 'utf8')),
    summary: await readFile(summaryPath, 'utf8'),
  };
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m?.[1] || !m[2]) continue;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i] ?? '');
    outputs[m[1]] = value.join('\n');
  }
  return outputs;
}

/** The requests made after `from` (an index into sim.requests). */
export function requestsSince(sim: Simulator, from: number) {
  return sim.requests.slice(from);
}
