import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { INPUTS, OUTPUTS } from '../../src/action/io.js';

const root = join(import.meta.dirname, '..', '..');
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('action.yml and src/action/io.ts are in step', () => {
  it('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action.js' });
  });
  it('the same inputs, with the same description, default and required', () => {
    expect(Object.keys(action.inputs)).toEqual(Object.keys(INPUTS));
    for (const [name, declared] of Object.entries(INPUTS)) {
      expect(action.inputs[name], name).toEqual(declared);
    }
  });
  it('the same outputs', () => {
    expect(action.outputs).toEqual(OUTPUTS);
  });
  it("the issue's inputs and outputs are all there", () => {
    for (const name of [
      'github-token',
      'gitops-token',
      'config',
      'command',
      'environment',
      'services',
      'version',
      'dry-run',
    ]) {
      expect(Object.keys(INPUTS)).toContain(name);
    }
    expect(Object.keys(OUTPUTS)).toEqual([
      'allowed',
      'environment',
      'version',
      'commit-sha',
      'phase',
      'step',
      'weight',
      'result',
    ]);
  });
  it('no other file reads inputs or writes outputs', () => {
    const offenders = filesUnder(join(root, 'src'))
      .filter((f) => !f.endsWith(join('action', 'io.ts')))
      .filter((f) =>
        /\b(getInput|getBooleanInput|getMultilineInput|setOutput)\b|INPUT_/.test(readFileSync(f, 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});
