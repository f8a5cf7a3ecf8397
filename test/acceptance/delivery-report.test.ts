import { describe, expect, it } from 'vitest';
import { git } from '../helpers/repo.js';
import { dispatchEvent, runAction } from './harness.js';
import { setUp, useScenes } from './scenarios.js';

useScenes();

// Issue 9: the Action records a pushed commit's time as Rollgate-Source-Time, and on `schedule`
// with `delivery-report` writes the delivery report (Markdown, mermaid charts) to the job summary.

describe('acceptance: the delivery report', () => {
  it('push records Rollgate-Source-Time; schedule writes the report with its lead time to the job summary', async () => {
    const s = await setUp();
    const committed = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const pushed = await runAction(s, {
      event: 'push',
      payload: { ...dispatchEvent(s), head_commit: { id: s.pr.headSha, timestamp: committed } },
      inputs: { environment: 'dev', services: 'checkout', version: '1.9.0' },
    });
    expect(pushed.code, pushed.stdout).toBe(0);
    const message = await git(s.gitops.dir, 'log', '-1', '--format=%B', 'main');
    expect(message).toContain(`Rollgate-Source-Time: ${committed}`);

    const scheduled = await runAction(s, {
      event: 'schedule',
      payload: { schedule: '*/15 * * * *' },
      inputs: { 'delivery-report': '30d' },
    });
    expect(scheduled.code, scheduled.stdout).toBe(0);
    expect(scheduled.summary).toContain('## 📈 rollgate delivery report');
    expect(scheduled.summary).toContain('### dev');
    expect(scheduled.summary).toContain(
      '```mermaid\nxychart-beta\n  title "dev: deployments (bars) and failures (line) per week"',
    );
    expect(scheduled.summary).toMatch(
      /\| checkout \| 4 \| [\d.]+ \| [\d.]+ \| 2h \(p90 2h\) \| 3 \| 0 \| 0\.0% \|/,
    );
  }, 180_000);
});
