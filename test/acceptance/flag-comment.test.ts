import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flagStatePath } from '../../src/core/state.js';
import { startReceiver, type Receiver } from '../notify/receiver.js';
import { FLAG_FILE, flagRepoFiles } from '../rollout/flag-fixture.js';
import { gitOk } from '../sim/git.js';
import { APP_CONFIG, commentEvent, runAction, type ActionRun, type Scene } from './harness.js';
import { botComments, operations, reactionsOn, result, setUp, useScenes } from './scenarios.js';

// Flag rollouts from pull-request comments and the schedule, end to end (issue 9): the built
// dist/action.js against the loopback GitHub simulator and real git repositories.
// `/promote production --flag new-checkout` starts the rollout with /promote's safety; the sticky
// comment, the deployment statuses and the notifications (a loopback receiver standing in for
// Slack and a JSON webhook) name the flag, the variant and its share.

useScenes();

const STATE = flagStatePath('production', 'new-checkout');
const MARKER = '<!-- rollgate:production -->';
const TOKEN = 'hook-s3cr3t';

const NOTIFY = `notify:
  team-chat:
    kind: slack
    url: "\${SLACK_WEBHOOK_URL}"
    events: [started, promoted, rolled-back, denied]
  deploy-log:
    kind: webhook
    url: "\${RECEIVER}/ok/hook"
    headers: { Authorization: "Bearer \${HOOK_TOKEN}" }
  broken:
    kind: webhook
    url: "\${RECEIVER}/fail/\${HOOK_TOKEN}"
`;

const FLAGS = (interval: string) => `    flags:
      new-checkout:
        file: ${FLAG_FILE}
        variant: "on"
        steps: [10, 50]
        interval: ${interval}
      new-search:
        file: ${FLAG_FILE}
        variant: v2
        steps: [10, 50]
        interval: 30m
`;

/**
 * The acceptance scene with flag rollouts on production (a flagd ConfigMap in the GitOps
 * repository) and `notify:` to the receiver. `frozen` keeps production's always-on freeze gate.
 */
async function flagScene(options: { frozen?: boolean; interval?: string } = {}): Promise<Scene> {
  const s = await setUp();
  const production = options.frozen
    ? `    gates: [year-2000-freeze]\n${FLAGS(options.interval ?? '1s')}`
    : FLAGS(options.interval ?? '1s');
  const config = `${APP_CONFIG.replace('MODE', 'push').replace('    gates: [year-2000-freeze]\n', production)}${NOTIFY}`;
  await s.app.commit({ '.github/rollgate.yaml': config }, 'app: flag rollouts on production');
  await s.gitops.commit(flagRepoFiles(), 'the flagd ConfigMap', new Date(Date.now() - 60 * 60_000));
  return s;
}

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const env = () => ({
  RECEIVER: receiver.url,
  SLACK_WEBHOOK_URL: `${receiver.url}/ok/slack/T000/B000/${TOKEN}`,
  HOOK_TOKEN: TOKEN,
});

const comment = (s: Scene, body: string, user = 'alice'): Promise<ActionRun> =>
  runAction(s, { event: 'issue_comment', payload: commentEvent(s, user, body), env: env() });
const tick = (s: Scene) =>
  runAction(s, { event: 'schedule', payload: { schedule: '*/5 * * * *' }, env: env() });

const sticky = (s: Scene) =>
  botComments(s).filter((c) => c.issueNumber === s.pr.number && c.body.startsWith(MARKER));
const deployments = (s: Scene) =>
  s.sim.state.deploymentStatuses.map((st) => [
    s.sim.state.deployments.find((d) => d.id === st.deploymentId)?.environment,
    st.state,
    st.description,
  ]);
const bodies = (prefix: string) =>
  receiver.received.filter((r) => r.path.startsWith(prefix)).map((r) => r.body);
const lastMessage = (s: Scene) => gitOk(s.gitops.dir, ['log', '-1', '--format=%B', 'main']);
const fractional = async (s: Scene) =>
  /"fractional": (\[\[.*\]\])/.exec(await s.gitops.show('main', FLAG_FILE))?.[1];

describe('acceptance: flag rollouts from comments and the schedule', { timeout: 240_000 }, () => {
  it('/promote production --flag new-checkout starts the rollout; ticks step and promote it; stickies, deployments and notifications say flag, variant and share', async () => {
    const s = await flagScene();
    const before = await s.gitops.head();
    const from = s.sim.requests.length;
    const started = await comment(s, '/promote production --flag new-checkout');
    expect(started.code, started.stdout + started.stderr).toBe(0);
    // /promote's requests, no more (issue 10: at most 10).
    expect(operations(s, from)).toEqual([
      'graphql:repository',
      'repos/list-activities',
      'graphql:repository',
      'pulls/get',
      'graphql:createCommitOnBranch',
      'issues/create-comment',
      'repos/create-deployment',
      'repos/create-deployment-status',
      'reactions/create-for-issue-comment',
    ]);
    expect(started.outputs).toMatchObject({ phase: 'progressing', step: '1', weight: '10', version: 'on' });
    expect(result(started)).toMatchObject({
      status: 'committed',
      environment: 'production',
      rollouts: [
        { service: 'new-checkout', flag: 'new-checkout', version: 'on', weight: 10, action: 'start' },
      ],
    });

    // One commit: the first share and the flag's state file, with the Rollgate-Flag trailer.
    expect(await gitOk(s.gitops.dir, ['rev-list', '--count', `${before}..main`])).toBe('1');
    const message = await lastMessage(s);
    expect(message).toMatch(
      /^start rollout of flag new-checkout variant on in production: step 1\/2, weight 10%/,
    );
    expect(message).toMatch(/^Rollgate-Flag: new-checkout$/m);
    expect(message).not.toMatch(/^Rollgate-Service:/m);
    expect(message).toMatch(/^Rollgate-Requested-By: alice$/m);
    expect(message).toMatch(
      new RegExp(`^Rollgate-Source: https://github.com/acme/app/pull/${s.pr.number}$`, 'm'),
    );
    expect(await fractional(s)).toBe('[["on", 10], ["off", 90]]');
    expect(await s.gitops.show('main', STATE)).toMatch(/^ {2}phase: progressing$/m);

    // The sticky: a flag rollout, its variant and share, the next step with --flag.
    const [report] = sticky(s);
    expect(report?.body).toContain('rollout of flag new-checkout variant on: progressing');
    expect(report?.body).toContain(
      '- **Flag:** `new-checkout`, variant `on` (everyone else stays on the defaultVariant `off`)',
    );
    expect(report?.body).toContain(
      'variant `on` serves **10%** of users (steps: 10% → 50%, then 100% as the defaultVariant)',
    );
    expect(report?.body).toContain('`/pause <env> --flag new-checkout`');
    expect(report?.body).not.toContain('canary');
    expect(deployments(s)).toEqual([
      ['production', 'in_progress', 'flag new-checkout: variant on at 10% (step 1/2); next 50% by @alice'],
    ]);
    expect(s.sim.state.deployments[0]?.payload).toMatchObject({
      flag: 'new-checkout',
      variant: 'on',
      weight: 10,
    });
    expect(reactionsOn(s)).toEqual(['rocket']);

    // Notifications: Slack and the webhook got `started`; the receiver answering 500 only warned.
    const [hookStart] = bodies('/ok/hook');
    expect(hookStart).toMatchObject({
      schema_version: 1,
      event: 'started',
      environment: 'production',
      services: [],
      flag: 'new-checkout',
      version: 'on',
      stable: 'off',
      phase: 'progressing',
      step: 1,
      steps: 2,
      weight: 10,
      summary: 'flag new-checkout variant on in production: rollout started, step 1/2 at 10% of users',
      reason_code: 'promote',
      requested_by: 'alice',
      act: [
        {
          comment: '/pause production --flag new-checkout',
          cli: 'rollgate pause production --flag new-checkout',
        },
        {
          comment: '/abort production --flag new-checkout',
          cli: 'rollgate abort production --flag new-checkout',
        },
      ],
    });
    expect(receiver.received.find((r) => r.path === '/ok/hook')?.headers.authorization).toBe(
      `Bearer ${TOKEN}`,
    );
    expect(bodies('/ok/slack')[0]?.text).toBe(
      [
        ':rocket: *flag new-checkout variant on in production: rollout started, step 1/2 at 10% of users*',
        'Why: requested by alice; gates: no gates',
        'To act:',
        '• `/pause production --flag new-checkout`: stop stepping (a failing analysis still rolls back)',
        '• `/abort production --flag new-checkout`: take the share back to 0 now, with a hold',
      ].join('\n'),
    );
    expect(receiver.hits.filter((h) => h.startsWith('/fail/'))).toHaveLength(1);
    expect(started.stdout).toMatch(
      /::warning::.*notification "broken" \(webhook\) of started for production\/flag new-checkout failed: HTTP 500; the outcome stands/,
    );
    // The secrets appear only in the mask commands the runner swallows.
    const printed = (started.stdout + started.stderr)
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain(TOKEN);

    // The schedule: the 1s hold is over, the share goes to 50% (one commit), the same sticky is
    // rewritten and the deployment the /promote made gets the step as a status.
    const stepped = await tick(s);
    expect(stepped.code, stepped.stdout + stepped.stderr).toBe(0);
    expect(stepped.outputs).toMatchObject({ phase: 'progressing', step: '2', weight: '50' });
    expect(await fractional(s)).toBe('[["on", 50], ["off", 50]]');
    expect(await lastMessage(s)).toMatch(
      /^step flag new-checkout variant on in production: step 2\/2, weight 50%/,
    );
    expect(sticky(s)).toHaveLength(1);
    expect(sticky(s)[0]?.body).toContain('variant `on` serves **50%** of users');
    expect(sticky(s)[0]?.body).toContain('flag new-checkout: step (`hold.done`)');
    expect(s.sim.state.deployments).toHaveLength(1);
    expect(deployments(s)[1]).toEqual([
      'production',
      'in_progress',
      'flag new-checkout: variant on at 50% (step 2/2); next 100% (promote)',
    ]);
    expect(bodies('/ok/hook')[1]).toMatchObject({
      event: 'stepped',
      flag: 'new-checkout',
      step: 2,
      weight: 50,
      summary: 'flag new-checkout variant on in production: step 2/2, 50% of users',
    });
    expect(bodies('/ok/slack')).toHaveLength(1); // Slack did not ask for `stepped`
    expect(stepped.stdout).toMatch(/::warning::.*notification "broken" \(webhook\) of stepped .*HTTP 500/);

    // The next tick promotes: 100% and the defaultVariant; no verify, so the deployment succeeds.
    const promoted = await tick(s);
    expect(promoted.code, promoted.stdout + promoted.stderr).toBe(0);
    expect(promoted.outputs).toMatchObject({ phase: 'promoted', weight: '100' });
    expect(await fractional(s)).toBe('[["on", 100], ["off", 0]]');
    expect(await s.gitops.show('main', FLAG_FILE)).toContain('"defaultVariant": "on",\n');
    expect(sticky(s)[0]?.body).toContain('rollout of flag new-checkout variant on: promoted');
    expect(deployments(s)[2]).toEqual([
      'production',
      'success',
      'flag new-checkout: variant on at 100%, now the defaultVariant',
    ]);
    expect(bodies('/ok/slack')[1]?.text).toMatch(
      /^:white_check_mark: \*flag new-checkout variant on in production: 100% of users, now the defaultVariant\*/,
    );
    expect(result(promoted)).toMatchObject({ status: 'committed' });
  });

  it('/rollback --flag (= /abort --flag) takes the share back to 0 and holds the variant: a failure status; /promote --flag is then refused by the hold', async () => {
    const s = await flagScene({ interval: '30m' });
    await comment(s, '/promote production --flag new-checkout');
    const aborted = await comment(s, '/rollback production --flag new-checkout --reason "checkout errors"');
    expect(aborted.code, aborted.stdout + aborted.stderr).toBe(0);
    expect(aborted.outputs).toMatchObject({ phase: 'aborted', weight: '0' });
    expect(await fractional(s)).toBe('[["on", 0], ["off", 100]]');
    const message = await lastMessage(s);
    expect(message).toMatch(/^Rollgate-Flag: new-checkout$/m);
    expect(message).toMatch(/^Rollgate-Hold: on$/m);
    expect(sticky(s)[0]?.body).toContain('rollout of flag new-checkout variant on: aborted');
    expect(sticky(s)[0]?.body).toContain('the variant serves 0% of users (the flag stays ENABLED)');
    expect(deployments(s)[1]).toEqual([
      'production',
      'failure',
      'flag new-checkout: variant on aborted to 0%, off for everyone; held',
    ]);
    expect(bodies('/ok/hook')[1]).toMatchObject({
      event: 'rolled-back',
      flag: 'new-checkout',
      weight: 0,
      act: [{ comment: '/promote production --flag new-checkout --reason "..."' }],
    });

    // /status lists the flag rollout from its state file, in its one GitOps read.
    const from = s.sim.requests.length;
    await comment(s, '/status');
    const status = botComments(s).at(-1)?.body ?? '';
    expect(status).toContain('| flag rollout | environment | variant | phase | step | share |');
    expect(status).toContain('| new-checkout | production | on | aborted | 1/2 | 0% |');
    expect(status).toContain('| new-search | production | v2 | — | — | — |');
    expect(s.sim.requests.length - from).toBe(3);

    const head = await s.gitops.head();
    const again = await comment(s, '/promote production --flag new-checkout');
    expect(result(again)).toMatchObject({ status: 'denied' });
    expect(await s.gitops.head()).toBe(head);
    expect(sticky(s)[0]?.body).toMatch(/\| ❌ fail \| hold \| hold \| variant on is held since/);
    expect(sticky(s)[0]?.body).toContain('- **Flag rollout:** `new-checkout`, variant `on`');
  });

  it('a denied gate writes nothing: the sticky names the flag rollout and the failing gate; a denied event is sent', async () => {
    const s = await flagScene({ frozen: true });
    const head = await s.gitops.head();
    const denied = await comment(s, '/promote production --flag new-checkout');
    expect(denied.code, denied.stdout + denied.stderr).toBe(0);
    expect(result(denied)).toMatchObject({ status: 'denied', allowed: false, version: 'on' });
    expect(await s.gitops.head()).toBe(head);
    expect(s.sim.state.apiCommits).toEqual([]);
    expect(s.sim.state.deployments).toEqual([]);
    const [report] = sticky(s);
    expect(report?.body).toContain('rollgate: production denied');
    expect(report?.body).toContain(
      '- **Flag rollout:** `new-checkout`, variant `on` (first step: 10% of users)',
    );
    expect(report?.body).toMatch(/\| ❌ fail \| year-2000-freeze \| freeze \|/);
    expect(report?.body).toContain('then comment `/promote production --flag new-checkout` again');
    expect(reactionsOn(s)).toEqual(['-1']);
    expect(bodies('/ok/slack')[0]?.text).toMatch(
      /^:no_entry: \*flag new-checkout variant on in production: rollout denied by year-2000-freeze\*/,
    );
  });

  it('an unknown flag name gets a clear error listing the declared flag rollouts; nothing is written', async () => {
    const s = await flagScene();
    const head = await s.gitops.head();
    const run = await comment(s, '/promote production --flag new-chekout');
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'unknown-flag' });
    expect(await s.gitops.head()).toBe(head);
    const reply = botComments(s).at(-1)?.body ?? '';
    expect(reply).toContain(
      'production has no flag rollout "new-chekout" (did you mean "new-checkout"?); its flag rollouts: new-checkout, new-search',
    );
    expect(reply).toContain('/promote <env> --flag NAME');
    expect(reactionsOn(s)).toEqual(['confused']);
    // An environment without flag rollouts says where to declare one.
    await comment(s, '/promote staging --flag new-checkout');
    expect(botComments(s).at(-1)?.body).toContain(
      'staging declares no flag rollouts; declare "new-checkout" under environments.staging.flags in .github/rollgate.yaml',
    );
    // /help shows the grammar with --flag and the declared flag rollouts.
    await comment(s, '/help');
    const help = botComments(s).at(-1)?.body ?? '';
    expect(help).toContain('/promote <env> --flag NAME [--dry-run] [--reason "..."]');
    expect(help).toContain('Flag rollouts: production: `new-checkout`, `new-search`.');
  });

  it('a plain /promote of a service notifies too: `promoted` with the /rollback to act; the 500 only warns', async () => {
    const s = await flagScene();
    const run = await comment(s, '/promote dev checkout --version 1.5.0');
    expect(result(run)).toMatchObject({ status: 'committed' });
    const sha = await s.gitops.head();
    expect(bodies('/ok/hook')).toEqual([
      expect.objectContaining({
        schema_version: 1,
        event: 'promoted',
        environment: 'dev',
        services: ['checkout'],
        version: '1.5.0',
        summary: 'checkout 1.5.0 in dev: promoted',
        reason_code: 'promote',
        commit_sha: sha,
        requested_by: 'alice',
        act: [
          {
            what: 'go back to the version that ran before',
            comment: '/rollback dev checkout',
            cli: 'rollgate rollback dev --service checkout',
          },
        ],
      }),
    ]);
    expect(bodies('/ok/slack')[0]?.text).toMatch(
      /^:white_check_mark: \*checkout 1\.5\.0 in dev: promoted\*\n/,
    );
    expect(run.stdout).toMatch(
      /::warning::.*notification "broken" \(webhook\) of promoted for dev\/checkout failed: HTTP 500/,
    );
    expect(run.code).toBe(0);
  });

  it('a lost answer to the commit: the run recognises its own commit (Rollgate-Run) and reports the rollout started', async () => {
    const s = await flagScene({ interval: '30m' });
    s.sim.inject({ match: { graphql: /createCommitOnBranch/ }, status: 502, afterHandling: true, times: 10 });
    const run = await comment(s, '/promote production --flag new-checkout');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(s.sim.state.apiCommits).toHaveLength(1);
    expect(s.sim.state.apiCommits[0]?.body).toMatch(/^Rollgate-Run: 42:[0-9a-f]{8}$/m);
    expect(result(run)).toMatchObject({ status: 'committed', commit_sha: await s.gitops.head() });
    expect(run.outputs).toMatchObject({ phase: 'progressing', weight: '10' });
    expect(reactionsOn(s)).toEqual(['rocket']);
    // /pause --flag steers that flag rollout (the other one, new-search, is not rolling out).
    const paused = await comment(s, '/pause production --flag new-checkout --reason "watching"');
    expect(paused.outputs).toMatchObject({ phase: 'paused', weight: '10' });
    expect(result(paused)).toMatchObject({ rollouts: [{ flag: 'new-checkout', action: 'pause' }] });
  });

  it('a commenter without write permission cannot start a flag rollout', async () => {
    const s = await flagScene();
    const head = await s.gitops.head();
    const run = await comment(s, '/promote production --flag new-checkout', 'rita');
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'not-permitted' });
    expect(await s.gitops.head()).toBe(head);
    expect(reactionsOn(s)).toEqual(['-1']);
  });
});
