import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, extract } from '../../scripts/extract-openapi.mjs';
import { loadOpenApi } from './openapi.js';
import { ROUTES } from './rest/routes.js';

const subset = JSON.parse(
  readFileSync(new URL('../fixtures/github/openapi-subset.json', import.meta.url), 'utf8'),
) as {
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('the committed OpenAPI subset', () => {
  it('holds exactly the operations of the contract, each with a simulator handler', () => {
    const inSubset = Object.entries(subset.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const contract = OPERATIONS.map(([m, p]) => `${m.toUpperCase()} ${p}`);
    expect(inSubset.sort()).toEqual([...contract].sort());
    expect(Object.keys(ROUTES).sort()).toEqual([...contract].sort());
  });

  it('is self-contained: every $ref resolves inside it', () => {
    const missing = refsIn(subset).filter((ref) => {
      const [, kind, name] = ref.replace(/^#\//, '').split('/');
      return !(kind && name && subset.components[kind]?.[name]);
    });
    expect(missing).toEqual([]);
  });

  it('matches concrete paths to operations, preferring literal segments', () => {
    const api = loadOpenApi();
    const sha = 'a'.repeat(40);
    expect(api.match('GET', `/repos/o/r/commits/${sha}/check-runs`)?.op.operationId).toBe(
      'checks/list-for-ref',
    );
    expect(api.match('GET', `/repos/o/r/commits/${sha}`)?.op.operationId).toBe('repos/get-commit');
    expect(api.match('GET', '/repos/o/r/contents/policies%2Ffreeze.yaml')?.params['path']).toBe(
      'policies/freeze.yaml',
    );
    expect(api.match('GET', '/repos/o/r/contents/policies/freeze.yaml')?.params['path']).toBe(
      'policies/freeze.yaml',
    );
    expect(api.match('DELETE', '/repos/o/r')).toBeUndefined();
  });
});

describe('extract-openapi', () => {
  const spec = {
    openapi: '3.0.3',
    info: { title: 'GitHub v3 REST API', version: '1.1.4' },
    paths: OPERATIONS.reduce<Record<string, Record<string, unknown>>>((paths, [method, path]) => {
      paths[path] = {
        ...paths[path],
        delete: { operationId: 'not-in-the-contract' },
        [method]: {
          operationId: `${method}${path}`,
          summary: 'dropped',
          parameters: [{ $ref: '#/components/parameters/owner' }],
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/outer' },
                  examples: { default: { $ref: '#/components/examples/big' } },
                },
              },
            },
          },
        },
      };
      return paths;
    }, {}),
    components: {
      parameters: { owner: { name: 'owner', in: 'path', required: true, schema: { type: 'string' } } },
      schemas: {
        outer: { type: 'object', properties: { inner: { $ref: '#/components/schemas/inner' } } },
        inner: { type: 'object', properties: { example: { type: 'string', example: 'x' } } },
        unused: { type: 'string' },
      },
      examples: { big: { value: 'a large example' } },
    },
  };

  it('keeps the contract operations and every component they reach, and nothing else', () => {
    const out = extract(spec);
    expect(Object.keys(out.components.schemas ?? {}).sort()).toEqual(['inner', 'outer']);
    expect(Object.keys(out.components.parameters ?? {})).toEqual(['owner']);
    expect(out.components['examples']).toBeUndefined();
    // A field named "example" is a field, not documentation: it stays; its example value goes.
    expect(out.components.schemas?.['inner']).toEqual({
      type: 'object',
      properties: { example: { type: 'string' } },
    });
    const ops = Object.values(out.paths).flatMap((item) => Object.values(item)) as { operationId: string }[];
    expect(ops.map((o) => o.operationId)).not.toContain('not-in-the-contract');
    expect(ops).toHaveLength(OPERATIONS.length);
  });

  it('names an operation missing from the description', () => {
    const broken = { ...spec, paths: { ...spec.paths, '/repos/{owner}/{repo}': {} } };
    expect(() => extract(broken)).toThrow('GET /repos/{owner}/{repo} is not in the description');
  });
});
