import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchSloSamples } from '../../src/facts/fetchers.js';
import {
  queryInstant,
  queryRange,
  resolveTarget,
  type PrometheusTarget,
} from '../../src/facts/prometheus.js';
import { prometheusSchema, sloSchema } from '../../src/gates/slo-schema.js';

// A loopback HTTP server standing in for Prometheus: it records every request and answers with
// whatever the test queued, so the adapter is exercised over real HTTP.

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: URLSearchParams;
}
type Reply = { status: number; body: string } | 'hang';

let server: Server;
let url: string;
let seen: Seen[] = [];
let replies: Reply[] = [];
let fallback: Reply;

const vector = (...values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1, v] })),
    },
  });

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: new URLSearchParams(body),
      });
      const reply = replies.shift() ?? fallback;
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  seen = [];
  replies = [];
  fallback = { status: 200, body: vector('0.5') };
});

const AT = new Date('2026-11-01T12:00:00.250Z');
const target = (): PrometheusTarget => ({ url, headers: {}, timeoutMs: 2000 });

describe('queryInstant', () => {
  it('POSTs the query and the decision time to /api/v1/query', async () => {
    const result = await queryInstant(target(), 'sum(up)', AT, fetch);
    expect(result).toEqual({ kind: 'sample', value: '0.5' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/query' });
    expect(seen[0]?.body.get('query')).toBe('sum(up)');
    expect(seen[0]?.body.get('time')).toBe('1793534400.250');
  });

  it.each([
    ['an empty vector', { status: 200, body: vector() }, { kind: 'empty' }],
    [
      'a scalar',
      {
        status: 200,
        body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } }),
      },
      { kind: 'sample', value: '2' },
    ],
    [
      'NaN kept as Prometheus wrote it',
      { status: 200, body: vector('NaN') },
      { kind: 'sample', value: 'NaN' },
    ],
    [
      '+Inf kept as Prometheus wrote it',
      { status: 200, body: vector('+Inf') },
      { kind: 'sample', value: '+Inf' },
    ],
  ] as const)('reads %s', async (_name, reply, expected) => {
    replies.push(reply);
    expect(await queryInstant(target(), 'q', AT, fetch)).toEqual(expected);
  });

  it.each([
    [
      "Prometheus's error envelope",
      {
        status: 400,
        body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }),
      },
      'prometheus.bad_data',
      /Prometheus bad_data error for `q`: parse error at char 5/,
    ],
    [
      'a timeout envelope',
      {
        status: 503,
        body: JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' }),
      },
      'prometheus.timeout',
      /query timed out/,
    ],
    [
      'several series',
      { status: 200, body: vector('1', '2') },
      'prometheus.many-series',
      /gave 2 series, expected one: aggregate it/,
    ],
    [
      'a range vector',
      {
        status: 200,
        body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
      },
      'prometheus.not-instant',
      /gave a matrix/,
    ],
    [
      'HTTP 401 from a proxy',
      { status: 401, body: 'Unauthorized' },
      'prometheus.http-401',
      /HTTP 401 .*check prometheus.auth/,
    ],
    [
      'JSON that is not the API',
      { status: 200, body: '{"hello":1}' },
      'prometheus.bad-response',
      /not a Prometheus API response/,
    ],
  ] as const)('turns %s into an error result with its reason', async (_name, reply, reasonCode, reason) => {
    replies.push(reply);
    const result = await queryInstant(target(), 'q', AT, fetch);
    expect(result.kind).toBe('error');
    if (result.kind !== 'error') return;
    expect(result.reasonCode).toBe(reasonCode);
    expect(result.reason).toMatch(reason);
  });

  it('gives up after the timeout', async () => {
    replies.push('hang');
    const started = Date.now();
    const result = await queryInstant({ ...target(), timeoutMs: 200 }, 'q', AT, fetch);
    expect(result).toMatchObject({ kind: 'error', reasonCode: 'prometheus.timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('says so when nothing listens', async () => {
    const result = await queryInstant({ ...target(), url: 'http://127.0.0.1:1' }, 'q', AT, fetch);
    expect(result).toMatchObject({ kind: 'error', reasonCode: 'prometheus.unreachable' });
  });
});

describe('queryRange', () => {
  const FROM = new Date('2026-11-01T11:00:00Z');
  const TO = new Date('2026-11-01T12:00:00Z');
  const matrix = (...series: [number, string][][]) =>
    JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: series.map((values, i) => ({ metric: { i: String(i) }, values })),
      },
    });

  it('asks query_range for [from, to] at the step and hands back the points', async () => {
    replies.push({
      status: 200,
      body: matrix([
        [1793530800, '0.5'],
        [1793530860, 'NaN'],
      ]),
    });
    const result = await queryRange(target(), 'sum(up)', { from: FROM, to: TO, stepMs: 60_000 }, fetch);
    expect(result).toEqual({
      kind: 'series',
      points: [
        [1793530800, '0.5'],
        [1793530860, 'NaN'],
      ],
    });
    expect(seen[0]?.url).toBe('/api/v1/query_range');
    expect(Object.fromEntries(seen[0]?.body ?? [])).toEqual({
      query: 'sum(up)',
      start: '1793530800.000',
      end: '1793534400.000',
      step: '60',
    });
  });

  it.each([
    ['no series', matrix(), { kind: 'empty' }],
    ['two series', matrix([[1, '1']], [[1, '2']]), { kind: 'error', reasonCode: 'prometheus.many-series' }],
    ['a vector', vector('1'), { kind: 'error', reasonCode: 'prometheus.bad-response' }],
    [
      "Prometheus's error envelope",
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
      { kind: 'error', reasonCode: 'prometheus.bad_data' },
    ],
  ])('turns %s into a result', async (_name, body, expected) => {
    replies.push({ status: 200, body });
    expect(await queryRange(target(), 'q', { from: FROM, to: TO, stepMs: 60_000 }, fetch)).toMatchObject(
      expected,
    );
  });

  it('asks nothing for a window that ends before it starts, or one of too many points', async () => {
    expect(await queryRange(target(), 'q', { from: TO, to: FROM, stepMs: 60_000 }, fetch)).toEqual({
      kind: 'empty',
    });
    expect(await queryRange(target(), 'q', { from: FROM, to: TO, stepMs: 100 }, fetch)).toMatchObject({
      kind: 'error',
      reasonCode: 'prometheus.too-many-points',
      reason: expect.stringContaining('raise interval'),
    });
    expect(seen).toEqual([]);
  });
});

describe('resolveTarget', () => {
  const resolve = (config: unknown, env: Record<string, string>) =>
    resolveTarget(prometheusSchema.parse(config), env);

  it('sends a bearer token and extra headers from the environment', async () => {
    const resolved = resolve(
      {
        url: '${PROM}/',
        auth: { bearer: { tokenEnv: 'PROM_TOKEN' } },
        headers: { 'X-Scope-OrgID': '${TENANT}' },
      },
      { PROM: url, PROM_TOKEN: 's3cret', TENANT: 'acme' },
    );
    expect(resolved.ok).toBe(true);
    if (!resolved.ok) return;
    expect(resolved.target.url).toBe(url);
    await queryInstant(resolved.target, 'q', AT, fetch);
    expect(seen[0]?.headers.authorization).toBe('Bearer s3cret');
    expect(seen[0]?.headers['x-scope-orgid']).toBe('acme');
  });

  it('sends basic auth from the environment', async () => {
    const resolved = resolve(
      { url, auth: { basic: { usernameEnv: 'U', passwordEnv: 'P' } } },
      { U: 'gate', P: 'pa:ss' },
    );
    if (!resolved.ok) throw new Error(resolved.reason);
    await queryInstant(resolved.target, 'q', AT, fetch);
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('gate:pa:ss').toString('base64')}`);
  });

  it('never shows a secret spliced into the URL in a reason', async () => {
    fallback = { status: 502, body: 'bad gateway' };
    const resolved = resolve({ url: `${url}/?api_key=\${PROM_KEY}` }, { PROM_KEY: 'k3y-s3cret' });
    if (!resolved.ok) throw new Error(resolved.reason);
    const result = await queryInstant(resolved.target, 'q', AT, fetch);
    expect(result).toMatchObject({ kind: 'error', reasonCode: 'prometheus.http-502' });
    if (result.kind !== 'error') return;
    expect(result.reason).toContain('api_key=${PROM_KEY}');
    expect(result.reason).not.toContain('k3y-s3cret');
    const bad = resolve({ url: '${PROM}' }, { PROM: 'ftp://user:k3y-s3cret@p' });
    expect(bad).toMatchObject({ ok: false, reasonCode: 'prometheus.bad-url' });
    expect(JSON.stringify(bad)).not.toContain('k3y-s3cret');
  });

  it('names every missing variable', () => {
    const resolved = resolve({ url: '${PROM}', auth: { bearer: { tokenEnv: 'PROM_TOKEN' } } }, {});
    expect(resolved).toMatchObject({ ok: false, reasonCode: 'prometheus.env-missing' });
    if (resolved.ok) return;
    expect(resolved.reason).toMatch(/PROM, PROM_TOKEN is not set/);
  });

  it('takes the timeout from the config, 10s by default', () => {
    const a = resolve({ url: 'http://p', timeout: '1500ms' }, {});
    const b = resolve({ url: 'http://p' }, {});
    expect(a.ok && a.target.timeoutMs).toBe(1500);
    expect(b.ok && b.target.timeoutMs).toBe(10_000);
  });
});

describe('fetchSloSamples', () => {
  it('asks each window once at the decision time and stores every answer', async () => {
    const config = sloSchema.parse({
      prometheus: { url },
      objective: 99,
      errors: 'e[{{window}}]',
      total: 't[{{window}}]',
    });
    const samples = await fetchSloSamples('slo', config, { now: AT, env: {} });
    expect(Object.keys(samples.windows)).toEqual(['30d', '1h', '5m', '6h', '30m', '3d']);
    // 6h is both a long and a short window: 6 windows x (errors + total), each asked once.
    expect(seen).toHaveLength(12);
    expect(new Set(seen.map((s) => s.body.get('time')))).toEqual(new Set(['1793534400.250']));
    expect(samples.windows['6h']).toEqual({
      errors: { query: 'e[6h]', result: { kind: 'sample', value: '0.5' } },
      total: { query: 't[6h]', result: { kind: 'sample', value: '0.5' } },
    });
  });

  it('records a missing variable as the error of every query, without calling Prometheus', async () => {
    const config = sloSchema.parse({
      prometheus: { url: '${NOPE}' },
      objective: 99,
      ratio: 'r[{{window}}]',
      burnRates: 'none',
    });
    const samples = await fetchSloSamples('slo', config, { now: AT, env: {} });
    expect(seen).toHaveLength(0);
    expect(samples.windows['30d']).toMatchObject({
      ratio: { result: { kind: 'error', reasonCode: 'prometheus.env-missing' } },
    });
  });
});
