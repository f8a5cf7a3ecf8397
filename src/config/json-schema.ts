import { z } from 'zod';
import { configSchema, policyFileSchema } from './schema.js';

function render(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...json, $id: `https://github.com/rollgate/rollgate/policies/${id}`, title }, null, 2)}\n`;
}

/**
 * The files under policies/ generated from the zod schemas, for editors (yaml-language-server) and
 * review: schema.json for .github/rollgate.yaml, policy.schema.json for policies/*.yaml gate files.
 */
export function renderSchemas(): Readonly<Record<string, string>> {
  return {
    'schema.json': render(configSchema, 'schema.json', 'rollgate configuration (.github/rollgate.yaml)'),
    'policy.schema.json': render(
      policyFileSchema,
      'policy.schema.json',
      'rollgate gate policies (policies/*.yaml)',
    ),
  };
}
