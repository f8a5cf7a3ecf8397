// The arithmetic of `--fraction VARIANT=PCT` on a flagd `fractional` rule (pure). flagd hashes
// each targeting key to a bucket in [0, total) and serves the first variant whose running sum of
// weights passes it. rollgate keeps the total at 100 and the rolled-out variant first, and takes
// its new share from the buckets right after it: every other variant keeps where its range ends,
// so raising the share only moves users into the first variant, never between the others.

export interface Bucket {
  readonly variant: string;
  readonly weight: number;
}

export type FractionPlan =
  | { readonly ok: true; readonly buckets: readonly Bucket[] }
  | { readonly ok: false; readonly message: string };

const total = (buckets: readonly Bucket[]) => buckets.reduce((s, b) => s + b.weight, 0);

/** The buckets after the first one's weight becomes `share`, the difference taken from (or given to) the next. */
function reshareFirst(buckets: readonly Bucket[], share: number): Bucket[] {
  const out = buckets.map((b) => ({ ...b }));
  const first = out[0];
  if (first === undefined) return out;
  let delta = share - first.weight;
  first.weight = share;
  if (delta < 0) {
    const next = out[1];
    if (next !== undefined) next.weight -= delta;
    return out;
  }
  for (let i = 1; i < out.length && delta > 0; i++) {
    const b = out[i] as Bucket & { weight: number };
    const take = Math.min(b.weight, delta);
    b.weight -= take;
    delta -= take;
  }
  return out;
}

/**
 * The new buckets. `current` undefined: the flag has no fractional yet, and one is made with the
 * assigned variants first, the default variant taking the rest.
 */
export function planFractions(
  current: readonly Bucket[] | undefined,
  assignments: readonly Bucket[],
  defaultVariant: string | undefined,
): FractionPlan {
  const named = new Set(assignments.map((a) => a.variant));
  if (named.size !== assignments.length)
    return { ok: false, message: 'a variant is given twice with --fraction; give each once' };
  for (const a of assignments) {
    if (!Number.isInteger(a.weight) || a.weight < 0 || a.weight > 100)
      return {
        ok: false,
        message: `--fraction ${a.variant}=${a.weight}: the share is a whole percentage from 0 to 100`,
      };
  }
  if (current === undefined) {
    const given = total(assignments);
    const rest = 100 - given;
    if (rest < 0) return { ok: false, message: `the shares add up to ${given}%, over 100%` };
    const buckets = [...assignments];
    if (defaultVariant !== undefined && !named.has(defaultVariant)) {
      buckets.push({ variant: defaultVariant, weight: rest });
    } else if (rest !== 0) {
      return {
        ok: false,
        message: `the shares add up to ${given}%, not 100%, and no other default variant takes the rest; give every variant's share (--fraction a=PCT --fraction b=PCT)`,
      };
    }
    return { ok: true, buckets };
  }
  const sum = total(current);
  const [only] = assignments;
  if (assignments.length === 1 && only !== undefined) {
    if (sum !== 100) {
      return {
        ok: false,
        message: `the fractional weights add up to ${sum}, not 100, so a share is not a percentage; give every variant's share (--fraction a=PCT --fraction b=PCT ...) so they add up to 100`,
      };
    }
    const index = current.findIndex((b) => b.variant === only.variant);
    if (index === 0) {
      if (current.length === 1 && only.weight !== 100)
        return {
          ok: false,
          message: `${only.variant} is the only bucket; name the variant that takes the rest with a second --fraction`,
        };
      return { ok: true, buckets: reshareFirst(current, only.weight) };
    }
    if (index < 0)
      return {
        ok: true,
        buckets: reshareFirst([{ variant: only.variant, weight: 0 }, ...current], only.weight),
      };
    const at = current[index] as Bucket;
    if (at.weight === only.weight) return { ok: true, buckets: current };
    return {
      ok: false,
      message: `${only.variant} is listed after ${current[0]?.variant ?? 'another variant'} in fractional: changing its share alone would move users between the other variants. rollgate rolls out the variant listed first; give every variant's share (--fraction a=PCT --fraction b=PCT ...) to set them all`,
    };
  }
  // Several shares: the named ones are set (a new variant goes first), one unnamed variant takes the rest.
  const fresh = assignments.filter((a) => !current.some((b) => b.variant === a.variant));
  let buckets: Bucket[] = [
    ...fresh,
    ...current.map((b) => assignments.find((a) => a.variant === b.variant) ?? b),
  ];
  const unnamed = buckets.filter((b) => !named.has(b.variant));
  if (unnamed.length === 1) {
    const rest = 100 - total(assignments);
    if (rest < 0) return { ok: false, message: `the shares add up to ${total(assignments)}%, over 100%` };
    buckets = buckets.map((b) => (named.has(b.variant) ? b : { ...b, weight: rest }));
  }
  if (total(buckets) !== 100) {
    return {
      ok: false,
      message: `the fractional weights would add up to ${total(buckets)}, not 100 (${buckets.map((b) => `${b.variant}=${b.weight}`).join(', ')}); give the shares of the other variants too`,
    };
  }
  return { ok: true, buckets };
}
