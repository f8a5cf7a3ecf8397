import type { z } from 'zod';
import { type Json, REFINEMENTS, type RefinementName, type Shape } from './shape.js';

// Turns a zod schema into a Shape (src/config/shape.ts) by reading zod's definitions. Run at
// generation time only (scripts/gen-schema.ts writes src/config/shapes.generated.ts); anything it
// does not model exactly is refused loudly rather than checked loosely.

interface Check {
  readonly check: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly value?: number;
  readonly inclusive?: boolean;
  readonly format?: string;
  readonly pattern?: RegExp;
  readonly fn?: unknown;
}

interface Def {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: Check } }[];
  readonly format?: string;
  readonly pattern?: RegExp;
  readonly check?: string;
  readonly coerce?: boolean;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly items?: readonly z.ZodType[];
  readonly rest?: z.ZodType | null;
  readonly options?: readonly z.ZodType[];
  readonly innerType?: z.ZodType;
  readonly defaultValue?: unknown;
  readonly values?: readonly unknown[];
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly mode?: string;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function refuse(what: string, path: string): never {
  throw new Error(`shapeOf: ${what} at ${path || '(root)'} has no Shape; extend src/config/shape.ts`);
}

function checksOf(def: Def): Check[] {
  return (def.checks ?? []).map((c) => c._zod.def);
}

/** zod's English names of string formats, for its "Invalid <name>" message. */
const FORMAT_NAMES: Readonly<Record<string, string>> = { datetime: 'ISO datetime', date: 'ISO date' };

function regexPattern(re: RegExp, message: string, path: string): readonly [string, string, string] {
  if (re.flags.includes('g') || re.flags.includes('y')) refuse(`a /${re.flags} regex`, path);
  return [re.source, re.flags, message];
}

function refinementName(fn: unknown, path: string): RefinementName {
  const found = (Object.keys(REFINEMENTS) as RefinementName[]).find((k) => REFINEMENTS[k] === fn);
  return found ?? refuse('a refinement not listed in REFINEMENTS', path);
}

function json(value: unknown, path: string): Json {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as Json;
  if (Array.isArray(value)) return value.map((v, i) => json(v, `${path}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v, `${path}.${k}`)]));
  return refuse(`a default of type ${typeof value}`, path);
}

/** Wraps `shape` in the refinements among `checks`; refuses any other check left over. */
function refined(shape: Shape, checks: readonly Check[], path: string): Shape {
  return checks.reduce<Shape>((inner, c) => {
    if (c.check !== 'custom') refuse(`the check ${c.check}`, path);
    return { t: 'refine', of: inner, check: refinementName(c.fn, path) };
  }, shape);
}

/** The Shape of a zod schema, or a throw naming what it cannot model. */
export function shapeOf(schema: z.ZodType, path = ''): Shape {
  const def = defOf(schema);
  if (def.coerce) refuse('coercion', path);
  const checks = checksOf(def);
  switch (def.type) {
    case 'string': {
      let min: number | undefined;
      let max: number | undefined;
      const patterns: (readonly [string, string, string])[] = [];
      // A string format (z.iso.datetime()) is its own check.
      if (def.format !== undefined) {
        if (def.pattern === undefined) refuse(`string format ${def.format}`, path);
        patterns.push(regexPattern(def.pattern, `Invalid ${FORMAT_NAMES[def.format] ?? def.format}`, path));
      }
      const rest: Check[] = [];
      for (const c of checks) {
        if (c.check === 'min_length') min = Math.max(min ?? 0, c.minimum ?? 0);
        else if (c.check === 'max_length') max = Math.min(max ?? Infinity, c.maximum ?? Infinity);
        else if (c.check === 'string_format' && c.format === 'regex' && c.pattern !== undefined)
          patterns.push(
            regexPattern(c.pattern, `Invalid string: must match pattern ${String(c.pattern)}`, path),
          );
        else rest.push(c);
      }
      return refined(
        {
          t: 'string',
          ...(min !== undefined ? { min } : {}),
          ...(max !== undefined ? { max } : {}),
          ...(patterns.length > 0 ? { patterns } : {}),
        },
        rest,
        path,
      );
    }
    case 'number': {
      let int = def.format === 'safeint';
      if (def.format !== undefined && !int) refuse(`number format ${def.format}`, path);
      let min: readonly [number, boolean] | undefined;
      let max: readonly [number, boolean] | undefined;
      const rest: Check[] = [];
      for (const c of checks) {
        if (c.check === 'number_format' && c.format === 'safeint') int = true;
        else if (c.check === 'greater_than' && c.value !== undefined && min === undefined)
          min = [c.value, c.inclusive === true];
        else if (c.check === 'less_than' && c.value !== undefined && max === undefined)
          max = [c.value, c.inclusive === true];
        else rest.push(c);
      }
      return refined(
        {
          t: 'number',
          ...(int ? { int: true as const } : {}),
          ...(min !== undefined ? { min } : {}),
          ...(max !== undefined ? { max } : {}),
        },
        rest,
        path,
      );
    }
    case 'boolean':
      return refined({ t: 'boolean' }, checks, path);
    case 'unknown':
    case 'any':
      return refined({ t: 'unknown' }, checks, path);
    case 'literal': {
      const values = def.values ?? [];
      for (const v of values)
        if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) refuse('a literal', path);
      return refined({ t: 'literal', values: values as (string | number | boolean | null)[] }, checks, path);
    }
    case 'enum':
      return refined({ t: 'literal', values: Object.values(def.entries ?? {}) }, checks, path);
    case 'array': {
      if (def.element === undefined) return refuse('an array without element', path);
      let min: number | undefined;
      let max: number | undefined;
      const rest: Check[] = [];
      for (const c of checks) {
        if (c.check === 'min_length') min = Math.max(min ?? 0, c.minimum ?? 0);
        else if (c.check === 'max_length') max = Math.min(max ?? Infinity, c.maximum ?? Infinity);
        else rest.push(c);
      }
      return refined(
        {
          t: 'array',
          of: shapeOf(def.element, `${path}[]`),
          ...(min !== undefined ? { min } : {}),
          ...(max !== undefined ? { max } : {}),
        },
        rest,
        path,
      );
    }
    case 'tuple': {
      if (def.rest) refuse('a tuple with a rest', path);
      const items = (def.items ?? []).map((item, i) => {
        const t = defOf(item).type;
        if (t === 'optional' || t === 'default') refuse('an optional tuple item', path);
        return shapeOf(item, `${path}[${i}]`);
      });
      return refined({ t: 'tuple', items }, checks, path);
    }
    case 'object': {
      const catchall = def.catchall === undefined ? undefined : defOf(def.catchall).type;
      if (catchall !== undefined && catchall !== 'never') refuse('an object with a catchall', path);
      const keys = Object.fromEntries(
        Object.entries(def.shape ?? {}).map(([k, v]) => [k, shapeOf(v, path ? `${path}.${k}` : k)]),
      );
      return refined({ t: 'object', keys, unknown: catchall === 'never' ? 'strict' : 'strip' }, checks, path);
    }
    case 'record': {
      if (def.keyType === undefined || def.valueType === undefined) return refuse('a record', path);
      if (def.mode !== undefined && def.mode !== 'strict') refuse(`a ${def.mode} record`, path);
      const key = shapeOf(def.keyType, `${path}{key}`);
      // An enumerable key schema (an enum, literals) makes zod check keys one by one: not modelled.
      if (key.t !== 'string') refuse('a record whose keys are not plain strings', path);
      return refined(
        { t: 'record', key, value: shapeOf(def.valueType, path ? `${path}.*` : '*') },
        checks,
        path,
      );
    }
    case 'union':
      return refined(
        { t: 'union', of: (def.options ?? []).map((o, i) => shapeOf(o, `${path}|${i}`)) },
        checks,
        path,
      );
    case 'optional':
      if (def.innerType === undefined) return refuse('an optional', path);
      return refined({ t: 'optional', of: shapeOf(def.innerType, path) }, checks, path);
    case 'default':
      if (def.innerType === undefined) return refuse('a default', path);
      return refined(
        { t: 'default', of: shapeOf(def.innerType, path), value: json(def.defaultValue, path) },
        checks,
        path,
      );
    default:
      return refuse(`a ${def.type} schema`, path);
  }
}
