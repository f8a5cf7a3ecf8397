import type { Config } from '../config/schema.js';
import { heldVersions } from './hold.js';
import { readHistory } from './history-read.js';
import type { PipelineDeps, PromotionOutcome } from './pipeline.js';
import { type ExtraOutcome, type ExtraWrite, togetherPaths, writeTogether } from './promote-together.js';
import { parseVersion } from './request.js';
import { rolloutGroupMessage, type RolloutMessageInput } from './rollout-message.js';
import { rollbackTarget } from './rollback.js';
import { abortPaths, planAbort, type RolloutProblem, type RolloutResult } from './rollout-run.js';
import { runningPaths, runningVersions } from './running.js';
import type { PromotionRequest } from './types.js';

// `rollback <env>` of several services, CLI and Action alike: one read of the GitOps head (overlays,
// traffic files, state files), then one commit for every service. A service whose rollout is under
// way is aborted (back to the stable version, with a hold: DESIGN.md "rollback on an active rollout
// is abort"); every other one goes back to the version it ran before its current one, from the
// history (never a held one). Services going back to different versions, and aborts beside plain
// rollbacks, still make one commit (promote-together.ts), with one Rollgate-Service /
// Rollgate-Version line pair per service.

export interface RollbackAsk {
  readonly environment: string;
  /** The services to roll back (checked against the config by the caller). */
  readonly services: readonly string[];
  /**
   * None was named: when some of `services` roll out, only those are rolled back (aborted), as
   * `/rollback <env>` on an active rollout is `/abort <env>`; else all of them.
   */
  readonly rolloutsFirst?: boolean;
  readonly requestedBy: string;
  readonly source: string;
  readonly identity?: PromotionRequest['identity'];
  readonly labels?: readonly string[];
  readonly reason?: string;
  readonly runId?: string;
  readonly dryRun?: boolean;
  /** Write nothing when a service has no earlier version to go back to (the Action's rule). */
  readonly requireAll?: boolean;
}

/** An abort written in the rollback's commit, with its report. */
interface AbortWrite extends ExtraWrite {
  readonly result: RolloutResult;
  readonly part: RolloutMessageInput;
}

export interface RollbackTarget {
  readonly service: string;
  readonly running: string | undefined;
  readonly version: string;
  /** The commit that last put that version in place (from the history). */
  readonly sha?: string;
  /** Where the version was found otherwise (blue-green: `the idle blue colour`). */
  readonly from?: string;
}

export interface RollbackResult {
  /** The rollouts aborted (with the commit when it was written). */
  readonly aborts: readonly RolloutResult[];
  readonly abortOutcome: ExtraOutcome;
  /** Where each plainly rolled-back service goes. */
  readonly targets: readonly RollbackTarget[];
  /** The plain rollbacks, one request per version they go back to, and their outcomes. */
  readonly requests: readonly PromotionRequest[];
  readonly outcomes: readonly PromotionOutcome[];
  /** Services with no earlier version to go back to (nothing written for them). */
  readonly missing: readonly { readonly service: string; readonly running: string | undefined }[];
  readonly problems: readonly RolloutProblem[];
}

/** Every file a rollback of `services` reads: overlays and state files, and rollouts' traffic files. */
export function rollbackPaths(config: Config, environment: string, services: readonly string[]): string[] {
  return [
    ...new Set([
      ...togetherPaths(config, [{ environment, services, requestedBy: '', source: '' }]),
      ...abortPaths(config, environment, services),
      ...runningPaths(config, services),
    ]),
  ];
}

export async function rollbackTogether(
  config: Config,
  ask: RollbackAsk,
  deps: PipelineDeps,
): Promise<RollbackResult> {
  const { environment } = ask;
  const who = {
    requestedBy: ask.requestedBy,
    source: ask.source,
    ...(ask.reason !== undefined ? { reason: ask.reason } : {}),
  };
  const common = {
    environment,
    requestedBy: ask.requestedBy,
    source: ask.source,
    kind: 'rollback',
    ...(ask.identity !== undefined ? { identity: ask.identity } : {}),
    ...(ask.labels !== undefined ? { labels: ask.labels } : {}),
    ...(ask.reason !== undefined ? { reason: ask.reason } : {}),
    ...(ask.runId !== undefined ? { runId: ask.runId } : {}),
    ...(ask.dryRun === true ? { dryRun: true } : {}),
  } as const;
  const writerDeps = {
    ...(deps.simulatedClock === true ? { simulatedClock: true } : {}),
    ...(ask.runId !== undefined ? { runId: ask.runId } : {}),
  };
  const rolloutPaths = abortPaths(config, environment, ask.services);
  // One read serves the choice of what to do, the versions, and the commit's first attempt.
  const snapshot = await deps.store.read(rollbackPaths(config, environment, ask.services));
  const now = deps.clock();
  const rolling = ask.services.filter(
    (service) =>
      planAbort(config, environment, service, snapshot.files, now, who, writerDeps).kind !== 'idle',
  );
  const services = ask.rolloutsFirst === true && rolling.length > 0 ? rolling : ask.services;
  const plain = services.filter((s) => !rolling.includes(s));

  const running = runningVersions(config, plain, snapshot.files)[environment] ?? {};
  const held = new Map(plain.map((service) => [service, heldVersions(snapshot.files, environment, service)]));
  const history =
    plain.length === 0
      ? []
      : await readHistory(
          deps.store,
          snapshot.head,
          plain.map((service) => ({
            environment,
            service,
            version: running[service],
            skip: held.get(service) ?? new Set<string>(),
          })),
        );
  const targets: RollbackTarget[] = [];
  const missing: { service: string; running: string | undefined }[] = [];
  const byVersion = new Map<string, string[]>();
  for (const service of plain) {
    // The history's previous version, else (blue-green) the one the idle colour still holds.
    const target = rollbackTarget(config, environment, service, snapshot.files, history, held.get(service));
    if (target === undefined) {
      missing.push({ service, running: running[service] });
      continue;
    }
    targets.push({
      service,
      running: running[service],
      version: target.version,
      ...(target.sha !== undefined ? { sha: target.sha } : {}),
      ...(target.from !== undefined ? { from: target.from } : {}),
    });
    byVersion.set(target.version, [...(byVersion.get(target.version) ?? []), service]);
  }
  if (ask.requireAll === true && missing.length > 0) {
    return {
      aborts: [],
      abortOutcome: { kind: 'none' },
      targets,
      requests: [],
      outcomes: [],
      missing,
      problems: [],
    };
  }
  const requests: PromotionRequest[] = [...byVersion].map(([version, group]) => ({
    ...common,
    services: group,
    version: parseVersion(version),
  }));

  let problems: RolloutProblem[] = [];
  const aborting = services.filter((s) => rolling.includes(s));
  const written = await writeTogether<AbortWrite>(config, requests, deps, snapshot, {
    environment,
    paths: rolloutPaths,
    who: { ...who, ...(ask.runId !== undefined ? { runId: ask.runId } : {}) },
    ...(ask.dryRun === true ? { dryRun: true } : {}),
    // Aborts alone read as `abort` of those services does (one commit, the same trailers).
    message: (writes) =>
      rolloutGroupMessage(
        'abort',
        writes.map((w) => w.part),
      ),
    plan: (files, at) => {
      problems = [];
      return aborting.flatMap((service): AbortWrite[] => {
        const planned = planAbort(config, environment, service, files, at, who, writerDeps);
        if (planned.kind === 'problem') problems.push(planned.problem);
        if (planned.kind !== 'abort') return [];
        return [
          {
            service,
            edits: planned.edits,
            version: planned.result.version,
            running: planned.after.version,
            line: `${service}: ${planned.result.action.message}`,
            message: planned.message,
            part: planned.part,
            result: planned.result,
          },
        ];
      });
    },
  });
  const sha = written.extra.kind === 'committed' ? written.extra.sha : undefined;
  return {
    aborts: written.writes.map((w) => ({ ...w.result, ...(sha !== undefined ? { commit: sha } : {}) })),
    abortOutcome: written.extra,
    targets,
    requests,
    outcomes: written.outcomes,
    missing,
    problems,
  };
}
