import type { z } from 'zod';

type Path = readonly (string | number)[];

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly in?: z.ZodType;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Unwraps optional/default/pipe wrappers down to the schema that has a shape. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
    case 'prefault':
      return def.innerType ? unwrap(def.innerType) : [];
    case 'pipe':
      return def.in ? unwrap(def.in) : [];
    case 'union':
      return (def.options ?? []).flatMap(unwrap);
    case 'intersection':
      return [...(def.left ? unwrap(def.left) : []), ...(def.right ? unwrap(def.right) : [])];
    default:
      return [schema];
  }
}

/**
 * The keys an object accepts at `path` inside `schema`, for "unknown key" messages with a
 * did-you-mean. Where a union sits at the path, the keys of every object branch count.
 */
export function allowedKeysAt(schema: z.ZodType, path: Path): string[] {
  let current = unwrap(schema);
  for (const step of path) {
    current = current.flatMap((s) => {
      const def = defOf(s);
      if (def.type === 'object' && typeof step === 'string' && def.shape?.[step])
        return unwrap(def.shape[step]);
      if (def.type === 'record' && def.valueType) return unwrap(def.valueType);
      if (def.type === 'array' && def.element) return unwrap(def.element);
      return [];
    });
  }
  const keys = new Set<string>();
  for (const s of current) {
    const def = defOf(s);
    if (def.type === 'object') for (const k of Object.keys(def.shape ?? {})) keys.add(k);
  }
  return [...keys];
}
