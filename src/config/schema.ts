import { z } from 'zod';
import { DURATION_PATTERN } from '../core/duration.js';
import { REFINEMENTS } from './shape.js';
import { GATE_SCHEMAS } from '../gates/schemas.js';
import { DEFAULT_MAX_FILE_SIZE, formatSize, SIZE_PATTERN } from '../overlays/yaml/bounded.js';
import { TRAFFIC_KINDS } from '../overlays/traffic/registry.js';

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

const duration = (what: string) =>
  z.string().regex(DURATION_PATTERN, 'a duration such as 90s, 10m, 1h').describe(what);

export const canaryStepSchema = z
  .union([
    z.number().int().min(0).max(100).describe('A traffic percentage held for `canary.interval`.'),
    z
      .strictObject({
        weight: z.number().int().min(0).max(100).describe('Traffic percentage for the canary.'),
        interval: duration('How long this step holds (overrides canary.interval).').optional(),
      })
      .describe('A step with its own hold.'),
  ])
  .describe('One canary step: a percentage, or { weight, interval }.');

export const canaryTrafficSchema = z
  .strictObject({
    kind: z
      .enum(TRAFFIC_KINDS)
      .describe(
        'Traffic provider: gateway-api, istio, ingress-nginx, smi, or path (any scalar, with `path`).',
      ),
    file: z
      .string()
      .min(1)
      .describe(
        "The manifest holding the weights, relative to the environment's overlay folder; {{service}} allowed.",
      ),
    route: z
      .string()
      .min(1)
      .optional()
      .describe('Route (or object, or rule) name when the file holds several; {{service}} allowed.'),
    canaryBackend: z
      .string()
      .min(1)
      .optional()
      .describe('The backend that receives canary traffic, e.g. "{{service}}-canary"; {{service}} allowed.'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe('For kind path: the YAML path of the weight, e.g. spec.rules[0].backendRefs[1].weight.'),
  })
  .describe('Where the canary weight is written.');

export const shadowSchema = z
  .strictObject({
    percent: z
      .number()
      .gt(0)
      .max(100)
      .describe(
        'Share of requests copied to the canary (answers dropped), e.g. 10 or 0.5; Istio mirrorPercentage, Gateway API RequestMirror percent (fraction below 1%).',
      ),
    duration: duration('How long the shadow stage lasts before the first step, e.g. 15m.'),
    analysis: z
      .array(z.string())
      .default([])
      .describe("Gates judged over the shadow window (e.g. the canary's error rate on mirrored requests)."),
  })
  .describe(
    'A stage before the first step: mirror a share of the traffic to the canary (Istio or Gateway API only). Mirrored writes run twice: see docs/shadow.md.',
  );

export const canarySchema = z
  .strictObject({
    image: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The images[].name the canary workload uses in the same overlay, e.g. "{{service}}-canary". Give this or `path`.',
      ),
    path: z
      .string()
      .min(1)
      .optional()
      .describe('A separate overlay folder for the canary workload, with {{service}}. Give this or `image`.'),
    traffic: canaryTrafficSchema,
    steps: z
      .array(canaryStepSchema)
      .min(1)
      .describe(
        'Canary weights in rising order, e.g. [5, 25, 50] or [{ weight: 5, interval: 10m }]; a final 100 is allowed.',
      ),
    interval: duration('Default hold of each step (a minimum: ticks run on a schedule), e.g. 30m.').default(
      '30m',
    ),
    analysis: z
      .array(z.string())
      .default([])
      .describe('Gates judged at every tick over the current step window (metric or slo gates).'),
    analysisDelay: duration(
      "Time after a step's commit before its analysis window opens (GitOps sync and scrape).",
    ).default('1m'),
    warmup: duration(
      'When set, the first commit sets the canary image at weight 0 and the first weight waits this long.',
    ).optional(),
    replicas: z
      .union([
        z.number().int().min(0),
        z.strictObject({
          name: z
            .string()
            .min(1)
            .describe('The canary workload (kustomize replicas[].name), {{service}} allowed.'),
          count: z.number().int().min(0).describe('Replicas while a rollout runs.'),
        }),
      ])
      .optional()
      .describe(
        'Canary replicas while a rollout runs (0 when idle); a count for the workload "{{service}}-canary", or { name, count }.',
      ),
    onFailure: z
      .enum(['rollback', 'pause'])
      .default('rollback')
      .describe('What a failing analysis does: roll back at once, or pause for a person.'),
    verify: z
      .strictObject({
        duration: duration('How long the promoted version is watched before it becomes the stable version.'),
        analysis: z.array(z.string()).default([]).describe('Gates judged over the verify window.'),
      })
      .optional()
      .describe('After the promotion: a watch before the version counts as stable.'),
    shadow: shadowSchema.optional(),
  })
  .describe('How a canary advances in this environment (progressive delivery through git).');

const colourSchema = (colour: string) =>
  z
    .strictObject({
      image: z
        .string()
        .min(1)
        .optional()
        .describe(
          `The images[].name of the ${colour} workload in the environment's overlay, e.g. "{{service}}-${colour}". Give this or \`path\`.`,
        ),
      path: z
        .string()
        .min(1)
        .optional()
        .describe(
          `A separate overlay folder for the ${colour} workload (its images[] entry is the service's image), {{service}} allowed.`,
        ),
      workload: z
        .string()
        .min(1)
        .optional()
        .describe(
          `The ${colour} workload's kustomize replicas[].name (default: image, else the service name); {{service}} allowed.`,
        ),
    })
    .describe(`Where the ${colour} workload is.`);

export const blueGreenSchema = z
  .strictObject({
    blue: colourSchema('blue'),
    green: colourSchema('green'),
    traffic: z
      .strictObject({
        kind: z
          .enum(['gateway-api', 'istio', 'smi', 'service'])
          .describe(
            'gateway-api, istio or smi (two weighted backends, 100/0), or service (a Service selector).',
          ),
        file: z
          .string()
          .min(1)
          .describe(
            "The manifest that points at one colour, relative to the environment's overlay; {{service}} allowed.",
          ),
        route: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Route (or object, or rule) name when the file holds several; for kind service the Service name (default {{service}}).',
          ),
        selector: z
          .string()
          .min(1)
          .optional()
          .describe(
            'For kind service: the selector label that names the colour, e.g. app.kubernetes.io/color.',
          ),
        blue: z
          .string()
          .min(1)
          .describe(
            'The blue backend name (weights), or the selector value (kind service); {{service}} allowed.',
          ),
        green: z
          .string()
          .min(1)
          .describe(
            'The green backend name (weights), or the selector value (kind service); {{service}} allowed.',
          ),
      })
      .describe('What points the traffic at one colour.'),
    preview: z
      .strictObject({
        duration: duration('How long the new colour is judged at 0% before the switch.'),
        analysis: z
          .array(z.string())
          .default([])
          .describe('Gates judged over the preview window (a smoke query, a preview route).'),
      })
      .optional()
      .describe('Before the switch: the new colour runs, with no user traffic, and is judged.'),
    autoPromote: z
      .boolean()
      .default(true)
      .describe('false: after the preview, wait for /advance (rollgate advance) to switch.'),
    verify: z
      .strictObject({
        duration: duration('How long the switched version is watched before it becomes the stable version.'),
        analysis: z.array(z.string()).default([]).describe('Gates judged over the verify window.'),
      })
      .optional()
      .describe('After the switch: a watch before the version counts as stable (a failure switches back).'),
    scaleDownDelay: duration(
      'How long the old colour keeps running after the switch (a switch-back is one commit meanwhile).',
    ).default('30s'),
    scaleDown: z
      .boolean()
      .default(true)
      .describe('false: the old colour keeps its replicas after the switch.'),
    replicas: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Replicas of a running colour: the idle colour is scaled up to this for a preview (needed with scaleDown).',
      ),
    readiness: z
      .array(z.string())
      .default([])
      .describe(
        'Gates that say the new colour is ready (e.g. a kube-state-metrics query); judged with the preview, before the switch.',
      ),
    analysisDelay: duration(
      'Time after a commit before its analysis window opens (GitOps sync and scrape).',
    ).default('1m'),
    onFailure: z
      .enum(['rollback', 'pause'])
      .default('rollback')
      .describe('What a failing analysis does: switch back / roll back at once, or pause for a person.'),
  })
  .describe(
    'Blue-green delivery: two workloads, one takes all traffic; a promotion deploys to the idle one, then switches (docs/blue-green.md).',
  );

export const flagRolloutSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .describe(
        'The file defining the flag, from the GitOps repository root: a flagd JSON or YAML file, a ConfigMap holding one as a literal block, or a FeatureFlag resource.',
      ),
    flag: z.string().min(1).optional().describe('The flag key in that file; defaults to the rollout name.'),
    variant: z.string().min(1).describe('The variant rolled out (listed first in the fractional rule).'),
    steps: z
      .array(canaryStepSchema)
      .min(1)
      .describe(
        'Shares of users for the variant in rising order, e.g. [5, 25, 50] or [{ weight: 5, interval: 1h }].',
      ),
    interval: duration('Default hold of each step, e.g. 30m.').default('30m'),
    analysis: z
      .array(z.string())
      .default([])
      .describe('Gates judged at every tick over the current step window.'),
    analysisDelay: duration(
      "Time after a step's commit before its analysis window opens (sync, reload, scrape).",
    ).default('1m'),
    onFailure: z
      .enum(['rollback', 'pause'])
      .default('rollback')
      .describe("What a failing analysis does: the variant's share back to 0 (with a hold), or pause."),
    verify: z
      .strictObject({
        duration: duration('How long the promoted variant is watched before it counts as stable.'),
        analysis: z.array(z.string()).default([]).describe('Gates judged over the verify window.'),
      })
      .optional()
      .describe(
        'After the promotion (share 100, defaultVariant := variant): a watch before it counts as stable.',
      ),
  })
  .describe(
    'A feature-flag rollout: the share of users served the variant rises step by step (docs/flags.md).',
  );

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
    blueGreen: blueGreenSchema.optional(),
    flags: z
      .record(name('flag rollout name'), flagRolloutSchema)
      .optional()
      .describe(
        'Feature-flag rollouts of this environment, by name: `promote <env> --flag NAME` starts one.',
      ),
  })
  .describe('A stage of the pipeline.');

/** `gates.<name>` holds exactly one key: the gate kind, whose value is that kind's config. */
export const gateEntrySchema = z
  .union(
    Object.values(GATE_SCHEMAS).map((g) => z.strictObject({ [g.kind]: g.schema }).describe(g.description)),
  )
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

/** Events a notification target may ask for: what a promotion or a rollout action did. */
export const NOTIFY_EVENTS = [
  'started',
  'stepped',
  'paused',
  'promoted',
  'verified',
  'rolled-back',
  'denied',
] as const;

/** A `${NAME}` reference: secrets (webhook URLs, auth headers) come from the environment only. */
const ENV_REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/;
const secret = (what: string, example: string) =>
  z
    .string()
    .min(1)
    .regex(
      ENV_REFERENCE,
      `${what} is a secret: write a \${NAME} reference (e.g. "${example}") and set the variable in the job's environment; a literal value would be committed and printed`,
    );

const notifyCommon = {
  events: z
    .array(z.enum(NOTIFY_EVENTS))
    .min(1)
    .optional()
    .describe(`Events sent to this target (${NOTIFY_EVENTS.join(', ')}); all when absent.`),
  environments: z
    .array(z.string())
    .optional()
    .describe('Only events of these environments; all when absent.'),
  timeout: duration('How long one delivery may take before it is given up (a warning), e.g. 5s.').default(
    '5s',
  ),
};

export const notifyTargetSchema = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('slack').describe('A Slack incoming webhook.'),
        url: secret('the Slack webhook URL', '${SLACK_WEBHOOK_URL}').describe(
          'The incoming webhook URL as a ${NAME} reference, e.g. "${SLACK_WEBHOOK_URL}".',
        ),
        ...notifyCommon,
      })
      .describe('A Slack incoming webhook: one message per event.'),
    z
      .strictObject({
        kind: z.literal('webhook').describe('A generic JSON webhook (POST).'),
        url: secret('the webhook URL', '${DEPLOY_HOOK_URL}').describe(
          'The URL to POST to, with a ${NAME} reference for its secret.',
        ),
        headers: z
          .record(
            z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'),
            secret('a header value', 'Bearer ${HOOK_TOKEN}'),
          )
          .optional()
          .describe('Extra request headers; every value a ${NAME} reference, e.g. "Bearer ${HOOK_TOKEN}".'),
        ...notifyCommon,
      })
      .describe('A generic JSON webhook: one POST of the event as JSON (schema_version 1).'),
  ])
  .describe('One notification target.');

export const notifySchema = z
  .record(name('notification target name'), notifyTargetSchema)
  .describe('Where rollgate tells people what happened: Slack or a JSON webhook, per event.');

export const configSchema = z
  .strictObject({
    version: z.literal(1).describe('Config format version: 1.'),
    gitops: gitopsSchema,
    services: z.record(name('service name'), serviceSchema).refine(REFINEMENTS.nonEmpty, {
      message: 'name at least one service',
    }),
    environments: z.record(name('environment name'), environmentSchema),
    gates: gatesSchema.default({}),
    limits: limitsSchema.optional(),
    notify: notifySchema.optional(),
  })
  .describe('rollgate configuration (.github/rollgate.yaml)');

/** A policies/*.yaml file: gates only. */
export const policyFileSchema = z.strictObject({ gates: gatesSchema }).describe('rollgate gate policies');

// The loader checks the files with their gates opaque first, then each gate alone (for precise
// messages): these are the schemas it checks the files with.
const recordOfUnknown = z.record(z.string(), z.unknown());
export const configShapeSchema = configSchema.extend({ gates: recordOfUnknown.default({}) });
export const policyShapeSchema = policyFileSchema.extend({ gates: recordOfUnknown });

export type GitOpsConfig = z.output<typeof gitopsSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type CanaryConfig = z.output<typeof canarySchema>;
export type CanaryStep = z.output<typeof canaryStepSchema>;
export type FlagRolloutConfig = z.output<typeof flagRolloutSchema>;
export type ShadowConfig = z.output<typeof shadowSchema>;
export type BlueGreenConfig = z.output<typeof blueGreenSchema>;
export type LimitsConfig = z.output<typeof limitsSchema>;
export type NotifyTarget = z.output<typeof notifyTargetSchema>;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

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
  readonly notify?: Readonly<Record<string, NotifyTarget>>;
  /** The file the config was read from, and its folder (the base for a relative gitops.repository). */
  readonly file: string;
}
