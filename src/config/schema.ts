import { z } from 'zod';
import { GATE_KINDS } from '../gates/registry.js';
import {
  DEFAULT_MAX_FILE_SIZE,
  formatSize,
  parseSize,
  SIZE_PATTERN,
  type YamlLimits,
} from '../overlays/yaml/bounded.js';

// The one schema source: the TypeScript types (z.output), the validation (loader) and
// policies/schema.json (scripts/gen-schema.ts) all come from these definitions.

const NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i;
const NAME_MESSAGE =
  'a name of letters, digits, ".", "_" and "-" that starts and ends with a letter or digit, e.g. checkout or staging-eu';
const name = (what: string) => z.string().regex(NAME, `${what}: ${NAME_MESSAGE}`);

/** An image name as kustomize's `images[].name` holds it: registry, optional :port, path; {{service}} allowed. */
const IMAGE = /^(?=[A-Za-z0-9{])(?:[A-Za-z0-9._/-]|\{\{service\}\}|:[0-9]+(?=\/))+$/;

export const gitopsSchema = z
  .strictObject({
    repository: z
      .string()
      .min(1)
      .describe('owner/name on GitHub; a path or git URL for the CLI; "." for this repository'),
    branch: z.string().min(1).default('main').describe('The GitOps branch Argo CD or Flux syncs from.'),
    mode: z
      .enum(['push', 'pull-request'])
      .default('push')
      .describe('push: commit to the branch; pull-request: open a PR into it.'),
  })
  .describe('Where promotions are committed.');

export const serviceSchema = z
  .strictObject({
    image: z
      .string()
      .regex(
        IMAGE,
        'an image name such as ghcr.io/acme/checkout or localhost:5000/checkout (letters, digits, ".", "_", "-", "/", a registry :port; no tag, spaces or ";")',
      )
      .optional()
      .describe('The image name as written in kustomization `images[].name`. Defaults to the service name.'),
    tag: z
      .string()
      .optional()
      .describe('How a pull request build is tagged, for /promote from a PR, e.g. "sha-{{sha7}}".'),
  })
  .describe('A deployable and the image it ships.');

export const canarySchema = z
  .strictObject({
    traffic: z
      .strictObject({
        kind: z.string().describe('Traffic provider: gateway-api, istio, ingress-nginx, smi, path.'),
        file: z.string().describe('The manifest holding the weights, relative to the overlay folder.'),
        route: z.string().optional().describe('Route (or object) name when the file holds several.'),
      })
      .passthrough(),
    steps: z.array(z.number().min(0).max(100)).min(1).describe('Traffic percentages, e.g. [5, 25, 50, 100].'),
    interval: z.string().optional().describe('Minimum time between steps, e.g. 30m.'),
  })
  .describe('How a canary advances in this environment.');

export const environmentSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe('Folder holding the kustomization, with {{service}} for the service name.'),
    after: z.string().optional().describe('The environment that must run a version before this one may.'),
    gates: z.array(z.string()).default([]).describe('Names of gates (under `gates:` or policies/*.yaml).'),
    services: z.array(z.string()).optional().describe('Services deployed here; all services when absent.'),
    canary: canarySchema.optional(),
  })
  .describe('A stage of the pipeline.');

/** `gates.<name>` holds exactly one key: the gate kind, whose value is that kind's config. */
export const gateEntrySchema = z
  .union(Object.values(GATE_KINDS).map((g) => z.strictObject({ [g.kind]: g.schema }).describe(g.description)))
  .describe('One gate: a single key naming its kind.');

export const gatesSchema = z.record(name('gate name'), gateEntrySchema);

export const limitsSchema = z
  .strictObject({
    maxFileSize: z
      .union([
        z.int().positive(),
        z.string().regex(SIZE_PATTERN, 'a size such as 16MB, 512KB or a number of bytes'),
      ])
      .optional()
      .describe(
        `Largest YAML file rollgate reads from the GitOps repository (overlays, traffic files), e.g. 32MB; default ${formatSize(DEFAULT_MAX_FILE_SIZE)}. A larger file is refused, with its size, before it is parsed.`,
      ),
  })
  .describe('Bounds on what rollgate reads.');

export const configSchema = z
  .strictObject({
    version: z.literal(1).describe('Config format version: 1.'),
    gitops: gitopsSchema,
    services: z.record(name('service name'), serviceSchema).refine((s) => Object.keys(s).length > 0, {
      message: 'name at least one service',
    }),
    environments: z.record(name('environment name'), environmentSchema),
    gates: gatesSchema.default({}),
    limits: limitsSchema.optional(),
  })
  .describe('rollgate configuration (.github/rollgate.yaml)');

/** A policies/*.yaml file: gates only. */
export const policyFileSchema = z.strictObject({ gates: gatesSchema }).describe('rollgate gate policies');

export type GitOpsConfig = z.output<typeof gitopsSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type LimitsConfig = z.output<typeof limitsSchema>;

/** The YAML limits a config sets (limits.maxFileSize), with the defaults for what it leaves out. */
export function yamlLimitsOf(config: { readonly limits?: LimitsConfig | undefined }): YamlLimits {
  const size = config.limits?.maxFileSize;
  return { maxFileSize: size === undefined ? DEFAULT_MAX_FILE_SIZE : parseSize(size) };
}

export interface GateConfig {
  readonly name: string;
  readonly kind: string;
  readonly config: unknown;
  /** Where the gate was defined, for messages. */
  readonly file: string;
}

export interface Config {
  readonly version: 1;
  readonly gitops: GitOpsConfig;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
  readonly gates: Readonly<Record<string, GateConfig>>;
  readonly limits?: LimitsConfig;
  /** The file the config was read from, and its folder (the base for a relative gitops.repository). */
  readonly file: string;
}
