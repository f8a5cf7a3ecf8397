import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { pacingFor } from '../../src/action/setup.js';
import { createOctokit, type WritePacing } from '../../src/github/octokit.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { gitRepo } from '../acceptance/harness.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let sim: Simulator;
let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rollgate-pacing-'));
  const app = await gitRepo(join(tmp, 'app'));
  await app.commit({ 'README.md': 'app\n' }, 'initial');
  sim = await startSimulator();
  sim.addRepo('acme/app', { dir: app.dir });
  sim.addToken('ghs_token', 'github-actions[bot]');
});
afterEach(async () => {
  await sim.close();
  await rm(tmp, { recursive: true, force: true });
});

/**
 * Three comments asked for at once. Each request is held in the simulator for a while as it
 * arrives; the log says whether another one arrived while it was held.
 */
async function threeCommentsAtOnce(pacing: WritePacing): Promise<string[]> {
  const pull = await sim.addPull('acme/app', { user: 'bob', head: { ref: 'feature', sha: await headOf() } });
  const log: string[] = [];
  let n = 0;
  sim.before(
    { method: 'POST', path: /\/comments$/ },
    async () => {
      const i = ++n;
      log.push(`arrive ${i}`);
      await sleep(150);
      log.push(`leave ${i}`);
    },
    3,
  );
  const github = createOctokit({
    token: 'ghs_token',
    endpoints: { apiUrl: sim.url, graphqlUrl: `${sim.url}/graphql` },
    pacing,
  });
  await Promise.all(
    [1, 2, 3].map((i) =>
      github.rest.issues.createComment({
        owner: 'acme',
        repo: 'app',
        issue_number: pull.number,
        body: `c${i}`,
      }),
    ),
  );
  expect(sim.violations).toEqual([]);
  return log;
}

async function headOf(): Promise<string> {
  const res = await fetch(`${sim.url}/repos/acme/app/commits/main`, {
    headers: { authorization: 'token ghs_token' },
  });
  return ((await res.json()) as { sha: string }).sha;
}

const ONE_AT_A_TIME = ['arrive 1', 'leave 1', 'arrive 2', 'leave 2', 'arrive 3', 'leave 3'];

describe('write pacing', () => {
  it('a command sends its writes one at a time, none while another is in flight', async () => {
    expect(await threeCommentsAtOnce('serial')).toEqual(ONE_AT_A_TIME);
  });

  it('a schedule run sends them one at a time too (its one-second spacing is the plugin default, not asserted here)', async () => {
    expect(await threeCommentsAtOnce('spaced')).toEqual(ONE_AT_A_TIME);
  }, 30_000);

  it('only the schedule, whose writes grow with the repository, is spaced', () => {
    expect(pacingFor('schedule')).toBe('spaced');
    for (const event of [
      'issue_comment',
      'pull_request',
      'workflow_dispatch',
      'repository_dispatch',
      'push',
    ]) {
      expect(pacingFor(event)).toBe('serial');
    }
  });
});
