// Types for scripts/extract-openapi.mjs, so tests can import its pure parts.
export const OPERATIONS: readonly (readonly [string, string])[];
export function extract(spec: unknown): {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};
