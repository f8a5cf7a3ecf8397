import { describe, expect, it } from 'vitest';
import { setWeight } from '../../../src/overlays/traffic/set-weight.js';

const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - name: to-reviews
    route:
    - destination: {host: reviews, subset: v1}
      weight: 100
    - destination: {host: reviews, subset: v2}
      weight: 0
`;

describe('istio provider', () => {
  it('moves weight between route destinations', () => {
    const result = setWeight(vs, { percent: 20 });
    expect(result.ok && result.text).toBe(
      vs.replace('weight: 100', 'weight: 80').replace('weight: 0', 'weight: 20'),
    );
  });

  it('selects the canary by subset and the route by its name', () => {
    const result = setWeight(vs, { percent: 40, canaryBackend: 'v1', route: 'to-reviews' });
    expect(result.ok && result.text).toBe(
      vs.replace('weight: 100', 'weight: 40').replace('weight: 0', 'weight: 60'),
    );
  });

  it('does not count a single-destination route as a split', () => {
    const single = vs.replace(/ {4}- destination: \{host: reviews, subset: v2\}\n {6}weight: 0\n/, '');
    expect(setWeight(single, { percent: 20 })).toMatchObject({ ok: false, code: 'not-found' });
  });

  it('restricts to a kind with --kind', () => {
    expect(setWeight(vs, { percent: 20, kind: 'gateway-api' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(setWeight(vs, { percent: 20, kind: 'nope' })).toMatchObject({ ok: false, code: 'invalid-spec' });
  });
});
