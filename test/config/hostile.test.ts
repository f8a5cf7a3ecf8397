import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { yamlLimitsOf } from '../../src/config/yaml-limits.js';
import { ConfigError } from '../../src/core/errors.js';

// Issue 11, items 10 to 13, for the config and its policy files: aliases are bounded and checked,
// names, images and paths are refused with what a valid value looks like, and the YAML size limit
// is a documented key. Every problem is file:line:col, never a stack trace.

const BASE = `version: 1
gitops:
  repository: acme/gitops
services:
  checkout:
    image: ghcr.io/acme/checkout
environments:
  dev:
    path: apps/{{service}}/dev
  staging:
    path: apps/{{service}}/staging
    after: dev
    gates: [bake-1h]
gates:
  bake-1h: { bake: 1h }
`;

function problemsOf(text: string, policies: { file: string; text: string }[] = []): string[] {
  try {
    parseConfig({ file: 'rollgate.yaml', text }, policies, {});
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

function aliasBomb(): string {
  const lines = ['  a: &a ["x","x","x","x","x","x","x","x","x"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    lines.push(
      `  ${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(',')}]`,
    );
  }
  return `bomb:\n${lines.join('\n')}\n`;
}

describe('config aliases (items 10 and 12)', () => {
  it('an alias bomb in the config is one problem at the alias that crosses the bound', () => {
    expect(problemsOf(`${BASE}${aliasBomb()}`)).toEqual([
      'rollgate.yaml:22:10 : aliases expand to more than 100,000 nodes (an alias bomb?); write the values out or use fewer nested aliases',
    ]);
  });

  it('an alias bomb in a policy file is refused there', () => {
    const policy = { file: 'policies/p.yaml', text: `gates:\n  bake-2h: { bake: 2h }\n${aliasBomb()}` };
    expect(problemsOf(BASE, [policy])[0]).toMatch(/^policies\/p\.yaml:\d+:\d+ : aliases expand/);
  });

  it('gates: *nope names the alias and its position', () => {
    expect(problemsOf(BASE.replace('    gates: [bake-1h]\n', '    gates: *nope\n'))).toEqual([
      'rollgate.yaml:13:12 : alias *nope refers to no anchor defined before it; write &nope on a value above this line, or replace the alias with the value',
    ]);
  });

  it('an alias before its anchor is refused at the alias', () => {
    const text = BASE.replace('    gates: [bake-1h]\n', '    gates: *g\n').replace(
      'gates:\n  bake-1h',
      'extra: &g [bake-1h]\ngates:\n  bake-1h',
    );
    expect(problemsOf(text)[0]).toContain(
      'rollgate.yaml:13:12 : alias *g refers to no anchor defined before it',
    );
  });

  it('an aliased gate is the gate it stands for', () => {
    const text = `${BASE}  bake-again: *b\n`.replace('bake-1h: { bake: 1h }', 'bake-1h: &b { bake: 1h }');
    const config = parseConfig({ file: 'r.yaml', text }, [], {});
    expect(config.gates['bake-again']).toMatchObject({ kind: 'bake', config: '1h' });
  });

  it('several YAML documents in a config are refused', () => {
    expect(problemsOf(`${BASE}---\nversion: 1\n`)).toEqual([
      'rollgate.yaml:16:1 : the file holds 2 YAML documents; keep one (remove the --- line)',
    ]);
  });
});

describe('validate refuses values that cannot work (item 13)', () => {
  it('a path template that leaves the repository', () => {
    expect(problemsOf(BASE.replace('apps/{{service}}/dev', '../{{service}}/dev'))).toEqual([
      'rollgate.yaml:9:11 environments.dev.path: path "../service/dev" leaves the GitOps repository; write it relative to the repository root, without .., e.g. apps/{{service}}/overlays/dev',
    ]);
    expect(problemsOf(BASE.replace('apps/{{service}}/dev', '/srv/{{service}}/dev'))[0]).toContain(
      'environments.dev.path: path "/srv/service/dev" must be relative to the GitOps repository root',
    );
  });

  it('an image name with characters no image name holds', () => {
    for (const image of [
      '"ghcr.io/acme/check out"',
      '"ghcr.io/acme/checkout;rm -rf /"',
      'ghcr.io/acme/checkout:1.0',
    ]) {
      const problems = problemsOf(BASE.replace('image: ghcr.io/acme/checkout', `image: ${image}`));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(
        'rollgate.yaml:6:12 services.checkout.image: an image name such as ghcr.io/acme/checkout or localhost:5000/checkout',
      );
    }
    expect(problemsOf(BASE.replace('ghcr.io/acme/checkout', 'localhost:5000/{{service}}'))).toEqual([]);
  });

  it('service and environment names say what a valid name looks like, at the key', () => {
    expect(problemsOf(BASE.replace('  checkout:\n', '  "check out":\n'))).toEqual([
      'rollgate.yaml:5:3 services.check out: service name: a name of letters, digits, ".", "_" and "-" that starts and ends with a letter or digit, e.g. checkout or staging-eu; got "check out"',
    ]);
    const env = problemsOf(BASE.replace('  dev:\n', '  dev/eu:\n').replace('after: dev', 'after: dev/eu'));
    expect(env[0]).toContain('rollgate.yaml:8:3 environments.dev/eu: environment name: a name of letters');
    expect(env.join('\n')).not.toContain('Invalid key in record');
  });
});

describe('limits.maxFileSize (item 11)', () => {
  it('accepts sizes with units or bytes, defaults to 16 MB, and refuses anything else', () => {
    const withLimit = (v: string) => `${BASE}limits:\n  maxFileSize: ${v}\n`;
    expect(yamlLimitsOf(parseConfig({ file: 'r', text: withLimit('2MB') }, [], {}))).toEqual({
      maxFileSize: 2 * 1024 * 1024,
    });
    expect(yamlLimitsOf(parseConfig({ file: 'r', text: withLimit('512KiB') }, [], {})).maxFileSize).toBe(
      512 * 1024,
    );
    expect(yamlLimitsOf(parseConfig({ file: 'r', text: withLimit('1000') }, [], {})).maxFileSize).toBe(1000);
    expect(yamlLimitsOf(parseConfig({ file: 'r', text: BASE }, [], {})).maxFileSize).toBe(16 * 1024 * 1024);
    expect(problemsOf(withLimit('huge'))).toEqual([
      'rollgate.yaml:17:16 limits.maxFileSize: a size such as 16MB, 512KB or a number of bytes, got "huge"',
    ]);
  });

  it('a config file over the default limit is refused before it is parsed', () => {
    const problems = problemsOf(`${BASE}${'#'.repeat(17 * 1024 * 1024)}\n`);
    expect(problems).toEqual([
      'rollgate.yaml:1:1 : the file is 17 MB, over the limit of 16 MB (limits.maxFileSize in the config); split the file or raise the limit',
    ]);
  });
});
