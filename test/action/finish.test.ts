import { afterEach, describe, expect, it } from 'vitest';
import { finish } from '../../src/action/finish.js';

// Issue 11 item 9: every failure exits non-zero, whatever the event (a /promote that gave up
// after the GitOps branch kept moving used to exit 0).

describe('finish', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });
  it('a failed run fails the step even without failStep (a comment command)', async () => {
    await finish({
      kind: 'ran',
      environment: 'dev',
      services: ['checkout'],
      version: '1.5.0',
      status: { kind: 'failed', message: 'the GitOps branch kept moving: 8 attempts' },
    });
    expect(process.exitCode).toBe(1);
  });

  it('an answered refusal or denial on a comment is not a failed step', async () => {
    for (const status of [
      { kind: 'denied' },
      { kind: 'aborted', reasonCode: 'not-permitted', message: 'no' },
    ] as const) {
      await finish({ kind: 'ran', environment: 'dev', services: [], version: '', status });
      expect(process.exitCode).toBeUndefined();
    }
  });
});
