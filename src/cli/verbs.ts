import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfigFile } from '../config/load-file.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { evaluate, type Evaluation } from '../core/pipeline.js';
import { checkTarget, parseVersion } from '../core/request.js';
import type { FileEdit, PromotionRequest } from '../core/types.js';
import { gateInputsFor } from '../facts/fetchers.js';
import { openGitStore } from '../gitops/git-cli.js';
import type { GitOpsStore } from '../core/store.js';
import { parseOptions } from './args.js';
import type { COMMON } from './verb-options.js';
import { VERB_OPTIONS } from './verb-options.js';
import { type EarlyClone, gitopsLocation } from './early-clone.js';
import { clockOf, notBeforeHead } from './at.js';
import type { CliIo } from './io.js';
import { cannotPlanLine, decisionLine, gateTable } from './render.js';
import { recognisingStore } from '../core/own-commit.js';
import { cliRunId } from './run-id.js';

export type Options = {
  -readonly [K in keyof typeof COMMON]?: (typeof COMMON)[K] extends { multiple: true }
    ? string[]
    : (typeof COMMON)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export function parse(verb: keyof typeof VERB_OPTIONS, args: readonly string[]) {
  const { values, positionals } = parseOptions(verb, args, VERB_OPTIONS[verb]);
  return { values: values as Options & Record<string, string | boolean | undefined>, positionals };
}

export async function loadConfig(io: CliIo, file: string | undefined): Promise<Config> {
  return loadConfigFile(resolve(io.cwd, file ?? DEFAULT_CONFIG_PATH), io.env);
}

export function targetOf(config: Config, positionals: readonly string[], values: Options) {
  const [environment, ...extra] = positionals;
  if (environment === undefined)
    throw new UsageError('name the environment, e.g. "rollgate check staging --version 1.4.0"');
  if (extra.length > 0)
    throw new UsageError(`unexpected argument "${extra[0]}"; name services with --service`);
  return { environment, services: checkTarget(config, environment, values.service ?? []) };
}

/** Who asks: --requested-by, else the first of $ROLLGATE_ACTOR, $GITHUB_ACTOR, $USER that is set; never made up. */
export function requesterOf(values: Options, io: CliIo): string {
  const given = values['requested-by'];
  if (given !== undefined) {
    if (given.trim() === '') throw new UsageError('--requested-by needs a name: write --requested-by USER');
    return given.trim();
  }
  const fromEnv = [io.env.ROLLGATE_ACTOR, io.env.GITHUB_ACTOR, io.env.USER].find(
    (v): v is string => v !== undefined && v.trim() !== '',
  );
  if (fromEnv === undefined)
    throw new UsageError(
      'who asks? none of $ROLLGATE_ACTOR, $GITHUB_ACTOR or $USER is set, and the verdicts and the Rollgate-Requested-By trailer must name someone: pass --requested-by USER',
    );
  return fromEnv.trim();
}

export function buildRequest(
  config: Config,
  positionals: readonly string[],
  values: Options,
  io: CliIo,
  dryRun: boolean,
): PromotionRequest {
  const { environment, services } = targetOf(config, positionals, values);
  if (values.version === undefined)
    throw new UsageError('--version is required (a tag, a digest, or tag@digest)');
  const requestedBy = requesterOf(values, io);
  return {
    environment,
    services,
    version: parseVersion(values.version),
    requestedBy,
    source: values.source ?? 'rollgate CLI',
    // --requested-by and --label are the operator's word: nothing on the CLI can check them.
    identity: 'asserted',
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
    ...(values.label !== undefined ? { labels: values.label } : {}),
    ...(values['approved-by'] !== undefined ? { approvedBy: values['approved-by'] } : {}),
    ...(dryRun ? { dryRun } : {}),
    runId: cliRunId(),
  };
}

export async function withStore<T>(
  config: Config,
  values: Options,
  io: CliIo,
  use: (store: GitOpsStore) => Promise<T>,
  early?: EarlyClone,
): Promise<T> {
  const repository = gitopsLocation(values.gitops ?? config.gitops.repository, io.cwd);
  const branch = config.gitops.branch;
  const store = await (early?.take(repository, branch) ?? openGitStore({ repository, branch }));
  try {
    // A what-if time earlier than the history it reads is refused before anything is judged.
    const at = values.at === undefined ? undefined : clockOf(values.at)();
    // A push whose answer was lost (it failed, yet the remote moved) is recognised as this
    // invocation's commit by its Rollgate-Run trailer. A refused lease is someone else's commit:
    // git's push is not retried underneath, so `moved` never hides our own.
    return await use(recognisingStore(at === undefined ? store : notBeforeHead(store, at)));
  } finally {
    await store.close();
  }
}

export async function runValidate(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('validate', args);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const config = await loadConfig(io, values.config);
  const gates = Object.values(config.gates);
  io.stdout(
    `${config.file}: valid. ${Object.keys(config.environments).length} environments (${Object.keys(config.environments).join(' -> ')}), ` +
      `${Object.keys(config.services).length} services, ${gates.length} gates (${gates.map((g) => `${g.name}:${g.kind}`).join(', ')})`,
  );
  return 0;
}

/** Renders an edit as a unified diff; loaded only by plan, so check does not load the diff library. */
export type Differ = (edit: FileEdit) => string;

export async function loadDiffer(): Promise<Differ> {
  return (await import('../report/diff.js')).unifiedDiff;
}

export function printEvaluation(evaluation: Evaluation, io: CliIo, unifiedDiff?: Differ): void {
  io.stdout(gateTable(evaluation.decision));
  // Without a plan there is nothing the gates could allow: one line says so, and what they think.
  if (evaluation.planError) io.stdout(cannotPlanLine(evaluation.decision, evaluation.planError.message));
  else io.stdout(decisionLine(evaluation.decision));
  if (unifiedDiff !== undefined && evaluation.plan) {
    if (evaluation.plan.edits.length === 0)
      io.stdout('plan: nothing to change, the version is already in place');
    for (const edit of evaluation.plan.edits) io.stdout(unifiedDiff(edit));
  }
}

export function planJson(evaluation: Evaluation, unifiedDiff: Differ) {
  return {
    edits: (evaluation.plan?.edits ?? []).map((e) => ({
      path: e.path,
      descriptions: e.descriptions,
      diff: unifiedDiff(e),
    })),
    ...(evaluation.planError ? { error: evaluation.planError } : {}),
  };
}

/** check and plan: read the GitOps head once, judge and plan, write nothing. */
async function evaluateArgs(
  verb: 'check' | 'plan',
  args: readonly string[],
  io: CliIo,
  early: EarlyClone | undefined,
) {
  const { values, positionals } = parse(verb, args);
  const config = await loadConfig(io, values.config);
  const request = buildRequest(config, positionals, values, io, false);
  const clock = clockOf(values.at);
  const evaluation = await withStore(
    config,
    values,
    io,
    (store) =>
      evaluate(config, request, {
        store,
        clock,
        extraFacts: gateInputsFor(config, request.environment, { env: io.env }),
      }),
    early,
  );
  return { values, evaluation };
}

export async function runCheck(args: readonly string[], io: CliIo, early?: EarlyClone): Promise<number> {
  const { values, evaluation } = await evaluateArgs('check', args, io, early);
  if (values.json) io.stdout(JSON.stringify(evaluation.decision, null, 2));
  else printEvaluation(evaluation, io);
  if (evaluation.planError) {
    if (values.json) io.stderr(`cannot plan: ${evaluation.planError.message}`);
    return 2;
  }
  return evaluation.decision.allowed ? 0 : 1;
}

export async function runPlan(args: readonly string[], io: CliIo, early?: EarlyClone): Promise<number> {
  const { values, evaluation } = await evaluateArgs('plan', args, io, early);
  const unifiedDiff = await loadDiffer();
  if (values.json)
    io.stdout(JSON.stringify({ ...evaluation.decision, plan: planJson(evaluation, unifiedDiff) }, null, 2));
  else printEvaluation(evaluation, io, unifiedDiff);
  if (evaluation.planError) return 2;
  return evaluation.decision.allowed ? 0 : 1;
}
