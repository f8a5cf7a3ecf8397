import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { setWeight } from '../../../src/overlays/traffic/set-weight.js';

// Generated two-way Gateway API splits (weights present or not, comments, flow or block backends,
// CRLF): the canary gets the percentage, the total stays 100, a second edit changes nothing, and
// only weight values (or added weight lines) differ.

const model = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  flow: fc.boolean(),
  comment: fc.boolean(),
  weights: fc.tuple(fc.option(fc.nat({ max: 100 })), fc.option(fc.nat({ max: 100 }))),
  canaryFirst: fc.boolean(),
  percent: fc.nat({ max: 100 }),
});

type Model = typeof model extends fc.Arbitrary<infer T> ? T : never;

function render(m: Model): string {
  const names = m.canaryFirst ? ['web-canary', 'web'] : ['web', 'web-next'];
  const refs = names.map((name, i) => {
    const w = m.weights[i];
    if (m.flow)
      return `    - {name: ${name}, port: 80${w === null || w === undefined ? '' : `, weight: ${w}`}}`;
    const lines = [`    - name: ${name}${m.comment ? ' # backend' : ''}`, '      port: 80'];
    if (w !== null && w !== undefined) lines.push(`      weight: ${w}${m.comment ? ' # share' : ''}`);
    return lines.join(m.eol);
  });
  return [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    'metadata:',
    '  name: web',
    'spec:',
    '  rules:',
    '  - backendRefs:',
    ...refs,
    '',
  ].join(m.eol);
}

function weights(text: string): (number | undefined)[] {
  const route = parseDocument(text).toJS() as {
    spec: { rules: { backendRefs: { name: string; weight?: number }[] }[] };
  };
  return route.spec.rules[0]?.backendRefs.map((b) => b.weight) ?? [];
}

/** A line with its weight (and a flow `, weight: N`) taken out. */
function normal(line: string): string {
  return line.replace(/,? ?weight: \d+/g, '');
}

describe('setWeight properties', () => {
  it('gives the canary the percentage, keeps the total at 100, and is idempotent', () => {
    fc.assert(
      fc.property(model, (m) => {
        const text = render(m);
        const result = setWeight(text, { percent: m.percent });
        if (!result.ok) throw new Error(result.message);
        const [first, second] = weights(result.text);
        const canary = m.canaryFirst ? first : second;
        expect(canary).toBe(m.percent);
        expect((first ?? 0) + (second ?? 0)).toBe(100);
        expect(setWeight(result.text, { percent: m.percent })).toMatchObject({ ok: true, changed: false });
      }),
      { numRuns: 300 },
    );
  });

  it('changes only weight values, or adds weight lines', () => {
    fc.assert(
      fc.property(model, (m) => {
        const text = render(m);
        const result = setWeight(text, { percent: m.percent });
        if (!result.ok) throw new Error(result.message);
        const before = text.split(/\r?\n/);
        const after = result.text.split(/\r?\n/);
        let j = 0;
        for (const line of after) {
          const old = before[j];
          if (old === line) j++;
          else if (old !== undefined && normal(old) === normal(line)) j++;
          else expect(line).toMatch(/^\s+weight: \d+$/);
        }
        expect(j).toBe(before.length);
        expect(result.text.includes('\r\n')).toBe(m.eol === '\r\n');
      }),
      { numRuns: 300 },
    );
  });
});
