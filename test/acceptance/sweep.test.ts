import { describe, expect, it } from 'vitest';
import { runAction } from './harness.js';
import { setUp, useScenes } from './scenarios.js';

useScenes();

// Issue 11 item 7: the freeze sweep handles each pull request on its own and rewrites no status
// whose state did not change (GitHub caps statuses per SHA and context).

describe('acceptance: the freeze sweep', () => {
  it('one refused status write fails that PR only, is reported, and an unchanged status is not written again', async () => {
    const s = await setUp();
    const sha = await s.app.commit({ 'src/other.ts': 'export {};\n' }, 'other work', new Date(), 'feature-2');
    const second = await s.sim.addPull('acme/app', { user: 'carol', head: { ref: 'feature-2', sha } });
    // The newest PR is listed first; its status write is refused once, as GitHub does past the cap.
    s.sim.inject({
      match: { method: 'POST', path: `/repos/acme/app/statuses/${second.head.sha}` },
      status: 422,
      message: 'Validation Failed: This SHA and context has reached the maximum number of statuses.',
    });
    const first = await runAction(s, { event: 'schedule', payload: { schedule: '*/15 * * * *' } });
    expect(s.sim.state.statuses.map((st) => st.sha)).toEqual([s.pr.headSha]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`#${second.number}`);
    expect(first.stdout).toContain('maximum number of statuses');

    const again = await runAction(s, { event: 'schedule', payload: { schedule: '*/15 * * * *' } });
    expect(again.code).toBe(0);
    // #1 is still frozen: not written again; #2 now gets its status.
    expect(s.sim.state.statuses.map((st) => st.sha)).toEqual([s.pr.headSha, second.head.sha]);
  });
});
