import { describe, expect, it } from 'vitest';
import { setWeight } from '../../../src/overlays/traffic/set-weight.js';

const route = (name: string, refs: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
spec:
  rules:
  - backendRefs:
${refs}`;

describe('gateway-api provider', () => {
  it('gives the later backend the canary share and the other the rest, in place', () => {
    const input = route(
      'checkout',
      '    - name: checkout-v1 # stable\n      port: 80\n      weight: 90\n    - name: checkout-v2\n      port: 80\n      weight: 10 # canary\n',
    );
    const result = setWeight(input, { percent: 25 });
    expect(result).toMatchObject({
      ok: true,
      text: input.replace('weight: 90', 'weight: 75').replace('weight: 10 #', 'weight: 25 #'),
    });
    expect(result.ok && result.descriptions).toEqual([
      'HTTPRoute checkout rule 0: checkout-v1 weight 90 -> 75',
      'HTTPRoute checkout rule 0: checkout-v2 weight 10 -> 25',
    ]);
  });

  it('prefers the backend whose name says canary, whatever its position', () => {
    const input = route(
      'web',
      '    - name: web-canary\n      weight: 0\n    - name: web\n      weight: 100\n',
    );
    const result = setWeight(input, { percent: 5 });
    expect(result.ok && result.text).toBe(
      input.replace('weight: 0', 'weight: 5').replace('weight: 100', 'weight: 95'),
    );
  });

  it('adds a weight where a backend has none (Gateway API default 1)', () => {
    const input = route('web', '    - name: web-a\n      port: 80\n    - name: web-b\n      port: 80\n');
    const result = setWeight(input, { percent: 30 });
    expect(result.ok && result.text).toBe(
      route(
        'web',
        '    - name: web-a\n      port: 80\n      weight: 70\n    - name: web-b\n      port: 80\n      weight: 30\n',
      ),
    );
  });

  it('picks a route by --route among several and names the candidates otherwise', () => {
    const two = `${route('a', '    - name: a1\n    - name: a2\n')}---\n${route('b', '    - name: b1\n    - name: b2\n')}`;
    const ambiguous = setWeight(two, { percent: 10 });
    expect(ambiguous).toMatchObject({ ok: false, code: 'ambiguous' });
    expect(ambiguous.ok ? '' : ambiguous.message).toContain(
      'HTTPRoute a rule 0 (document 1); HTTPRoute b rule 0 (document 2)',
    );
    const picked = setWeight(two, { percent: 10, route: 'b' });
    expect(picked.ok && picked.text).toContain('- name: b2\n      weight: 10');
    expect(picked.ok && picked.text).not.toContain('- name: a2\n      weight');
    const missing = setWeight(two, { percent: 10, route: 'c' });
    expect(missing).toMatchObject({ ok: false, code: 'not-found' });
    expect(missing.ok ? '' : missing.message).toContain(
      'splits in the file: HTTPRoute a rule 0; HTTPRoute b rule 0',
    );
  });

  it('refuses three backends without --canary-backend, and splits the rest by weight with it', () => {
    const input = route(
      'w',
      '    - name: x\n      weight: 60\n    - name: y\n      weight: 20\n    - name: z\n      weight: 20\n',
    );
    expect(setWeight(input, { percent: 10 })).toMatchObject({ ok: false, code: 'ambiguous' });
    const result = setWeight(input, { percent: 10, canaryBackend: 'z' });
    expect(result.ok && result.text).toBe(
      input
        .replace('60', '68')
        .replace('weight: 20\n    - name: z', 'weight: 22\n    - name: z')
        .replace(/weight: 20\n$/, 'weight: 10\n'),
    );
  });

  it('names the backends when --canary-backend matches none', () => {
    const result = setWeight(route('w', '    - name: x\n    - name: y\n'), {
      percent: 10,
      canaryBackend: 'q',
    });
    expect(result).toMatchObject({
      ok: false,
      code: 'not-found',
      message: 'HTTPRoute w rule 0 has no backend q; backends: x, y',
    });
  });

  it('rejects a percentage outside 0..100', () => {
    expect(setWeight(route('w', '    - name: x\n    - name: y\n'), { percent: 101 })).toMatchObject({
      ok: false,
      code: 'invalid-value',
    });
  });
});
