import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trafficOpenMetrics } from '../../src/cli/demo-traffic.js';
import { startPrometheus, type PrometheusServer } from '../../src/cli/prometheus-server.js';
import { formatState, type ServiceState } from '../../src/core/state.js';
import { gitOk } from '../sim/git.js';
import {
  canaryOverlay,
  commentEvent,
  dispatchEvent,
  repositoryDispatchEvent,
  runAction,
  type ActionRun,
  type Scene,
} from './harness.js';
import { botComments, reactionsOn, result, setUp, useScenes } from './scenarios.js';

// Canary rollouts through the Action, end to end: the built dist/action.js against the loopback
// GitHub simulator, real git repositories, and a real Prometheus backfilled by promtool with a
// healthy canary (0.2% of its requests fail; the gate allows 1%). Each scene holds a rollout of
// checkout 1.3.5 in production that started eight minutes ago (the hold is 5m) from the scene's
// pull request, as its first commit wrote it, so the Action finds it mid-step as a schedule run would.

useScenes();

const MIN = 60_000;
const STATE = '.rollgate/state/production/checkout.yaml';
const ROUTE = 'apps/checkout/overlays/production/httproute.yaml';
const OVERLAY = 'apps/checkout/overlays/production/kustomization.yaml';
const MARKER = '<!-- rollgate:production -->';

let prometheus: PrometheusServer;
const env = () => ({ PROMETHEUS_URL: prometheus.url });

beforeAll(async () => {
  const now = Date.now();
  prometheus = await startPrometheus(
    trafficOpenMetrics(
      'checkout',
      [
        { from: new Date(now - 60 * MIN), canaryWeight: 0, stableErrors: 0.001, canaryErrors: 0 },
        { from: new Date(now - 9 * MIN), canaryWeight: 5, stableErrors: 0.001, canaryErrors: 0.002 },
      ],
      new Date(now + 30 * MIN),
    ),
  );
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
});

/** A scene whose checkout rollout of 1.3.5 started at 5% eight minutes ago, from the scene's PR. */
async function rolloutScene(productionGates: string[] = [], services = ['checkout']): Promise<Scene> {
  const s = await setUp({ canary: true, productionGates });
  const start = new Date(Date.now() - 8 * MIN).toISOString();
  const edits: Record<string, string> = {};
  for (const service of services) {
    const files = canaryOverlay(service, '1.3.0');
    const overlay = `apps/${service}/overlays/production/kustomization.yaml`;
    const route = `apps/${service}/overlays/production/httproute.yaml`;
    const state: ServiceState = {
      schema_version: 1,
      environment: 'production',
      service,
      version: '1.3.0',
      landedAt: new Date(Date.now() - 48 * 60 * MIN).toISOString(),
      stable: '1.3.0',
      rollout: {
        strategy: 'canary',
        version: '1.3.5',
        phase: 'progressing',
        step: 1,
        steps: 3,
        weight: 5,
        windowStart: start,
        startedAt: start,
        source: `https://github.com/acme/app/pull/${s.pr.number}`,
      },
    };
    // What the rollout's first commit writes: the canary image, 5% of the traffic, the state file.
    edits[overlay] = (files[overlay] ?? '').replace(
      new RegExp(`(name: ${service}-canary\\n.*\\n\\s+newTag: )"1.3.0"`),
      '$1"1.3.5"',
    );
    edits[route] = (files[route] ?? '')
      .replace('weight: 100', 'weight: 95')
      .replace('weight: 0', 'weight: 5');
    edits[`.rollgate/state/production/${service}.yaml`] = formatState(state);
  }
  await s.gitops.commit(
    edits,
    `start the rollout of ${services.join(', ')} 1.3.5 in production at 5%`,
    new Date(start),
  );
  expect(await weights(s)).toEqual([95, 5]);
  return s;
}

/**
 * What the /promote that started the scene's rollout leaves on GitHub: its sticky report on the
 * pull request and its deployment, whose payload names the sticky. Returns the sticky's id.
 */
function startedByPromote(s: Scene, services = ['checkout']): number {
  const report = s.sim.addComment('acme/app', s.pr.number, 'github-actions[bot]', `${MARKER}\nstarted`);
  s.sim.state.deployments.push({
    id: 4242,
    repo: 'acme/app',
    ref: s.pr.headSha,
    sha: s.pr.headSha,
    task: 'deploy',
    environment: 'production',
    description: 'checkout 1.3.5: canary rollout started by @alice',
    payload: { services, version: '1.3.5', pull: s.pr.number, comment: report.id },
    creator: 'github-actions[bot]',
    productionEnvironment: true,
    transientEnvironment: false,
    createdAt: new Date().toISOString(),
  });
  return report.id;
}

const opsSince = (s: Scene, from: number) =>
  s.sim.requests.slice(from).map((r) => r.operation ?? `${r.method} ${r.path}`);

/** The rollout fields of the state file at the GitOps head. */
async function state(s: Scene): Promise<Record<string, string>> {
  const text = await s.gitops.show('main', STATE);
  const fields: Record<string, string> = {};
  for (const m of text.matchAll(/^ {2}(phase|step|weight|version): "?([^"\n]*)"?$/gm)) {
    if (m[1] !== undefined && m[2] !== undefined) fields[m[1]] = m[2];
  }
  const holds = /^holds:/m.test(text);
  return { ...fields, holds: String(holds) };
}

const weights = async (s: Scene) =>
  [...(await s.gitops.show('main', ROUTE)).matchAll(/weight: (\d+)/g)].map((m) => Number(m[1]));

const sticky = (s: Scene) =>
  botComments(s).filter((c) => c.issueNumber === s.pr.number && c.body.startsWith(MARKER));

function comment(s: Scene, body: string, issue?: number): Promise<ActionRun> {
  const payload = commentEvent(s, 'alice', body);
  if (issue !== undefined) {
    // The same command written on another issue (an incident issue, say).
    const i = payload['issue'] as Record<string, unknown>;
    i['number'] = issue;
    i['html_url'] = `https://github.com/acme/app/issues/${issue}`;
    delete i['pull_request'];
  }
  return runAction(s, { event: 'issue_comment', payload, env: env() });
}

const tick = (s: Scene, event = 'schedule', payload: Record<string, unknown> = { schedule: '*/5 * * * *' }) =>
  runAction(s, { event, payload, env: env() });

const deployments = (s: Scene) =>
  s.sim.state.deploymentStatuses.map((st) => [
    s.sim.state.deployments.find((d) => d.id === st.deploymentId)?.environment,
    st.state,
    st.description,
  ]);

describe('acceptance: canary rollouts', { timeout: 240_000 }, () => {
  it('schedule: a tick steps the canary once its hold is over: one commit, the PR sticky, a deployment status, outputs', async () => {
    const s = await rolloutScene();
    const before = await s.gitops.head();
    const ran = await tick(s);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.outputs).toMatchObject({ phase: 'progressing', step: '2', weight: '25' });
    expect(result(ran)).toMatchObject({
      schema_version: 1,
      status: 'committed',
      environment: 'production',
      rollouts: [{ service: 'checkout', version: '1.3.5', action: 'step', phase: 'progressing', weight: 25 }],
    });
    // One commit on top of the rollout's start: the route's weights and the state file.
    expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    expect(await weights(s)).toEqual([75, 25]);
    expect(await state(s)).toMatchObject({ phase: 'progressing', step: '2', weight: '25' });
    const message = await gitOk(s.gitops.dir, ['log', '-1', '--format=%B', 'main']);
    expect(message).toMatch(/^Rollgate-Weight: 25$/m);
    expect(message).toMatch(/^Rollgate-Step: 2\/3$/m);
    // Like a promotion, the commit names the run that made it.
    expect(message).toMatch(/^Rollgate-Source: https:\/\/github\.com\/acme\/app\/actions\/runs\/\d+$/m);

    // The sticky of the PR that started the rollout: figures, weights, the picture, the next time.
    const [report] = sticky(s);
    expect(report?.body).toContain('rollout of checkout 1.3.5: progressing');
    expect(report?.body).toContain('canary weight **25%**');
    expect(report?.body).toMatch(/\| ✅ pass \| canary-errors \| analysis \| successful \d+/);
    expect(report?.body).toContain('```mermaid\nflowchart LR');
    expect(report?.body).toMatch(/\*\*Next eligible:\*\* \d{4}-\d\d-\d\dT/);
    expect(deployments(s)).toEqual([['production', 'in_progress', 'checkout 1.3.5: step 2/3, canary 25%']]);

    // The next tick inside the new hold writes nothing and edits no comment.
    const head = await s.gitops.head();
    const requests = s.sim.requests.length;
    const waited = await tick(s);
    expect(waited.code).toBe(0);
    expect(result(waited)).toMatchObject({
      status: 'no-op',
      rollouts: [{ action: 'wait', reason_code: 'hold' }],
    });
    expect(await s.gitops.head()).toBe(head);
    const since = s.sim.requests.slice(requests).map((r) => `${r.method} ${r.path}`);
    expect(since.filter((r) => /^(POST|PATCH)/.test(r))).toEqual(['POST /graphql', 'POST /graphql']);
    expect(sticky(s)).toHaveLength(1);
  });

  // GitHub wrote the step's commit and lost the answer (a 5xx after it landed). Once, the client's
  // retry finds the branch moved; ten times, every retry fails. Either way the tick recognises its
  // own commit by its trailers (Rollgate-Run names this run) and reports the step it made, with the
  // sticky and the deployment status, instead of a wait (the re-read sees a fresh hold) or an error.
  it.each([1, 10])(
    'a tick whose commit answer was lost (%i x 5xx after it landed) reports the step it made',
    async (times) => {
      const s = await rolloutScene();
      const before = await s.gitops.head();
      s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502, afterHandling: true, times });
      const ran = await tick(s);
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
      expect(s.sim.state.apiCommits).toHaveLength(1);
      const head = await s.gitops.head();
      expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
      expect(await weights(s)).toEqual([75, 25]);
      const message = await gitOk(s.gitops.dir, ['log', '-1', '--format=%B', 'main']);
      expect(message).toMatch(/^Rollgate-Run: 42:[0-9a-f]{8}$/m);
      expect(result(ran)).toMatchObject({
        status: 'committed',
        commit_sha: head,
        rollouts: [{ service: 'checkout', action: 'step', weight: 25, commit_sha: head }],
      });
      expect(ran.outputs).toMatchObject({ phase: 'progressing', step: '2', weight: '25' });
      expect(sticky(s)[0]?.body).toContain('canary weight **25%**');
      expect(deployments(s)).toEqual([['production', 'in_progress', 'checkout 1.3.5: step 2/3, canary 25%']]);
    },
  );

  it('a tick that steps costs 5 requests when the deployment that started the rollout names its sticky (issue 10)', async () => {
    const s = await rolloutScene();
    const report = { id: startedByPromote(s) };
    const from = s.sim.requests.length;
    const ran = await tick(s);
    expect(ran.outputs).toMatchObject({ phase: 'progressing', step: '2', weight: '25' });
    const ops = opsSince(s, from);
    // The app read and the GitOps read, then the commit, the sticky updated by id, a status on that deployment.
    expect(ops.sort()).toEqual([
      'graphql:createCommitOnBranch',
      'graphql:createDeploymentStatus',
      'graphql:repository',
      'graphql:repository',
      'issues/update-comment',
    ]);
    expect(sticky(s).map((c) => c.id)).toEqual([report.id]);
    expect(sticky(s)[0]?.body).toContain('canary weight **25%**');
    expect(s.sim.state.deployments).toHaveLength(1);
    expect(s.sim.state.deploymentStatuses.map((d) => [d.deploymentId, d.state])).toEqual([
      [4242, 'in_progress'],
    ]);
  });

  it('a frozen tick waits and says so on the sticky: the freeze gate and until when, once per freeze; then it costs what a waiting tick does (issue 10)', async () => {
    // production's year-2000-freeze is on while these tests run (it ends in 2100).
    const s = await rolloutScene(['year-2000-freeze']);
    const stickyId = startedByPromote(s);
    const head = await s.gitops.head();
    const first = s.sim.requests.length;
    const frozen = await tick(s);
    // The two reads, the sticky rewritten by its id, and a status on the rollout's deployment that
    // remembers the report (so the next frozen tick needs no look at the sticky's text); the freeze
    // sweep beside the tick sets the pull request's freeze status once.
    expect(opsSince(s, first).sort()).toEqual([
      'graphql:createDeploymentStatus',
      'graphql:repository',
      'graphql:repository',
      'issues/update-comment',
      'repos/create-commit-status',
    ]);
    expect(deployments(s)).toEqual([
      ['production', 'in_progress', 'checkout 1.3.5 frozen until 2100-01-01T00:00:00.000Z'],
    ]);
    expect(frozen.code, frozen.stdout + frozen.stderr).toBe(0);
    expect(result(frozen)).toMatchObject({
      status: 'no-op',
      rollouts: [
        {
          action: 'wait',
          reason_code: 'frozen',
          weight: 5,
          next_eligible_at: '2100-01-01T00:00:00.000Z',
        },
      ],
    });
    expect(await s.gitops.head()).toBe(head);
    const [report] = sticky(s);
    expect(report?.body).toContain('checkout: wait (`frozen`)');
    expect(report?.body).toContain('**Frozen:** by `year-2000-freeze` until 2100-01-01T00:00:00.000Z');
    expect(report?.body).toMatch(/\| ❌ fail \| year-2000-freeze \| gate \| — \| .*freeze/);
    expect(report?.body).toContain('**Next eligible:** 2100-01-01T00:00:00.000Z');
    expect(sticky(s).map((c) => c.id)).toEqual([stickyId]);
    // The next frozen tick has nothing new to say: the two reads, as a tick waiting out its hold,
    // no comment read or edited, nothing written.
    const requests = s.sim.requests.length;
    const again = await tick(s);
    expect(result(again)).toMatchObject({ rollouts: [{ action: 'wait', reason_code: 'frozen' }] });
    expect(opsSince(s, requests)).toEqual(['graphql:repository', 'graphql:repository']);
    expect(sticky(s)).toHaveLength(1);
    expect(s.sim.state.deploymentStatuses).toHaveLength(1);
  });

  it('repository_dispatch and a workflow_dispatch without a promotion run a tick too', async () => {
    const s = await rolloutScene();
    const viaCron = await tick(s, 'repository_dispatch', repositoryDispatchEvent(s));
    expect(viaCron.outputs).toMatchObject({ phase: 'progressing', step: '2', weight: '25' });
    const viaDispatch = await tick(s, 'workflow_dispatch', dispatchEvent(s));
    expect(viaDispatch.code).toBe(0);
    expect(result(viaDispatch)).toMatchObject({ rollouts: [{ action: 'wait', weight: 25 }] });
  });

  it('/pause stops the steps (a commit, the reason recorded); a tick then waits; /advance is refused while paused', async () => {
    const s = await rolloutScene();
    const paused = await comment(s, '/pause production checkout --reason "INC-7: p99 up"');
    expect(paused.code, paused.stdout).toBe(0);
    expect(paused.outputs).toMatchObject({ phase: 'paused', step: '1', weight: '5' });
    expect(await state(s)).toMatchObject({ phase: 'paused', weight: '5' });
    expect(await gitOk(s.gitops.dir, ['log', '-1', '--format=%B', 'main'])).toMatch(
      /^Rollgate-Reason: INC-7: p99 up$/m,
    );
    expect(sticky(s)[0]?.body).toContain('checkout: paused');
    expect(reactionsOn(s)).toEqual(['rocket']);

    const head = await s.gitops.head();
    const waited = await tick(s);
    expect(result(waited)).toMatchObject({ rollouts: [{ action: 'wait', reason_code: 'paused' }] });
    const advance = await comment(s, '/advance production');
    expect(result(advance)).toMatchObject({ status: 'aborted' });
    expect(await s.gitops.head()).toBe(head);
    const refusal = botComments(s).find((c) => c.body.includes('/advance production refused'));
    expect(refusal?.body).toContain('`/resume` first');
  });

  it('/resume goes on from a pause with a fresh hold; /advance then skips the rest of it', async () => {
    const s = await rolloutScene();
    await comment(s, '/pause production');
    const resumed = await comment(s, '/resume production');
    expect(resumed.outputs).toMatchObject({ phase: 'progressing', step: '1', weight: '5' });
    // A fresh hold: a tick now waits.
    expect(result(await tick(s))).toMatchObject({ rollouts: [{ action: 'wait', reason_code: 'hold' }] });
    const advanced = await comment(s, '/advance production checkout');
    expect(advanced.outputs).toMatchObject({ phase: 'progressing', step: '2', weight: '25' });
    expect(await weights(s)).toEqual([75, 25]);
    expect(sticky(s)).toHaveLength(1);
    expect(sticky(s)[0]?.body).toContain('advance');
  });

  it('/abort rolls back to the stable version at once and holds the version; a deployment failure', async () => {
    const s = await rolloutScene();
    const aborted = await comment(s, '/abort production --reason "wrong build"');
    expect(aborted.code).toBe(0);
    expect(aborted.outputs).toMatchObject({ phase: 'aborted', weight: '0' });
    expect(await weights(s)).toEqual([100, 0]);
    expect(await s.gitops.show('main', OVERLAY)).toMatch(/name: checkout-canary\n.*\n\s+newTag: "1.3.0"/);
    expect(await state(s)).toMatchObject({ phase: 'aborted', holds: 'true' });
    expect(sticky(s)[0]?.body).toMatch(/is held/);
    expect(deployments(s)).toEqual([['production', 'failure', 'checkout 1.3.5 aborted to 1.3.0; held']]);
    // Nothing left to steer.
    const again = await comment(s, '/pause production');
    expect(result(again)).toMatchObject({ status: 'aborted' });
  });

  it('/rollback of an active rollout is /abort: the canary back to the stable version, weight 0, held', async () => {
    const s = await rolloutScene();
    const stable = await s.gitops.show('main', OVERLAY);
    const run = await comment(s, '/rollback production --reason "bad canary"');
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ phase: 'aborted', weight: '0' });
    expect(await weights(s)).toEqual([100, 0]);
    // The stable entry stays where it was; only the canary's goes back.
    expect(await s.gitops.show('main', OVERLAY)).toBe(
      stable.replace(/(name: checkout-canary\n.*\n\s+newTag: )"1.3.5"/, '$1"1.3.0"'),
    );
    expect(await state(s)).toMatchObject({ phase: 'aborted', holds: 'true' });
    const message = await gitOk(s.gitops.dir, ['log', '-1', '--format=%B', 'main']);
    expect(message).toMatch(/^abort rollout of checkout 1\.3\.5 in production/);
    expect(message).toMatch(/^Rollgate-Hold: 1\.3\.5$/m);
    expect(message).toMatch(/^Rollgate-Reason: bad canary$/m);
  });

  it('/rollback of two services rolling out aborts both in one commit: one GitOps read, one commit (issue 10)', async () => {
    const s = await rolloutScene([], ['checkout', 'cart']);
    const before = await s.gitops.head();
    const from = s.sim.requests.length;
    const run = await comment(s, '/rollback production --reason "bad build"');
    expect(run.code, run.stdout).toBe(0);
    expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    expect(s.sim.state.apiCommits).toHaveLength(1);
    expect(s.sim.state.apiCommits[0]?.headline).toBe('abort rollouts of checkout, cart in production');
    const body = s.sim.state.apiCommits[0]?.body ?? '';
    expect(body.split('\n').filter((l) => /^Rollgate-(Service|Version|Phase|Hold):/.test(l))).toEqual([
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Version: 1.3.5',
      'Rollgate-Phase: aborted',
      'Rollgate-Hold: 1.3.5',
    ]);
    for (const service of ['checkout', 'cart']) {
      const route = await s.gitops.show('main', `apps/${service}/overlays/production/httproute.yaml`);
      expect([...route.matchAll(/weight: (\d+)/g)].map((m) => Number(m[1]))).toEqual([100, 0]);
    }
    expect(result(run)).toMatchObject({
      rollouts: [
        { service: 'checkout', action: 'abort' },
        { service: 'cart', action: 'abort' },
      ],
    });
    // The app read, one GitOps read, one commit, the sticky, a deployment and its status per
    // rollout (no deployment started these two), the reaction: the reads and the commit do not grow with services.
    const ops = opsSince(s, from);
    expect(ops.filter((o) => o.startsWith('graphql:repository'))).toHaveLength(2);
    expect(ops.filter((o) => o === 'graphql:createCommitOnBranch')).toHaveLength(1);
  });

  it('/abort of two services is one commit and costs what /abort of one does (issue 10)', async () => {
    const one = await rolloutScene();
    const fromOne = one.sim.requests.length;
    const single = await comment(one, '/abort production checkout --reason "wrong build"');
    expect(single.code, single.stdout).toBe(0);
    const opsOne = opsSince(one, fromOne);

    const s = await rolloutScene([], ['checkout', 'cart']);
    const before = await s.gitops.head();
    const from = s.sim.requests.length;
    const run = await comment(s, '/abort production checkout cart --reason "wrong build"');
    expect(run.code, run.stdout).toBe(0);
    expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    expect(s.sim.state.apiCommits).toHaveLength(1);
    expect(s.sim.state.apiCommits[0]?.headline).toBe('abort rollouts of checkout, cart in production');
    const body = s.sim.state.apiCommits[0]?.body ?? '';
    expect(body.split('\n').filter((l) => /^Rollgate-(Service|Version|Phase|Hold|Reason):/.test(l))).toEqual([
      'Rollgate-Service: checkout',
      'Rollgate-Service: cart',
      'Rollgate-Version: 1.3.5',
      'Rollgate-Phase: aborted',
      'Rollgate-Hold: 1.3.5',
      'Rollgate-Reason: wrong build',
    ]);
    // The run's own commit is recognisable (Rollgate-Run), as with one service.
    expect(body).toMatch(/^Rollgate-Run: 42:[0-9a-f]{8}$/m);
    const head = await s.gitops.head();
    for (const service of ['checkout', 'cart']) {
      const route = await s.gitops.show('main', `apps/${service}/overlays/production/httproute.yaml`);
      expect([...route.matchAll(/weight: (\d+)/g)].map((m) => Number(m[1]))).toEqual([100, 0]);
      expect(await s.gitops.show('main', `.rollgate/state/production/${service}.yaml`)).toMatch(
        /phase: "?aborted"?/,
      );
    }
    expect(result(run)).toMatchObject({
      status: 'committed',
      commit_sha: head,
      rollouts: [
        { service: 'checkout', action: 'abort', commit_sha: head },
        { service: 'cart', action: 'abort', commit_sha: head },
      ],
    });
    // The same requests as one service: the app read, one GitOps read, one commit, the sticky (looked
    // for, then written: no deployment names it here), one deployment and its status, the reaction.
    const ops = opsSince(s, from);
    expect(ops).toEqual([
      'graphql:repository',
      'graphql:repository',
      'graphql:createCommitOnBranch',
      'issues/list-comments',
      'issues/create-comment',
      'repos/create-deployment',
      'repos/create-deployment-status',
      'reactions/create-for-issue-comment',
    ]);
    expect(ops).toEqual(opsOne);
    // One deployment for the one commit, naming both services; each service's own words in its status.
    expect(s.sim.state.deployments.map((d) => d.payload)).toMatchObject([{ services: ['checkout', 'cart'] }]);
    expect(deployments(s)).toEqual([
      ['production', 'failure', 'checkout 1.3.5 aborted to 1.3.0; held; cart 1.3.5 aborted to 1.3.0; held'],
    ]);
  });

  it("/abort of two services started by one /promote: one status on its deployment; a lost answer is still the run's commit", async () => {
    const s = await rolloutScene([], ['checkout', 'cart']);
    const stickyId = startedByPromote(s, ['checkout', 'cart']);
    const before = await s.gitops.head();
    // GitHub writes the commit and loses the answer once: the run finds its own commit (Rollgate-Run).
    s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502, afterHandling: true, times: 1 });
    const from = s.sim.requests.length;
    const run = await comment(s, '/abort production checkout cart');
    expect(run.code, run.stdout).toBe(0);
    expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    const head = await s.gitops.head();
    expect(result(run)).toMatchObject({
      status: 'committed',
      rollouts: [
        { service: 'checkout', action: 'abort', commit_sha: head },
        { service: 'cart', action: 'abort', commit_sha: head },
      ],
    });
    expect(sticky(s).map((c) => c.id)).toEqual([stickyId]);
    expect(s.sim.state.deployments).toHaveLength(1);
    expect(s.sim.state.deploymentStatuses.map((d) => [d.deploymentId, d.state, d.description])).toEqual([
      [4242, 'failure', 'checkout 1.3.5 aborted to 1.3.0; held; cart 1.3.5 aborted to 1.3.0; held'],
    ]);
    // No comment listing (the deployment names the sticky), one status: what one service costs.
    const ops = opsSince(s, from).filter((o) => !o.startsWith('graphql:repository'));
    expect(ops.filter((o) => o !== 'graphql:createCommitOnBranch')).toEqual([
      'issues/update-comment',
      'graphql:createDeploymentStatus',
      'reactions/create-for-issue-comment',
    ]);
  });

  it('/rollback naming a service rolling out and one not: the rollout is aborted, the other named as not rolling out', async () => {
    const s = await rolloutScene();
    const run = await comment(s, '/rollback production checkout cart');
    expect(await weights(s)).toEqual([100, 0]);
    expect(s.sim.state.apiCommits).toHaveLength(1);
    expect(s.sim.state.apiCommits[0]?.headline).toBe(
      'abort rollout of checkout 1.3.5 in production: back to 1.3.0, 1.3.5 held',
    );
    expect(result(run)).toMatchObject({
      status: 'aborted',
      rollouts: [{ service: 'checkout', action: 'abort' }],
    });
    const reply = botComments(s).find((c) => c.body.includes('cart has no active rollout'));
    expect(reply?.body).toContain('cart has no active rollout in production');
  });

  it('a command on another issue steers the rollout, updates the PR sticky, and replies where it was asked', async () => {
    const s = await rolloutScene();
    const issue = s.pr.number + 100;
    const paused = await comment(s, '/pause production', issue);
    expect(paused.outputs).toMatchObject({ phase: 'paused' });
    expect(sticky(s)).toHaveLength(1);
    const answer = botComments(s).find((c) => c.issueNumber === issue);
    expect(answer?.body).toContain(`The rollout report is on #${s.pr.number}`);
  });
});
