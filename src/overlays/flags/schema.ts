// The rules of flagd's published flag schema (https://flagd.dev/schema/v0/flags.json and the
// `fractional` rule of targeting.json), checked by hand on plain data: rollgate ships no JSON
// Schema validator at run time. The tests hold these checks against flagd's own validator
// (@openfeature/flagd-core with strict validation) on the same files. Beyond the schema, two
// rules flagd enforces when it evaluates: `defaultVariant` names a variant, and every variant a
// `fractional` bucket names exists (else evaluation fails for the users in that bucket).

export type JsonPath = readonly (string | number)[];

export interface SchemaProblem {
  readonly path: JsonPath;
  readonly message: string;
}

const STATES = ['ENABLED', 'DISABLED'] as const;
const MAX_WEIGHT_SUM = 2_147_483_647;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function variantType(value: unknown): 'boolean' | 'number' | 'string' | 'object' | undefined {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (isObject(value)) return 'object';
  return undefined;
}

function metadataProblems(value: unknown, path: JsonPath): SchemaProblem[] {
  if (!isObject(value))
    return [{ path, message: 'metadata must be a map of string, number or boolean values' }];
  return Object.entries(value).flatMap(([k, v]) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? []
      : [{ path: [...path, k], message: `metadata ${k} must be a string, number or boolean` }],
  );
}

/** Every `fractional` operation under a targeting rule, with its path. */
export function fractionalsIn(node: unknown, path: JsonPath): { path: JsonPath; args: unknown }[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => fractionalsIn(item, [...path, i]));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === 'fractional' ? [{ path: [...path, k], args: v }] : fractionalsIn(v, [...path, k]),
  );
}

function fractionalProblems(args: unknown, path: JsonPath, variants: readonly string[]): SchemaProblem[] {
  if (!Array.isArray(args) || args.length === 0)
    return [{ path, message: 'fractional takes a list of [variant, weight] buckets' }];
  const problems: SchemaProblem[] = [];
  // An optional first argument says what to bucket by (a string or an expression giving one).
  const first = args[0];
  const start = Array.isArray(first) ? 0 : 1;
  if (start === 1 && typeof first !== 'string' && !isObject(first))
    problems.push({
      path: [...path, 0],
      message: 'the bucketing argument must be a string or an expression',
    });
  if (args.length <= start) problems.push({ path, message: 'fractional has no [variant, weight] bucket' });
  let sum = 0;
  for (let i = start; i < args.length; i++) {
    const bucket: unknown = args[i];
    const at = [...path, i];
    if (!Array.isArray(bucket) || bucket.length < 1 || bucket.length > 2) {
      problems.push({
        path: at,
        message: 'a fractional bucket is [variant, weight] (the weight defaults to 1)',
      });
      continue;
    }
    const [variant, weight = 1] = bucket as unknown[];
    if (typeof variant === 'string' && !variants.includes(variant))
      problems.push({
        path: [...at, 0],
        message: `fractional names variant ${JSON.stringify(variant)}, which is not in variants (${variants.join(', ')})`,
      });
    else if (typeof variant !== 'string' && !isObject(variant))
      problems.push({ path: [...at, 0], message: 'a bucket names its variant as a string' });
    if (typeof weight !== 'number' && !isObject(weight))
      problems.push({ path: [...at, 1], message: 'a bucket weight must be a whole number' });
    else if (typeof weight === 'number') {
      if (!Number.isInteger(weight) || weight < 0)
        problems.push({
          path: [...at, 1],
          message: `bucket weight ${weight} must be a whole number, 0 or more`,
        });
      else sum += weight;
    }
  }
  if (sum > MAX_WEIGHT_SUM)
    problems.push({
      path,
      message: `the bucket weights add up to ${sum}, over flagd's limit ${MAX_WEIGHT_SUM}`,
    });
  return problems;
}

function flagProblems(key: string, flag: unknown, path: JsonPath): SchemaProblem[] {
  if (key === '') return [{ path, message: 'a flag key must not be empty' }];
  if (!isObject(flag))
    return [{ path, message: `flag ${key} must be a map (state, variants, defaultVariant)` }];
  const problems: SchemaProblem[] = [];
  if (!STATES.includes(flag.state as (typeof STATES)[number]))
    problems.push({
      path: flag.state === undefined ? path : [...path, 'state'],
      message: `flag ${key}: state must be ENABLED or DISABLED (got ${JSON.stringify(flag.state ?? null)})`,
    });
  const variants = flag.variants;
  let names: string[] = [];
  if (!isObject(variants) || Object.keys(variants).length === 0) {
    problems.push({
      path: variants === undefined ? path : [...path, 'variants'],
      message: `flag ${key}: variants must be a map with at least one variant`,
    });
  } else {
    names = Object.keys(variants);
    const types = new Set<string>();
    for (const [name, value] of Object.entries(variants)) {
      const type = variantType(value);
      if (name === '')
        problems.push({
          path: [...path, 'variants'],
          message: `flag ${key}: a variant name must not be empty`,
        });
      if (type === undefined)
        problems.push({
          path: [...path, 'variants', name],
          message: `flag ${key}: variant ${name} must be a boolean, number, string or map`,
        });
      else types.add(type);
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value))
        problems.push({
          path: [...path, 'variants', name],
          message: `flag ${key}: variant ${name} is beyond the safe integer range`,
        });
    }
    if (types.size > 1)
      problems.push({
        path: [...path, 'variants'],
        message: `flag ${key}: variants mix types (${[...types].join(', ')}); all variants of a flag have one type`,
      });
  }
  const dv = flag.defaultVariant;
  if (dv !== undefined && dv !== null && typeof dv !== 'string')
    problems.push({
      path: [...path, 'defaultVariant'],
      message: `flag ${key}: defaultVariant must be a string or null`,
    });
  else if (typeof dv === 'string' && names.length > 0 && !names.includes(dv))
    problems.push({
      path: [...path, 'defaultVariant'],
      message: `flag ${key}: defaultVariant ${dv} is not one of the variants (${names.join(', ')})`,
    });
  if (flag.metadata !== undefined) problems.push(...metadataProblems(flag.metadata, [...path, 'metadata']));
  if (flag.targeting !== undefined) {
    if (!isObject(flag.targeting))
      problems.push({
        path: [...path, 'targeting'],
        message: `flag ${key}: targeting must be a map (a JSONLogic rule)`,
      });
    else
      for (const f of fractionalsIn(flag.targeting, [...path, 'targeting']))
        problems.push(...fractionalProblems(f.args, f.path, names));
  }
  return problems;
}

/** Problems of a whole flag set (`{ flags: {...}, $evaluators?, metadata? }`); empty when valid. */
export function checkFlagSet(data: unknown, base: JsonPath = []): SchemaProblem[] {
  if (!isObject(data)) return [{ path: base, message: 'a flag definition file is a map with a flags: map' }];
  const problems: SchemaProblem[] = [];
  if (!isObject(data.flags))
    problems.push({ path: base, message: 'flags: must be a map of flag keys to flags' });
  else
    for (const [k, v] of Object.entries(data.flags))
      problems.push(...flagProblems(k, v, [...base, 'flags', k]));
  if (data.$evaluators !== undefined && !isObject(data.$evaluators))
    problems.push({ path: [...base, '$evaluators'], message: '$evaluators must be a map of named rules' });
  if (data.metadata !== undefined) problems.push(...metadataProblems(data.metadata, [...base, 'metadata']));
  return problems;
}
