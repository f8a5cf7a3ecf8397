import { describe, expect, it } from 'vitest';
import { setWeight } from '../../../src/overlays/traffic/set-weight.js';

const stable = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules: []
`;
const canary = (annotations: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web-canary
  annotations:
${annotations}spec:
  rules: []
`;

describe('ingress-nginx provider', () => {
  it('sets canary-weight as a quoted string and leaves the stable Ingress alone', () => {
    const input = `${stable}---\n${canary('    nginx.ingress.kubernetes.io/canary: "true"\n    nginx.ingress.kubernetes.io/canary-weight: "10" # start small\n')}`;
    const result = setWeight(input, { percent: 50 });
    expect(result.ok && result.text).toBe(input.replace('"10"', '"50"'));
  });

  it('quotes a weight that was written as a bare number', () => {
    const input = canary(
      "    nginx.ingress.kubernetes.io/canary: 'true'\n    nginx.ingress.kubernetes.io/canary-weight: 10\n",
    );
    const result = setWeight(input, { percent: 10 });
    expect(result.ok && result.text).toBe(input.replace('canary-weight: 10', 'canary-weight: "10"'));
  });

  it('adds the annotation when it is missing', () => {
    const input = canary('    nginx.ingress.kubernetes.io/canary: "true"\n');
    const result = setWeight(input, { percent: 5 });
    expect(result.ok && result.text).toBe(
      canary(
        '    nginx.ingress.kubernetes.io/canary: "true"\n    nginx.ingress.kubernetes.io/canary-weight: "5"\n',
      ),
    );
  });

  it('finds nothing in an Ingress that is not a canary', () => {
    expect(setWeight(stable, { percent: 5 })).toMatchObject({ ok: false, code: 'not-found' });
  });
});
