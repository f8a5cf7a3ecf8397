import { describe, expect, it } from 'vitest';
import { parsePath } from '../../../src/overlays/traffic/path.js';
import { setWeight } from '../../../src/overlays/traffic/set-weight.js';

const doc = `apiVersion: example.com/v1
kind: Canary
spec:
  analysis:
    stepWeights: [5, 10]
    maxWeight: 50 # cap
  routes:
  - share: "10"
`;

describe('generic path setter', () => {
  it('parses paths with keys and indexes', () => {
    expect(parsePath('spec.routes[0].share')).toEqual(['spec', 'routes', 0, 'share']);
    expect(parsePath('spec..x')).toMatchObject({ ok: false, code: 'invalid-spec' });
    expect(parsePath('spec.routes[0]')).toMatchObject({ ok: false, code: 'invalid-spec' });
  });

  it('sets a number where a number was, a string where a string was', () => {
    const n = setWeight(doc, { percent: 30, path: 'spec.analysis.maxWeight' });
    expect(n.ok && n.text).toBe(doc.replace('maxWeight: 50 #', 'maxWeight: 30 #'));
    const s = setWeight(doc, { percent: 30, path: 'spec.routes[0].share' });
    expect(s.ok && s.text).toBe(doc.replace('share: "10"', 'share: "30"'));
  });

  it('adds the key to an existing map', () => {
    const r = setWeight(doc, { percent: 7, path: 'spec.analysis.stepWeight' });
    expect(r.ok && r.text).toBe(
      doc.replace('    maxWeight: 50 # cap\n', '    maxWeight: 50 # cap\n    stepWeight: 7\n'),
    );
  });

  it('reports a path that leads nowhere', () => {
    expect(setWeight(doc, { percent: 7, path: 'spec.missing.weight' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
  });
});
