import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { git, tempDir } from '../helpers/repo.js';
import { canaryConfigText, gitopsFiles, seedRepo } from '../rollout/fixture.js';
import { flagConfigText, flagRepoFiles } from '../rollout/flag-fixture.js';
import { startReceiver, type Receiver } from './receiver.js';

// Notifications end to end: the CLI promotes, ticks and steers a canary on a real git repository,
// and a loopback receiver stands in for Slack and a JSON webhook. A receiver that answers 500 or
// never answers costs a warning, never the promotion.

const TOKEN = 's3cr3t-hook-token';

async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd: process.cwd(),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const NOTIFY = `notify:
  team-chat:
    kind: slack
    url: "\${SLACK_WEBHOOK_URL}"
    events: [started, paused, rolled-back, denied]
  deploy-log:
    kind: webhook
    url: "\${RECEIVER}/ok/hook?token=\${HOOK_TOKEN}"
    headers: { Authorization: "Bearer \${HOOK_TOKEN}" }
  broken:
    kind: webhook
    url: "\${RECEIVER}/fail/\${HOOK_TOKEN}"
    events: [started]
  stuck:
    kind: webhook
    url: "\${RECEIVER}/hang/x"
    events: [started]
    timeout: 1s
`;

describe('notify: Slack and JSON webhooks from the CLI', () => {
  let root = '';
  let cleanup = async () => {};
  let receiver: Receiver;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await cleanup();
  });
  /** The variables the NOTIFY targets expand: every target points at the loopback receiver. */
  const receiverEnv = () => ({
    USER: 'ana',
    RECEIVER: receiver.url,
    SLACK_WEBHOOK_URL: `${receiver.url}/ok/slack/T000/B000/${TOKEN}`,
    HOOK_TOKEN: TOKEN,
  });

  it('started, stepped, paused, rolled back and denied reach the targets that chose them; failures only warn', async () => {
    const { bare } = await seedRepo(root, gitopsFiles(['checkout'], 'gateway-api'), '2026-11-30T12:00:00Z');
    const config = join(root, 'rollgate.yaml');
    await writeFile(
      config,
      `${canaryConfigText(['checkout'], 'gateway-api', 'steps: [5, 25, 50]\ninterval: 30m')}${NOTIFY}`,
    );
    const env = receiverEnv();
    const common = ['--config', config, '--gitops', bare];
    const sim = (iso: string) => ['--at', iso, '--simulate-clock'];
    const bodies = (prefix: string) =>
      receiver.received.filter((r) => r.path.startsWith(prefix)).map((r) => r.body);

    // Tuesday: the rollout starts. Two targets get it, one answers 500, one never answers.
    const started = await cli(
      ['promote', 'production', '--version', '1.5.0', ...sim('2026-12-01T10:00:00Z'), ...common],
      env,
    );
    expect(started.code, started.stderr).toBe(0);
    expect(await git(bare, 'log', '-1', '--format=%s', 'main')).toMatch(/^start rollout of checkout 1\.5\.0/);
    expect(started.stderr).toMatch(
      /notification "broken" \(webhook\) of started for production\/checkout failed: HTTP 500; the outcome stands/,
    );
    expect(started.stderr).toMatch(
      /notification "stuck" \(webhook\) of started for production\/checkout failed: no answer within 1s/,
    );
    expect(started.stderr).not.toContain(TOKEN);
    expect(receiver.hits.some((h) => h.startsWith('/hang/'))).toBe(true);

    const [hookStart] = bodies('/ok/hook');
    expect(hookStart).toMatchObject({
      schema_version: 1,
      event: 'started',
      environment: 'production',
      services: ['checkout'],
      version: '1.5.0',
      phase: 'progressing',
      step: 1,
      steps: 3,
      weight: 5,
      reason_code: 'promote',
      requested_by: 'ana',
      act: [
        { comment: '/pause production checkout', cli: 'rollgate pause production --service checkout' },
        { comment: '/abort production checkout', cli: 'rollgate abort production --service checkout' },
      ],
    });
    expect(hookStart?.summary).toBe('checkout 1.5.0 in production: rollout started, step 1/3 at 5%');
    expect(hookStart?.why).toMatch(/^requested by ana; gates: weekend-freeze=pass/);
    expect(receiver.received.find((r) => r.path.startsWith('/ok/hook'))?.headers.authorization).toBe(
      `Bearer ${TOKEN}`,
    );
    const [slackStart] = bodies('/ok/slack');
    expect(slackStart?.text).toBe(
      [
        ':rocket: *checkout 1.5.0 in production: rollout started, step 1/3 at 5%*',
        'Why: requested by ana; gates: weekend-freeze=pass',
        'To act:',
        '• `rollgate pause production --service checkout`: stop stepping (a failing analysis still rolls back)',
        '• `rollgate abort production --service checkout`: roll back to the stable version now, with a hold',
      ].join('\n'),
    );
    expect(slackStart?.blocks).toHaveLength(2);

    // The hold is over: a step. Only the webhook asked for `stepped`.
    const stepped = await cli(['tick', ...sim('2026-12-01T10:31:00Z'), ...common], env);
    expect(stepped.code, stepped.stderr).toBe(0);
    expect(stepped.stderr).toBe('');
    expect(bodies('/ok/hook')[1]).toMatchObject({
      event: 'stepped',
      step: 2,
      weight: 25,
      reason_code: 'hold.done',
    });
    expect(bodies('/ok/hook')[1]?.summary).toBe('checkout 1.5.0 in production: step 2/3, canary at 25%');
    expect(bodies('/ok/slack')).toHaveLength(1);

    // An operator pauses: why it happened and how to go on.
    const paused = await cli(
      ['pause', 'production', '--reason', 'checking a dashboard', ...sim('2026-12-01T10:40:00Z'), ...common],
      env,
    );
    expect(paused.code, paused.stderr).toBe(0);
    const slackPause = bodies('/ok/slack')[1];
    expect(slackPause?.text).toContain(
      ':double_vertical_bar: *checkout 1.5.0 in production: rollout paused at 25%*',
    );
    expect(slackPause?.text).toContain('`rollgate resume production --service checkout`');
    expect(slackPause?.text).toContain(
      'Why: paused by an operator at step 2/3 (25%); analysis still rolls back; ana: checking a dashboard',
    );
    expect(bodies('/ok/hook')[2]).toMatchObject({ event: 'paused', phase: 'paused', requested_by: 'ana' });

    // Abort: rolled back, with the way to ship the version again.
    const aborted = await cli(['abort', 'production', ...sim('2026-12-01T10:45:00Z'), ...common], env);
    expect(aborted.code, aborted.stderr).toBe(0);
    const hookAbort = bodies('/ok/hook')[3];
    expect(hookAbort).toMatchObject({ event: 'rolled-back', phase: 'aborted', stable: '1.4.0' });
    expect(hookAbort?.summary).toBe('checkout 1.5.0 in production: aborted to 1.4.0; 1.5.0 is held');
    expect((hookAbort?.act as { cli: string }[])[0]?.cli).toBe(
      'rollgate promote production --service checkout --version 1.5.0 --reason "..."',
    );

    // Saturday: the freeze denies 1.6.0; exit 1 as ever, and the denial is told with its reason.
    const denied = await cli(
      ['promote', 'production', '--version', '1.6.0', ...sim('2026-12-05T10:00:00Z'), ...common],
      env,
    );
    expect(denied.code).toBe(1);
    const slackDenied = bodies('/ok/slack')[3];
    expect(slackDenied?.text).toContain(
      ':no_entry: *checkout 1.6.0 in production: promotion denied by weekend-freeze*',
    );
    expect(slackDenied?.text).toMatch(
      /Why: weekend-freeze: frozen by window 1 \(0 16 \* \* FRI UTC\) until Mon 2026-12-07 08:00 UTC/,
    );
    expect(slackDenied?.text).toContain('`rollgate check production --service checkout --version 1.6.0`');
    expect(bodies('/ok/hook').map((b) => b.event)).toEqual([
      'started',
      'stepped',
      'paused',
      'rolled-back',
      'denied',
    ]);
  });

  it('flag rollouts: promote --flag tells started (the commands name --flag), a tick stepped, a frozen start denied', async () => {
    const { bare } = await seedRepo(root, flagRepoFiles(), '2026-11-30T12:00:00Z');
    const config = join(root, 'rollgate.yaml');
    await writeFile(
      config,
      `${flagConfigText('http://127.0.0.1:9').replaceAll('analysis: [flag-errors]', 'analysis: []')}${NOTIFY}`,
    );
    const env = receiverEnv();
    const common = ['--config', config, '--gitops', bare];
    const sim = (iso: string) => ['--at', iso, '--simulate-clock'];
    const hook = () => receiver.received.filter((r) => r.path.startsWith('/ok/hook')).map((r) => r.body);

    const started = await cli(
      ['promote', 'production', '--flag', 'new-checkout', ...sim('2026-12-01T10:00:00Z'), ...common],
      env,
    );
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toMatch(
      /notification "broken" \(webhook\) of started for production\/flag new-checkout failed: HTTP 500; the outcome stands/,
    );
    expect(hook()[0]).toMatchObject({
      event: 'started',
      services: [],
      flag: 'new-checkout',
      version: 'on',
      stable: 'off',
      step: 1,
      weight: 10,
      summary: 'flag new-checkout variant on in production: rollout started, step 1/2 at 10% of users',
      act: [
        { cli: 'rollgate pause production --flag new-checkout' },
        { cli: 'rollgate abort production --flag new-checkout' },
      ],
    });
    const slack = receiver.received.filter((r) => r.path.startsWith('/ok/slack')).map((r) => r.body);
    expect(slack[0]?.text).toContain(
      '`rollgate abort production --flag new-checkout`: take the share back to 0',
    );

    const stepped = await cli(['tick', ...sim('2026-12-01T10:31:00Z'), ...common], env);
    expect(stepped.code, stepped.stderr).toBe(0);
    expect(hook()[1]).toMatchObject({
      event: 'stepped',
      flag: 'new-checkout',
      step: 2,
      weight: 50,
      summary: 'flag new-checkout variant on in production: step 2/2, 50% of users',
    });

    // Saturday: the weekend freeze denies starting the second flag; the denial names the dry run.
    const denied = await cli(
      ['promote', 'production', '--flag', 'new-search', ...sim('2026-12-05T10:00:00Z'), ...common],
      env,
    );
    expect(denied.code).toBe(1);
    expect(hook()[2]).toMatchObject({
      event: 'denied',
      flag: 'new-search',
      version: 'v2',
      summary: 'flag new-search variant v2 in production: rollout denied by weekend-freeze',
      act: [{ cli: 'rollgate promote production --flag new-search --dry-run' }],
    });
    // A dry run tells nobody.
    const before = receiver.hits.length;
    await cli(
      [
        'promote',
        'production',
        '--flag',
        'new-search',
        '--dry-run',
        ...sim('2026-12-05T10:00:00Z'),
        ...common,
      ],
      env,
    );
    expect(receiver.hits.length).toBe(before);
  });

  it('a missing variable skips that target with a warning; the promotion is committed', async () => {
    const { bare } = await seedRepo(root, gitopsFiles(['checkout'], 'gateway-api'), '2026-11-30T12:00:00Z');
    const config = join(root, 'rollgate.yaml');
    await writeFile(
      config,
      `${canaryConfigText(['checkout'], 'gateway-api', 'steps: [5, 25, 50]\ninterval: 30m')}${NOTIFY}`,
    );
    const result = await cli(
      [
        'promote',
        'production',
        '--version',
        '1.5.0',
        '--at',
        '2026-12-01T10:00:00Z',
        '--simulate-clock',
        '--config',
        config,
        '--gitops',
        bare,
      ],
      { USER: 'ana', RECEIVER: receiver.url, HOOK_TOKEN: TOKEN },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'notification "team-chat" (slack) of started for production/checkout not sent: environment variable SLACK_WEBHOOK_URL is not set',
    );
    expect(receiver.received.map((r) => r.body.event)).toEqual(['started']);
  });

  it('validate refuses a literal webhook URL or header at file:line:col, without printing it', async () => {
    const config = join(root, 'rollgate.yaml');
    const secretUrl = `https://hooks.slack.com/services/T000/B000/${TOKEN}`;
    await writeFile(
      config,
      `${canaryConfigText(['checkout'], 'gateway-api')}notify:\n  team-chat:\n    kind: slack\n    url: ${secretUrl}\n  hook:\n    kind: webhook\n    url: "\${HOOK_URL}"\n    headers: { Authorization: "Bearer ${TOKEN}" }\n    events: [shipped]\n`,
    );
    const result = await cli(['validate', '--config', config], { USER: 'ana' });
    expect(result.code).toBe(2);
    const lines = canaryConfigText(['checkout'], 'gateway-api').split('\n').length;
    expect(result.stderr).toContain(
      `${config}:${lines + 3}:10 (notify.team-chat.url): the Slack webhook URL is a secret: write a \${NAME} reference`,
    );
    expect(result.stderr).toContain(`(notify.hook.headers.Authorization): a header value is a secret`);
    expect(result.stderr).toMatch(/\(notify\.hook\.events\[0\]\): expected one of "started"\|/);
    expect(result.stderr).not.toContain(TOKEN);
  });
});
