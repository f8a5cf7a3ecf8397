import { z } from 'zod';
import type { ConfigProblem } from '../core/errors.js';
import { GATE_SCHEMAS } from '../gates/schemas.js';
import { suggestion } from './did-you-mean.js';
import {
  at,
  type Checked,
  type ConfigText,
  formatPath,
  keyNodeAt,
  nodeAt,
  parseConfigWith,
  type Path,
  type Source,
  type StructureCheck,
  valueAt,
} from './parse.js';
import { allowedKeysAt } from './schema-walk.js';
import { TEMPLATE_HINT } from './yaml-errors.js';
import {
  type Config,
  configSchema,
  configShapeSchema,
  policyFileSchema,
  policyShapeSchema,
} from './schema.js';
import { isMap } from 'yaml';

// The config loader that words problems: zod checks each file's structure and every issue becomes a
// problem at file:line:col. The CLI checks with the generated shapes first (load-file.ts) and comes
// here only for a config they refuse, so its messages are these, byte for byte.

export type { ConfigText };
export { DEFAULT_CONFIG_PATH } from './paths.js';
export { loadConfigFile } from './load-file.js';

function byZod(schema: z.ZodType, raw: unknown, shown: z.ZodType): Checked {
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, problems: (source, base) => zodProblems(source, parsed.error.issues, base, shown) };
}

const ZOD: StructureCheck = {
  config: (raw) => byZod(configShapeSchema, raw, configSchema),
  policy: (raw) => byZod(policyShapeSchema, raw, policyFileSchema),
  gate: (kind, raw) => {
    const schema = GATE_SCHEMAS[kind]?.schema ?? z.never();
    return byZod(schema, raw, schema);
  },
};

/**
 * Parses and validates a config and its policy files (pure: the Action passes texts read from the
 * default branch). Every problem names file:line:col and the key path; all are reported at once.
 */
export function parseConfig(
  main: ConfigText,
  policies: readonly ConfigText[],
  env: Readonly<Record<string, string | undefined>>,
): Config {
  return parseConfigWith(ZOD, main, policies, env);
}

/** Turns zod issues into problems with positions; `base` is where `schema` sits in the document. */
function zodProblems(
  source: Source,
  issues: readonly z.core.$ZodIssue[],
  base: Path,
  schema: z.ZodType,
): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const path = [...base, ...(issue.path as (string | number)[])];
    if (issue.code === 'invalid_union') {
      // Report the branch that came closest (fewest issues), as a person would read it.
      const branches = [...issue.errors].sort((a, b) => a.length - b.length);
      const best = branches[0];
      if (best !== undefined && best.length > 0) {
        return zodProblems(
          source,
          best.map((i) => ({
            ...i,
            path: [...(issue.path as (string | number)[]), ...(i.path as (string | number)[])],
          })),
          base,
          schema,
        );
      }
    }
    if (issue.code === 'invalid_key') {
      // A bad name as a key: say what a valid one looks like, at the key.
      const key = String(path[path.length - 1]);
      const detail = issue.issues[0]?.message ?? issue.message;
      return [
        {
          ...at(source, keyNodeAt(source, path.slice(0, -1), key) ?? nodeAt(source, path)),
          path: formatPath(path),
          message: `${detail}; got "${key}"`,
        },
      ];
    }
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, issue.path as Path);
      return issue.keys.map((key) => ({
        ...at(source, keyNodeAt(source, path, key) ?? nodeAt(source, path)),
        path: formatPath([...path, key]),
        message: `unknown key "${key}"${suggestion(key, allowed)}; allowed here: ${allowed.join(', ') || '(none)'}`,
      }));
    }
    const value = valueAt(source, path);
    const missing = issue.code === 'invalid_type' && value === undefined;
    const detail = issue.message.replace('Invalid input: ', '').replace('Invalid option: ', '');
    // `path: {{service}}/x` parses, as a map whose key is a map: say what happened, not `got {...}`.
    const node = nodeAt(source, path);
    const braces = isMap(node) && node.items.some((p) => isMap(p.key)) ? `; ${TEMPLATE_HINT}` : '';
    // A notification URL or header is a secret: the message never repeats what was written.
    const hidden = path[0] === 'notify' && (path.includes('url') || path.includes('headers'));
    const message = missing
      ? `missing required key "${String(path[path.length - 1])}" (${detail})`
      : `${detail}, got ${hidden ? 'a literal value (not shown)' : JSON.stringify(value)}${braces}`;
    return [{ ...at(source, node), path: formatPath(path), message }];
  });
}
