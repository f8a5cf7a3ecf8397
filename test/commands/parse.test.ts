import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_LENGTH, parseComment } from '../../src/commands/parse.js';

describe('parseComment: what is not a command is ignored', () => {
  const ignored: [string, string][] = [
    ['plain text', 'looks good to me'],
    ['another bot', '/deploy staging'],
    ['verb as a prefix of another word', '/promoted staging'],
    ['verb with a dash', '/promote-all staging'],
    ['quoted', '> /promote staging'],
    ['inline code', '`/promote staging`'],
    ['fenced code', '```\n/promote staging\n```'],
    ['indented code', '    /promote staging'],
    ['command on the second line', 'please run\n/promote staging'],
    ['empty', ''],
    ['upper case', '/PROMOTE staging'],
  ];
  it.each(ignored)('%s', (_name, body) => {
    expect(parseComment(body)).toEqual({ kind: 'ignored' });
  });
});

describe('parseComment: commands', () => {
  const rows: [string, string, unknown][] = [
    [
      'promote env only',
      '/promote staging',
      { verb: '/promote', environment: 'staging', services: [], dryRun: false },
    ],
    [
      'promote with services and flags',
      '/promote production checkout cart --version 1.4.0@sha256:abc --dry-run --reason "hotfix for INC-42"',
      {
        verb: '/promote',
        environment: 'production',
        services: ['checkout', 'cart'],
        version: '1.4.0@sha256:abc',
        dryRun: true,
        reason: 'hotfix for INC-42',
      },
    ],
    [
      'flag=value form, CRLF and later lines ignored',
      '/promote staging --reason=rollout --version=sha-abc1234\r\nthanks!',
      {
        verb: '/promote',
        environment: 'staging',
        services: [],
        reason: 'rollout',
        version: 'sha-abc1234',
        dryRun: false,
      },
    ],
    [
      'curly quotes from a phone',
      '/rollback production checkout --reason \u201cbad release\u201d',
      {
        verb: '/rollback',
        environment: 'production',
        services: ['checkout'],
        dryRun: false,
        reason: 'bad release',
      },
    ],
    [
      'duplicate services once',
      '/promote dev a a b',
      { verb: '/promote', environment: 'dev', services: ['a', 'b'], dryRun: false },
    ],
    ['advance', '/advance production', { verb: '/advance', environment: 'production', services: [] }],
    [
      'pause with services and a reason',
      '/pause production checkout cart --reason "INC-7: p99 up"',
      { verb: '/pause', environment: 'production', services: ['checkout', 'cart'], reason: 'INC-7: p99 up' },
    ],
    [
      'resume',
      '/resume production checkout',
      { verb: '/resume', environment: 'production', services: ['checkout'] },
    ],
    [
      'abort with --reason=',
      '/abort production --reason=bad',
      { verb: '/abort', environment: 'production', services: [], reason: 'bad' },
    ],
    [
      'promote a flag rollout',
      '/promote production --flag new-checkout --reason "launch day"',
      {
        verb: '/promote',
        environment: 'production',
        services: [],
        flag: 'new-checkout',
        dryRun: false,
        reason: 'launch day',
      },
    ],
    [
      'promote a flag rollout, dry run, --flag=',
      '/promote production --dry-run --flag=new-checkout',
      { verb: '/promote', environment: 'production', services: [], flag: 'new-checkout', dryRun: true },
    ],
    [
      'pause a flag rollout',
      '/pause production --flag new-checkout',
      { verb: '/pause', environment: 'production', services: [], flag: 'new-checkout' },
    ],
    [
      'rollback a flag rollout',
      '/rollback production --flag new-checkout --reason bad',
      {
        verb: '/rollback',
        environment: 'production',
        services: [],
        flag: 'new-checkout',
        dryRun: false,
        reason: 'bad',
      },
    ],
    ['status', '/status', { verb: '/status' }],
    ['help with trailing space', '/help  ', { verb: '/help' }],
  ];
  it.each(rows)('%s', (_name, body, command) => {
    expect(parseComment(body)).toEqual({ kind: 'command', command });
  });
});

describe('parseComment: a rollgate verb with a bad argument says what was wrong', () => {
  const rows: [string, string, RegExp][] = [
    ['no environment', '/promote', /name the environment/],
    ['misspelt flag', '/promote staging --dryrun', /unknown flag "--dryrun" \(did you mean "--dry-run"\?\)/],
    ['flag without value', '/promote staging --version', /"--version" needs a value/],
    ['value swallowed by a flag', '/promote staging --version --dry-run', /"--version" needs a value/],
    [
      '--canary is gone, and says what replaced it',
      '/promote staging --canary 25',
      /--canary is gone: canary weights come from environments.<env>.canary.steps/,
    ],
    ['rollout verb without environment', '/pause', /name the environment, e.g. "production"/],
    [
      'rollout verbs never dry-run',
      '/abort production --dry-run',
      /unknown flag "--dry-run"; known flags: --reason, --flag/,
    ],
    ['rollout verb flag typo', '/advance production --reasn x', /did you mean "--reason"/],
    ['--flag without a name', '/promote production --flag', /"--flag" needs a value/],
    [
      '--flag with services',
      '/promote production checkout --flag new-checkout',
      /--flag names a flag rollout, not services: drop "checkout"/,
    ],
    [
      '--flag with --version',
      '/promote production --flag new-checkout --version 1.2.3',
      /variant comes from environments.<env>.flags in the config: drop --version/,
    ],
    ['--flag twice', '/promote production --flag a --flag b', /"--flag" is given twice/],
    ['--flag with odd characters', '/promote production --flag "a b"', /--flag must name a flag rollout/],
    ['--flag on a dry-run rollback', '/rollback production --flag a --dry-run', /no dry-run rollback/],
    ['unclosed quote', '/promote staging --reason "oops', /quote is not closed/],
    ['switch with value', '/promote staging --dry-run=yes', /takes no value/],
    ['status with arguments', '/status production', /takes no arguments/],
    ['flag twice', '/promote staging --version 1 --version 2', /given twice/],
    [
      'shell characters in version',
      '/promote staging --version "1;rm -rf /"',
      /--version must be an image tag/,
    ],
    // Issue 11 item 17: quotes around nothing are not a name, and a blank --reason is no reason.
    ['empty environment', "/promote ''", /an empty argument .* write the environment without quotes/],
    ['empty double-quoted environment', '/rollback ""', /write the environment without quotes/],
    ['empty service', '/promote staging checkout ""', /write the service without quotes/],
    ['blank reason', "/rollback production --reason '   '", /"--reason" needs a value/],
    [
      'a first line over the limit',
      `/promote staging --reason "${'x'.repeat(MAX_COMMAND_LENGTH)}"`,
      /longer than 1000 characters/,
    ],
  ];
  it.each(rows)('%s', (_name, body, problem) => {
    const result = parseComment(body);
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.problem).toMatch(problem);
    expect(result.usage.startsWith(result.verb)).toBe(true);
  });
});

describe('parseComment: hostile sizes cost a glance (issue 11 item 17)', () => {
  it('reads no further than the limit: a 2 MB comment is judged on its first characters', () => {
    const huge = 'a '.repeat(1_000_000);
    const long = parseComment(`/promote staging ${huge}`);
    expect(long.kind).toBe('invalid');
    if (long.kind === 'invalid') expect(long.problem.length).toBeLessThan(300);
    expect(parseComment(`/promote staging --reason "${huge}`).kind).toBe('invalid');
    // Below the first line, size does not matter: the command stands, the rest is ignored.
    expect(parseComment(`/promote staging\n${huge}`)).toEqual({
      kind: 'command',
      command: { verb: '/promote', environment: 'staging', services: [], dryRun: false },
    });
    expect(parseComment(`${'x'.repeat(2_000_000)}\n/promote staging`)).toEqual({ kind: 'ignored' });
  });
});
