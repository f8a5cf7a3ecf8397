import { describe, expect, it } from 'vitest';
import { commentEvent, runAction } from './harness.js';
import {
  botComments,
  CHECKOUT_DEV,
  comment,
  reactionsOn,
  result,
  setUp,
  tagOf,
  useScenes,
} from './scenarios.js';

useScenes();

describe('acceptance: comments that are not commands, and bad commands', () => {
  it.each([
    ['another bot', '/deploy staging'],
    ['quoted', '> /promote dev'],
    ['code', '`/promote dev`'],
    ['prose', 'LGTM, ship it'],
  ])('%s: ignored without a word or an API call', async (_name, body) => {
    const s = await setUp();
    const run = await comment(s, 'alice', body);
    expect(run.code).toBe(0);
    expect(s.sim.requests).toEqual([]);
    expect(run.outputs).toEqual({});
  });

  it('an edited comment is ignored', async () => {
    const s = await setUp();
    const run = await runAction(s, {
      event: 'issue_comment',
      payload: commentEvent(s, 'alice', '/promote dev', 'edited'),
    });
    expect(run.code).toBe(0);
    expect(s.sim.requests).toEqual([]);
  });

  it('a misspelt environment gets a reply with a did-you-mean', async () => {
    const s = await setUp();
    const run = await comment(s, 'alice', '/promote stagin checkout --version 1.5.0');
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'bad-command' });
    expect(botComments(s)[0]?.body).toContain('unknown environment "stagin" (did you mean "staging"?)');
    expect(reactionsOn(s)).toEqual(['confused']);
  });

  it('a misspelt flag gets a reply with a did-you-mean and the usage', async () => {
    const s = await setUp();
    await comment(s, 'alice', '/promote dev --dryrun');
    expect(botComments(s)[0]?.body).toContain('unknown flag "--dryrun" (did you mean "--dry-run"?)');
    expect(botComments(s)[0]?.body).toContain('/promote <env> [service...]');
  });

  it('--canary is gone: the reply says canary steps come from the config, nothing is written', async () => {
    const s = await setUp();
    const run = await comment(s, 'alice', '/promote dev checkout --version 1.5.0 --canary 25');
    expect(result(run)).toMatchObject({ status: 'aborted', reason_code: 'bad-command' });
    expect(botComments(s)[0]?.body).toContain(
      '--canary is gone: canary weights come from environments.&lt;env&gt;.canary.steps',
    );
    expect(s.sim.state.apiCommits).toEqual([]);
  });

  it('/help answers with the grammar and the environments', async () => {
    const s = await setUp();
    await comment(s, 'alice', '/help');
    const body = botComments(s)[0]?.body ?? '';
    expect(body).toContain('/rollback <env> [service...]');
    expect(body).toMatch(/\| production \| staging \| year-2000-freeze \| checkout, cart \|/);
  });

  it('/status shows what runs where', async () => {
    const s = await setUp();
    await comment(s, 'alice', '/status');
    expect(botComments(s)[0]?.body).toContain('| checkout | `1.4.0` | `1.3.5` | `1.3.0` |');
  });

  it('/rollback returns a service to the version it ran before', async () => {
    const s = await setUp();
    const run = await comment(s, 'alice', '/rollback dev checkout');
    expect(result(run)).toMatchObject({ status: 'committed', version: '1.3.5' });
    expect(tagOf(await s.gitops.show('main', CHECKOUT_DEV))).toBe('1.3.5');
  });
});
