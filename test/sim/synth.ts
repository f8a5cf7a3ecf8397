// Builds a response object from GitHub's schema: every required field gets a plain value of the
// declared type (null where nullable), then the fields a handler cares about are laid over it.
// GitHub's objects have dozens of required fields rollgate never reads; filling them from the
// schema keeps handlers short and the responses valid (they are still validated on the way out).
import type { OpenApi } from './openapi.js';

type Json = Record<string, unknown>;

const PLACEHOLDER_DATE = '2026-01-01T00:00:00Z';
const PLACEHOLDER_URL = 'https://sim.invalid/';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(a: unknown, b: unknown): unknown {
  if (isObject(a) && isObject(b)) {
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return b;
}

export function synth(api: OpenApi, schemaOrName: Json | string, override?: unknown): unknown {
  const root = typeof schemaOrName === 'string' ? api.schema(schemaOrName) : schemaOrName;
  return fill(api, root, override, 0);
}

function fill(api: OpenApi, raw: Json, override: unknown, depth: number): unknown {
  const schema = api.resolve(raw);
  if (depth > 30) return override ?? null;
  if (Array.isArray(schema['allOf'])) {
    let out: unknown = {};
    for (const part of schema['allOf'] as Json[]) out = merge(out, fill(api, part, override, depth + 1));
    return out;
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      if (override === null) return null;
      // An array override picks the array-typed alternative (a directory listing, say).
      const pick =
        (options as Json[]).find((o) => (api.resolve(o)['type'] === 'array') === Array.isArray(override)) ??
        (options[0] as Json);
      return fill(api, pick, override, depth + 1);
    }
  }
  const type = schema['type'];
  if (override === null) return null;
  if (override === undefined && schema['nullable'] === true) return null;
  if (type === 'array') {
    if (!Array.isArray(override)) return [];
    const items = (schema['items'] ?? {}) as Json;
    return override.map((item) => fill(api, items, item, depth + 1));
  }
  if (type === 'object' || (type === undefined && isObject(schema['properties']))) {
    const props = (schema['properties'] ?? {}) as Record<string, Json>;
    const required = (schema['required'] ?? []) as string[];
    const given = isObject(override) ? override : {};
    const out: Json = {};
    for (const name of required) {
      const prop = props[name];
      out[name] = prop ? fill(api, prop, given[name], depth + 1) : (given[name] ?? null);
    }
    for (const [name, value] of Object.entries(given)) {
      if (required.includes(name)) continue;
      const prop = props[name];
      out[name] = prop && value !== undefined ? fill(api, prop, value, depth + 1) : value;
    }
    return out;
  }
  if (override !== undefined) return override;
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[])[0];
  if (type === 'integer' || type === 'number') return 0;
  if (type === 'boolean') return false;
  if (type === 'string') {
    if (schema['format'] === 'date-time') return PLACEHOLDER_DATE;
    if (schema['format'] === 'uri') return PLACEHOLDER_URL;
    if (schema['format'] === 'email') return 'sim@example.com';
    return '';
  }
  return null;
}
