import { describe, expect, it } from 'vitest';
import { setWeight } from '../../../src/overlays/traffic/set-weight.js';

const split = `apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata:
  name: bookstore-split
spec:
  service: bookstore
  backends:
  - service: bookstore-v1
    weight: 90
  - service: bookstore-v2
    weight: 10
`;

describe('smi provider', () => {
  it('moves weight between backends', () => {
    const result = setWeight(split, { percent: 25 });
    expect(result.ok && result.text).toBe(split.replace('90', '75').replace('10', '25'));
  });

  it('selects the split by its apex service', () => {
    expect(setWeight(split, { percent: 25, route: 'bookstore' }).ok).toBe(true);
    expect(setWeight(split, { percent: 25, route: 'other' })).toMatchObject({ ok: false, code: 'not-found' });
  });
});
