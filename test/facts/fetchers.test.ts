import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { fetchGateInputs, gateInputsFor } from '../../src/facts/fetchers.js';

// Gate inputs are fetched per gate that needs them, keyed by gate name, at the decision time.

let server: Server;
let url: string;
const times: string[] = [];
const queries: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      times.push(new URLSearchParams(body).get('time') ?? '');
      queries.push(new URLSearchParams(body).get('query') ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [0, '0.0001'] } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

it('fetches only gates with a fetcher, keyed by gate name', async () => {
  const inputs = await fetchGateInputs(
    [
      { name: 'bake-1h', kind: 'bake', config: '1h' },
      { name: 'a', kind: 'probe', config: 1 },
      { name: 'b', kind: 'probe', config: 2 },
    ],
    { now: new Date(5000) },
    { probe: async (name, config, ctx) => ({ name, config, at: ctx.now.getTime() }) },
  );
  expect(inputs).toEqual({ a: { name: 'a', config: 1, at: 5000 }, b: { name: 'b', config: 2, at: 5000 } });
});

it("gateInputsFor fetches the environment's slo gates at the decision time", async () => {
  const config = parseConfig(
    {
      file: 'rollgate.yaml',
      text: `version: 1
gitops: { repository: acme/gitops }
services: { checkout: {} }
environments:
  staging: { path: "s/{{service}}", gates: [bake-1h] }
  production: { path: "p/{{service}}", gates: [slo, bake-1h] }
gates:
  bake-1h: { bake: 1h }
  slo: { slo: { prometheus: { url: "${url}" }, objective: 99.9, ratio: "r[{{window}}]", burnRates: none } }
`,
    },
    [],
    {},
  );
  const now = new Date('2026-11-01T12:00:00Z');
  const { gateInputs } = await gateInputsFor(config, 'production')(now);
  expect(Object.keys(gateInputs)).toEqual(['slo']);
  expect(gateInputs.slo).toMatchObject({
    kind: 'slo-samples',
    at: '2026-11-01T12:00:00.000Z',
    windows: { '30d': { ratio: { query: 'r[30d]', result: { kind: 'sample', value: '0.0001' } } } },
  });
  expect(times).toEqual(['1793534400.000']);
  expect(await gateInputsFor(config, 'staging')(now)).toEqual({ gateInputs: {} });
});

it('fills a metric query per promoted service, and says so when the promotion names none', async () => {
  const config = parseConfig(
    {
      file: 'rollgate.yaml',
      text: `version: 1
gitops: { repository: acme/gitops }
services: { checkout: {}, cart: {} }
environments:
  production: { path: "p/{{service}}", gates: [errors] }
gates:
  errors:
    metric:
      prometheus: { url: "${url}" }
      query: 'e{app="{{service}}",env="{{environment}}",v="{{version}}"}[{{interval}}]'
      thresholdRange: { max: 0.01 }
      interval: 5m
`,
    },
    [],
    {},
  );
  const now = new Date('2026-11-01T12:00:00Z');
  queries.length = 0;
  const request = {
    environment: 'production',
    services: ['checkout', 'cart'],
    version: { tag: '1.5.0' },
    requestedBy: 'alice',
    source: 'test',
  };
  const { gateInputs } = await gateInputsFor(config, 'production')(now, request);
  expect(queries.sort()).toEqual([
    'e{app="cart",env="production",v="1.5.0"}[5m]',
    'e{app="checkout",env="production",v="1.5.0"}[5m]',
  ]);
  expect(gateInputs.errors).toMatchObject({
    kind: 'metric-samples',
    mode: 'instant',
    at: '2026-11-01T12:00:00.000Z',
    results: [
      { service: 'checkout', result: { kind: 'sample', value: '0.0001' } },
      { service: 'cart', result: { kind: 'sample', value: '0.0001' } },
    ],
  });
  const unnamed = await gateInputsFor(config, 'production')(now);
  expect(unnamed.gateInputs.errors).toMatchObject({
    results: [
      {
        result: {
          kind: 'error',
          reasonCode: 'metric.unfilled',
          reason: expect.stringContaining('{{service}}, {{version}}'),
        },
      },
    ],
  });
});
