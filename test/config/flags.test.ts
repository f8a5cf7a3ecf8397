import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

// `environments.<env>.flags`: defaults, and what `validate` refuses, each at file:line:col.

function config(flags: string, mode = 'push'): string {
  return `version: 1
gitops:
  repository: acme/gitops
  mode: ${mode}
services:
  checkout: {}
environments:
  production:
    path: apps/{{service}}/overlays/production
    flags:
${flags
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
gates:
  flag-errors: { bake: 1m }
`;
}

function problemsOf(text: string): string[] {
  try {
    parseConfig({ file: 'rollgate.yaml', text }, [], {});
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('environments.<env>.flags', () => {
  it('parses with defaults', () => {
    const parsed = parseConfig(
      {
        file: 'rollgate.yaml',
        text: config('new-checkout:\n  file: flags/prod.json\n  variant: "on"\n  steps: [5, 50]'),
      },
      [],
      {},
    );
    expect(parsed.environments.production?.flags?.['new-checkout']).toEqual({
      file: 'flags/prod.json',
      variant: 'on',
      steps: [5, 50],
      interval: '30m',
      analysis: [],
      analysisDelay: '1m',
      onFailure: 'rollback',
    });
  });

  it('refuses falling steps, a 0 step, unknown gates, paths outside the repository, unknown keys, pull-request mode', () => {
    const text = config(
      [
        'new-checkout:',
        '  file: ../outside.json',
        '  variant: "on"',
        '  steps: [0, 50, 25]',
        '  analysis: [flag-erors]',
        'other:',
        '  file: flags/a.json',
        '  variant: b',
        '  steps: [5]',
        '  colour: red',
      ].join('\n'),
      'pull-request',
    );
    const problems = problemsOf(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^20:9 environments\.production\.flags\.other\.colour: unknown key "colour"; allowed here: file, flag, variant/,
        ),
      ]),
    );
    const fixed = problemsOf(text.replace(/^ *colour: red\n/m, ''));
    expect(fixed).toEqual([
      '12:9 environments.production.flags.new-checkout: flag rollouts commit every step straight to the GitOps branch: set gitops.mode: push',
      '12:15 environments.production.flags.new-checkout.file: file "../outside.json" leaves the GitOps repository; write it relative to the repository root, without .., e.g. apps/checkout/flags/production.flagd.json',
      '14:17 environments.production.flags.new-checkout.steps[0]: a step of share 0 serves the variant to nobody; start at 1 or more',
      '14:24 environments.production.flags.new-checkout.steps[2]: shares must rise: 25 after 50; write the steps in rising order, e.g. [5, 25, 50]',
      '15:20 environments.production.flags.new-checkout.analysis[0]: no gate named "flag-erors" (did you mean "flag-errors"?); define it under gates: or in policies/*.yaml (known: flag-errors)',
      '17:9 environments.production.flags.other: flag rollouts commit every step straight to the GitOps branch: set gitops.mode: push',
    ]);
  });
});
