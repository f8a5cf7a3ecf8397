import type { z } from 'zod';

/** A gate kind's config schema, registered in schemas.ts (its behaviour: gate.ts, registry.ts). */
export interface GateSchema<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly description: string;
  readonly schema: S;
}
