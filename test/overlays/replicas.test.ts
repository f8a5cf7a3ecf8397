import { describe, expect, it } from 'vitest';
import { parseReplicaSpec, readReplicas, setReplicas } from '../../src/overlays/replicas.js';

describe('setReplicas', () => {
  it.each([
    {
      name: 'changes a count in place',
      input: 'replicas:\n- name: web # front\n  count: 2 # min\n',
      specs: [{ name: 'web', count: 5 }],
      output: 'replicas:\n- name: web # front\n  count: 5 # min\n',
    },
    {
      name: 'adds an entry at the end of the list',
      input: 'replicas:\n  - name: web\n    count: 2\nimages: []\n',
      specs: [{ name: 'api', count: 3 }],
      output: 'replicas:\n  - name: web\n    count: 2\n  - name: api\n    count: 3\nimages: []\n',
    },
    {
      name: 'creates the replicas: key',
      input: 'resources:\n- a.yaml\n',
      specs: [{ name: 'web', count: 0 }],
      output: 'resources:\n- a.yaml\nreplicas:\n- name: web\n  count: 0\n',
    },
    {
      name: 'writes a count that was quoted as a number',
      input: 'replicas: [{name: web, count: "2"}]\n',
      specs: [{ name: 'web', count: 2 }],
      output: 'replicas: [{name: web, count: 2}]\n',
    },
  ])('$name', ({ input, specs, output }) => {
    expect(setReplicas(input, specs)).toMatchObject({ ok: true, text: output });
  });

  it('refuses a negative or fractional count', () => {
    expect(setReplicas('replicas: []\n', [{ name: 'a', count: -1 }])).toMatchObject({
      ok: false,
      code: 'invalid-value',
    });
    expect(setReplicas('replicas: []\n', [{ name: 'a', count: 1.5 }])).toMatchObject({
      ok: false,
      code: 'invalid-value',
    });
  });

  it('parses name=count', () => {
    expect(parseReplicaSpec('web=3')).toEqual({ name: 'web', count: 3 });
    expect(parseReplicaSpec('web')).toMatchObject({ ok: false, code: 'invalid-spec' });
    expect(parseReplicaSpec('web=three')).toMatchObject({ ok: false, code: 'invalid-spec' });
  });

  it('reads the list', () => {
    expect(readReplicas('replicas:\n- {name: a, count: 1}\n- name: b\n')).toEqual([
      { name: 'a', count: 1 },
      { name: 'b', count: undefined },
    ]);
  });
});
