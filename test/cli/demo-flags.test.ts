import { describe, expect, it } from 'vitest';
import { runFlagsDemo } from '../../src/cli/demo-flags.js';
import { run } from '../../src/cli/main.js';

// `npm run demo:flags` end to end: every step gives the exit code the story expects, the flag is
// promoted, the aborted one is back at a share of 0 and held.

describe('demo flags', () => {
  it('walks the story: new-checkout promoted, new-search aborted and held', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runFlagsDemo(
      false,
      { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: process.cwd() },
      run,
    );
    expect(err.join('\n')).not.toContain('demo: step');
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('promote flag new-checkout variant on in production');
    expect(text).toContain('"targeting": {"fractional": [["on", 100], ["off", 0]]}');
    expect(text).toContain('"targeting": {"fractional": [["v2", 0], ["v1", 100]]}');
    expect(text).toContain('Rollgate-Hold: v2');
  }, 120_000);
});
