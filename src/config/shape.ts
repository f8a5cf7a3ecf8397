// A zod-free check of a value against a shape: the same answer and the same output as zod's
// safeParse of the schema the shape was generated from (src/config/shape-of.ts, run by
// `npm run schema` into src/config/shapes.generated.ts), without loading zod. rollgate checks its
// config, state files and gate inputs this way on every run; zod is loaded only to word the
// problems of a value the shape refuses (src/config/load.ts). test/config/shape.test.ts holds the
// two side by side over every example and fixture config and over generated values.

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A zod schema as data: the parts of zod rollgate's schemas use, and nothing else. */
export type Shape =
  | {
      readonly t: 'string';
      /** Bounds on the length in code points, as zod counts. */
      readonly min?: number;
      readonly max?: number;
      /** Patterns the string must match: [source, flags, zod's message when it does not]. */
      readonly patterns?: readonly (readonly [string, string, string])[];
    }
  | {
      readonly t: 'number';
      /** A safe integer (zod's .int()). */
      readonly int?: true;
      /** Bounds: [value, inclusive]. */
      readonly min?: readonly [number, boolean];
      readonly max?: readonly [number, boolean];
    }
  | { readonly t: 'boolean' }
  | { readonly t: 'unknown' }
  | { readonly t: 'literal'; readonly values: readonly (string | number | boolean | null)[] }
  | { readonly t: 'array'; readonly of: Shape; readonly min?: number; readonly max?: number }
  | { readonly t: 'tuple'; readonly items: readonly Shape[] }
  | {
      readonly t: 'object';
      readonly keys: { readonly [key: string]: Shape };
      /** strict: unknown keys are refused; strip: dropped from the output. */
      readonly unknown: 'strict' | 'strip';
    }
  | { readonly t: 'record'; readonly key: Shape; readonly value: Shape }
  | { readonly t: 'union'; readonly of: readonly Shape[] }
  | { readonly t: 'optional'; readonly of: Shape }
  | { readonly t: 'default'; readonly of: Shape; readonly value: Json }
  /** A refinement, by the name it has in REFINEMENTS. */
  | { readonly t: 'refine'; readonly of: Shape; readonly check: RefinementName };

/**
 * The refinements rollgate's schemas use, by name: schema.ts passes these very functions to
 * zod's .refine(), and the generator finds their names by identity.
 */
export const REFINEMENTS = {
  nonEmpty: (value: unknown): boolean =>
    typeof value === 'object' && value !== null && Object.keys(value).length > 0,
} as const;
export type RefinementName = keyof typeof REFINEMENTS;

const INVALID: unique symbol = Symbol('invalid');
type Result = unknown;

/** A Shape generated from a zod schema whose output type is T (T is carried by the type alone). */
export type ShapeOf<T> = Shape & { readonly output?: T };

export type ShapeCheck<T> = { readonly ok: true; readonly data: T } | { readonly ok: false };

/** Checks `value` against `shape`: zod's output when zod would accept it, else not ok. */
export function checkShape<T>(shape: ShapeOf<T>, value: unknown): ShapeCheck<T> {
  const data = run(shape, value);
  // Sound because the shape was generated from the schema whose output T is, and accepts what it
  // accepts with the same output (test/config/shape.test.ts): the one place this cast lives.
  return data === INVALID ? { ok: false } : { ok: true, data: data as T };
}

const compiled = new Map<string, RegExp>();

function pattern(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (re === undefined) {
    re = new RegExp(source, flags);
    compiled.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** zod's isPlainObject, which records require. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const ctor: unknown = value.constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const prototype: unknown = (ctor as { prototype?: unknown }).prototype;
  return isObject(prototype) && Object.prototype.hasOwnProperty.call(prototype, 'isPrototypeOf');
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function within(length: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || length >= min) && (max === undefined || length <= max);
}

function clone(value: Json): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

function run(shape: Shape, value: unknown): Result | typeof INVALID {
  switch (shape.t) {
    case 'string': {
      if (typeof value !== 'string') return INVALID;
      if (shape.min !== undefined || shape.max !== undefined) {
        if (!within(codePoints(value), shape.min, shape.max)) return INVALID;
      }
      for (const [source, flags] of shape.patterns ?? []) {
        if (!pattern(source, flags).test(value)) return INVALID;
      }
      return value;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return INVALID;
      if (shape.int && !Number.isSafeInteger(value)) return INVALID;
      if (shape.min !== undefined && !(shape.min[1] ? value >= shape.min[0] : value > shape.min[0]))
        return INVALID;
      if (shape.max !== undefined && !(shape.max[1] ? value <= shape.max[0] : value < shape.max[0]))
        return INVALID;
      return value;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : INVALID;
    case 'unknown':
      return value;
    case 'literal':
      return shape.values.some((v) => v === value) ? value : INVALID;
    case 'array': {
      if (!Array.isArray(value)) return INVALID;
      const out: unknown[] = [];
      for (const item of value as unknown[]) {
        const r = run(shape.of, item);
        if (r === INVALID) return INVALID;
        out.push(r);
      }
      return within(value.length, shape.min, shape.max) ? out : INVALID;
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length !== shape.items.length) return INVALID;
      const out: unknown[] = [];
      for (const [i, item] of shape.items.entries()) {
        const r = run(item, (value as unknown[])[i]);
        if (r === INVALID) return INVALID;
        out.push(r);
      }
      return out;
    }
    case 'object': {
      if (!isObject(value)) return INVALID;
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(shape.keys)) {
        const r = run(inner, value[key]);
        if (r === INVALID) return INVALID;
        // zod's rule: a key is in the output when it was in the input or its value is defined.
        if (r !== undefined || key in value) out[key] = r;
      }
      if (shape.unknown === 'strict') {
        for (const key in value) if (!Object.hasOwn(shape.keys, key)) return INVALID;
      }
      return out;
    }
    case 'record': {
      if (!isPlainObject(value)) return INVALID;
      const out: Record<string, unknown> = {};
      for (const key of Reflect.ownKeys(value)) {
        if (key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(value, key)) continue;
        if (typeof key !== 'string') return INVALID;
        const k = run(shape.key, key);
        if (k === INVALID || typeof k !== 'string') return INVALID;
        const r = run(shape.value, value[key]);
        if (r === INVALID) return INVALID;
        out[k] = r;
      }
      return out;
    }
    case 'union': {
      for (const option of shape.of) {
        const r = run(option, value);
        if (r !== INVALID) return r;
      }
      return INVALID;
    }
    case 'optional':
      return value === undefined ? undefined : run(shape.of, value);
    case 'default':
      return value === undefined ? clone(shape.value) : run(shape.of, value);
    case 'refine': {
      const r = run(shape.of, value);
      return r !== INVALID && REFINEMENTS[shape.check](r) ? r : INVALID;
    }
  }
}

export interface ShapeIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What is wrong with a value `shape` refuses, in zod's words and order (its English messages,
 * without custom ones): for rollgate's own files (state files), which are worded without zod. The
 * config's problems are worded by zod itself (src/config/load.ts).
 */
export function explainShape(shape: Shape, value: unknown): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  explain(shape, value, [], issues);
  return issues;
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** zod's name for the type of a value it did not expect. */
function received(value: unknown): string {
  if (typeof value === 'number')
    return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const ctor: unknown = (value as { constructor?: unknown }).constructor;
    if (Object.getPrototypeOf(value) !== Object.prototype && typeof ctor === 'function' && ctor.name)
      return ctor.name;
  }
  return typeof value;
}

const SIZES: Readonly<Record<string, string>> = { string: 'characters', array: 'items' };

/**
 * zod's length checks, which run on anything with a length, even after a wrong type (a list where
 * a string belongs is "expected string, received array" and, when empty, also too small).
 */
function lengths(
  value: unknown,
  bounds: { readonly min?: number; readonly max?: number },
  push: (message: string) => void,
): void {
  if (value === null || value === undefined) return;
  const units: unknown = (value as { length?: unknown }).length;
  if (units === undefined) return;
  const origin = Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : 'unknown';
  const length = typeof value === 'string' ? codePoints(value) : (units as number);
  const size = (adj: string, n: number) =>
    SIZES[origin] === undefined ? `to be ${adj}${n}` : `to have ${adj}${n} ${SIZES[origin]}`;
  if (bounds.min !== undefined && !(length >= bounds.min))
    push(`Too small: expected ${origin} ${size('>=', bounds.min)}`);
  if (bounds.max !== undefined && !(length <= bounds.max))
    push(`Too big: expected ${origin} ${size('<=', bounds.max)}`);
}

function explain(shape: Shape, value: unknown, path: (string | number)[], out: ShapeIssue[]): void {
  const push = (message: string, at = path): void => {
    out.push({ path: at, message });
  };
  const invalidType = (expected: string) =>
    push(`Invalid input: expected ${expected}, received ${received(value)}`);
  switch (shape.t) {
    case 'string': {
      if (typeof value !== 'string') {
        invalidType('string');
        return lengths(value, shape, push);
      }
      lengths(value, shape, push);
      for (const [source, flags, message] of shape.patterns ?? [])
        if (!pattern(source, flags).test(value)) push(message);
      return;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return invalidType('number');
      if (shape.int && !Number.isInteger(value)) return invalidType('int');
      if (shape.int && value > Number.MAX_SAFE_INTEGER)
        push(`Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`);
      if (shape.int && value < Number.MIN_SAFE_INTEGER)
        push(`Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`);
      if (shape.min !== undefined && !(shape.min[1] ? value >= shape.min[0] : value > shape.min[0]))
        push(`Too small: expected number to be ${shape.min[1] ? '>=' : '>'}${shape.min[0]}`);
      if (shape.max !== undefined && !(shape.max[1] ? value <= shape.max[0] : value < shape.max[0]))
        push(`Too big: expected number to be ${shape.max[1] ? '<=' : '<'}${shape.max[0]}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') invalidType('boolean');
      return;
    case 'unknown':
      return;
    case 'literal':
      if (!shape.values.some((v) => v === value))
        push(
          shape.values.length === 1
            ? `Invalid input: expected ${quoted(shape.values[0])}`
            : `Invalid option: expected one of ${shape.values.map(quoted).join('|')}`,
        );
      return;
    case 'array': {
      if (!Array.isArray(value)) {
        invalidType('array');
        return lengths(value, shape, push);
      }
      (value as unknown[]).forEach((item, i) => explain(shape.of, item, [...path, i], out));
      return lengths(value, shape, push);
    }
    case 'object': {
      if (!isObject(value)) return invalidType('object');
      for (const [key, inner] of Object.entries(shape.keys)) explain(inner, value[key], [...path, key], out);
      if (shape.unknown === 'strict') {
        const unknown = Object.keys(value).filter((key) => !Object.hasOwn(shape.keys, key));
        if (unknown.length > 0)
          push(`Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map(quoted).join(', ')}`);
      }
      return;
    }
    case 'optional':
      if (value !== undefined) explain(shape.of, value, path, out);
      return;
    case 'default':
      if (value !== undefined) explain(shape.of, value, path, out);
      return;
    default:
      // Tuples, records, unions and refinements are not worded here: say where, not what.
      if (run(shape, value) === INVALID) push('Invalid input');
  }
}
