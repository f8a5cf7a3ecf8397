import { describe, expect, it } from 'vitest';
import type { Decision, FileEdit } from '../../src/core/types.js';
import { COMMENT_LIMIT, markerFor, renderDiff, renderReport } from '../../src/report/markdown.js';
import { pipelineMermaid } from '../../src/report/mermaid.js';
import { toResult } from '../../src/report/result.js';

const decision: Decision = {
  allowed: false,
  environment: 'production',
  services: ['checkout'],
  version: '1.4.0',
  evaluatedAt: '2026-11-27T17:00:00.000Z',
  verdicts: [
    {
      gate: 'bake-24h',
      kind: 'bake',
      outcome: 'pass',
      reasonCode: 'baked',
      reason: 'ran 30h in staging',
      details: {},
    },
    {
      gate: 'weekend-freeze',
      kind: 'freeze',
      outcome: 'fail',
      reasonCode: 'frozen',
      reason: 'frozen | until Monday\n08:00',
      details: {},
      opensAt: '2026-11-30T07:00:00.000Z',
    },
  ],
};
const edit: FileEdit = {
  path: 'apps/checkout/overlays/production/kustomization.yaml',
  before: 'images:\n  - name: checkout # keep\n    newTag: 1.3.0\n',
  after: 'images:\n  - name: checkout # keep\n    newTag: 1.4.0\n',
  descriptions: ['checkout 1.3.0 -> 1.4.0'],
};
const pipeline = {
  environments: [
    { name: 'staging', gates: [], running: { checkout: '1.4.0' } },
    {
      name: 'production',
      after: 'staging',
      gates: ['bake-24h', 'weekend-freeze'],
      running: { checkout: '1.3.0' },
    },
  ],
};

describe('renderReport', () => {
  const report = renderReport({
    environment: 'production',
    services: ['checkout'],
    version: '1.4.0',
    requestedBy: 'alice',
    source: 'https://github.com/acme/shop/pull/5',
    decision,
    edits: [edit],
    status: { kind: 'denied' },
    pipeline,
    next: 'Ask again after the freeze ends, or add the `hotfix` label.',
  });

  it('starts with the hidden marker and a heading naming environment and outcome', () => {
    expect(report.startsWith(`${markerFor('production')}\n### ⛔ rollgate: production denied`)).toBe(true);
  });
  it('has one gate row per verdict, with pipes and newlines in reasons kept inside the cell', () => {
    expect(report).toContain(
      '| ❌ fail | weekend-freeze | freeze | frozen \\| until Monday 08:00 Opens 2026-11-30T07:00:00.000Z. |',
    );
    expect(report).toContain('| ✅ pass | bake-24h | bake | ran 30h in staging |');
  });
  it('folds the diff, showing only the changed line', () => {
    expect(report).toMatch(/<details><summary>Diff \(1 file\)<\/summary>\n\n```diff\n--- a\/apps/);
    expect(report).toContain('-    newTag: 1.3.0\n+    newTag: 1.4.0');
    expect(report).not.toContain('+  - name: checkout');
  });
  it('draws the pipeline', () => {
    expect(report).toContain('```mermaid\nflowchart LR');
    expect(report).toContain('e0 -->|"bake-24h, weekend-freeze"| e1');
  });
  it('ends with what to do', () => {
    expect(report.trimEnd().endsWith('add the `hotfix` label.')).toBe(true);
  });
  it('links the commit when committed', () => {
    const done = renderReport({
      environment: 'staging',
      services: [],
      version: '1.4.0',
      requestedBy: 'alice',
      edits: [],
      status: {
        kind: 'committed',
        sha: 'abcdef1234567',
        url: 'https://github.com/acme/gitops/commit/abcdef1',
      },
    });
    expect(done).toContain('- **Commit:** [abcdef1](https://github.com/acme/gitops/commit/abcdef1)');
    expect(done).toContain('- **Services:** all services');
  });
});

describe('long diffs stay under the comment limit', () => {
  it('cuts at a line boundary and says how much was cut', () => {
    const before = Array.from({ length: 1_500 }, (_, i) => `line ${i}: ${'old '.repeat(10)}`).join('\n');
    const after = before.replace(/old/g, 'new');
    const big: FileEdit = { path: 'big.yaml', before, after, descriptions: [] };
    const report = renderReport({
      environment: 'dev',
      services: ['a'],
      version: '1',
      requestedBy: 'bob',
      decision: { ...decision, verdicts: [] },
      edits: [big],
      status: { kind: 'dry-run' },
      pipeline,
    });
    expect(report.length).toBeLessThan(COMMENT_LIMIT);
    expect(report).toMatch(/… \d+ more diff lines cut to fit GitHub's comment limit/);
    expect(report).toContain('</details>');
    expect(report).toContain('```mermaid'); // the picture survives the cut
  });
  it('a diff holding ``` cannot close the fence', () => {
    const out = renderDiff([{ path: 'x.md', before: 'a\n', after: '```\n', descriptions: [] }], 10_000);
    expect(out.match(/^```/gm)).toHaveLength(2);
  });
  it('a file rewritten wholesale is named, not diffed (the diff would take minutes)', () => {
    const before = Array.from({ length: 20_000 }, (_, i) => `line ${i}: old`).join('\n');
    const out = renderDiff(
      [{ path: 'gen.yaml', before, after: before.replace(/old/g, 'new'), descriptions: [] }],
      60_000,
    );
    expect(out).toContain(
      '--- a/gen.yaml\n+++ b/gen.yaml\n@@ too many changed lines to show; see the commit @@',
    );
  });
  it('no changed file, no diff section', () => {
    expect(renderDiff([{ path: 'x', before: 'a', after: 'a', descriptions: [] }], 1000)).toBe('');
  });
});

describe('pipelineMermaid', () => {
  it('nodes with versions, edges labelled with gates, the target highlighted, names escaped', () => {
    const text = pipelineMermaid(
      {
        environments: [
          { name: 'dev', gates: [], running: { checkout: '1.4.0', cart: undefined } },
          { name: 'prod"x', after: 'dev', gates: ['a<b'], running: {} },
        ],
      },
      'prod"x',
    );
    expect(text.split('\n')).toEqual([
      'flowchart LR',
      '  e0["<b>dev</b><br/>checkout: 1.4.0<br/>cart: —"]',
      '  e1["<b>prod#quot;x</b>"]',
      '  e0 -->|"a#lt;b"| e1',
      '  classDef target stroke-width:3px',
      '  class e1 target',
    ]);
  });
});

describe('toResult', () => {
  it('versioned, with the failing gate as the reason code', () => {
    const result = toResult({
      environment: 'production',
      services: ['checkout'],
      version: '1.4.0',
      status: { kind: 'denied' },
      decision,
    });
    expect(result).toMatchObject({
      schema_version: 1,
      status: 'denied',
      reason_code: 'frozen',
      allowed: false,
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
  it('commit sha and url when committed; message when aborted', () => {
    expect(
      toResult({
        environment: 'dev',
        services: [],
        version: '1',
        status: { kind: 'committed', sha: 'abc', url: 'u' },
      }),
    ).toMatchObject({
      status: 'committed',
      reason_code: 'committed',
      allowed: true,
      commit_sha: 'abc',
      url: 'u',
    });
    expect(
      toResult({
        environment: 'dev',
        services: [],
        version: '1',
        status: { kind: 'aborted', reasonCode: 'head-moved', message: 'm' },
      }),
    ).toMatchObject({ status: 'aborted', reason_code: 'head-moved', allowed: false, message: 'm' });
  });
});
