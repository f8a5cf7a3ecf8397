import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { docYamlBlocks } from '../helpers/doc-blocks.js';

// Issue 11 item 18: the README's config example was not YAML (`{ path: apps/{{service}}/... }`).
// Every yaml block in README.md and docs/*.md must parse; the full config examples must validate,
// and so must the examples that are policy files (only `gates:`).

const yamlBlocks = () => docYamlBlocks().map((b) => ({ where: b.file, text: b.text }));

const MINIMAL_MAIN =
  'version: 1\ngitops: { repository: acme/gitops }\nservices: { checkout: { image: c } }\nenvironments:\n  dev: { path: "apps/{{service}}/dev" }\n';
const ENV = { PROMETHEUS_URL: 'http://prometheus:9090' };

function problems(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
}

const blocks = yamlBlocks();
const topKeys = (b: { readonly text: string }) => Object.keys((parseDocument(b.text).toJS() ?? {}) as object);

describe('yaml examples in README.md and docs/*.md', () => {
  it('there are examples to check, among them full configs and policy files', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks.filter((b) => topKeys(b).includes('version')).length).toBeGreaterThanOrEqual(1);
    expect(blocks.filter((b) => topKeys(b).join() === 'gates').length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((b) => [b.where, b] as const))('%s parses', (_where, block) => {
    expect(parseDocument(block.text).errors.map((e) => e.message.split('\n')[0])).toEqual([]);
  });

  const full = blocks.filter((b) => topKeys(b).includes('version'));
  it.each(full.map((b) => [b.where, b] as const))('%s is a valid config', (where, block) => {
    expect(problems(() => parseConfig({ file: where, text: block.text }, [], ENV))).toEqual([]);
  });

  const policies = blocks.filter((b) => topKeys(b).join() === 'gates');
  it.each(policies.map((b) => [b.where, b] as const))('%s is a valid policy file', (where, block) => {
    expect(
      problems(() =>
        parseConfig({ file: 'rollgate.yaml', text: MINIMAL_MAIN }, [{ file: where, text: block.text }], ENV),
      ),
    ).toEqual([]);
  });
});
