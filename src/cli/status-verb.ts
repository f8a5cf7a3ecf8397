import { isLanding, landingsFromState } from '../core/landing.js';
import { readHistory } from '../core/history-read.js';
import {
  type FlagRolloutStatus,
  flagRolloutStatuses,
  rolloutStatus,
  statusPaths,
} from '../core/rollout-status.js';
import { runningVersions } from '../core/running.js';
import { pipelineStatus } from '../core/status.js';
import { UsageError } from '../core/errors.js';
import type { ServingWorkload } from '../strategies/strategy.js';
import type { CliIo } from './io.js';
import { loadConfig, parse, withStore } from './verbs.js';

// `rollgate status`, in its own module: check and plan (verbs.ts) do not load it.

export async function runStatus(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('status', args);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const config = await loadConfig(io, values.config);
  const services = Object.keys(config.services);
  const { rows, flags } = await withStore(config, values, io, async (store) => {
    // Overlays and state files in one read; the history only where no state file answers.
    const snapshot = await store.read(statusPaths(config));
    const running = runningVersions(config, services, snapshot.files);
    const needs = Object.entries(running).flatMap(([environment, versions]) =>
      Object.entries(versions).map(([service, version]) => ({ environment, service, version })),
    );
    const landings = await landingsFromState(store, snapshot.head, config, snapshot.files, running, needs);
    const history = [
      ...landings.entries,
      ...(await readHistory(store, snapshot.head, landings.rest)).filter(isLanding),
    ];
    return {
      rows: pipelineStatus(config, snapshot.files, history).map((row) => ({
        ...row,
        ...rolloutStatus(config, row.environment, row.service, snapshot.files),
      })),
      // Flag rollouts from their state files, in the same read.
      flags: flagRolloutStatuses(config, snapshot.files),
    };
  });
  // An overlay that exists but cannot be read is a problem to fix, not a blank: exit 2 and say why.
  const unreadable = [...rows, ...flags].filter((r) => r.problem !== undefined);
  if (values.json) {
    io.stdout(JSON.stringify({ schema_version: 1, environments: rows, flags }, null, 2));
    return unreadable.length > 0 ? 2 : 0;
  }
  const table = [
    ['ENVIRONMENT', 'SERVICE', 'VERSION', 'STABLE', 'SINCE', 'ROLLOUT'],
    ...rows.map((r) => [
      r.environment,
      r.service,
      r.version === undefined
        ? r.problem
          ? '?'
          : '-'
        : `${r.version}${liveOf(r.workloads) !== undefined ? ` on ${liveOf(r.workloads)?.name ?? ''}` : ''}`,
      r.stable ?? '-',
      r.since ?? '-',
      r.rollout === undefined
        ? '-'
        : `${r.rollout.version} ${r.rollout.phase}${r.rollout.active ? ` step ${r.rollout.step}/${r.rollout.steps} at ${r.rollout.weight}% since ${r.rollout.since}` : ''}`,
    ]),
  ];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const r of table) io.stdout(`  ${r.map((c, i) => (i < 5 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`);
  for (const r of rows) {
    const where = `  ${r.environment}/${r.service}:`;
    if (r.workloads !== undefined) io.stdout(`${where} ${workloadsLine(r.workloads)}`);
    if (r.rollout?.active && r.rollout.nextEligibleAt)
      io.stdout(`${where} next eligible ${r.rollout.nextEligibleAt}`);
    if (r.rollout?.analysis) io.stdout(`${where} last analysis ${r.rollout.analysis}`);
    for (const h of r.holds)
      io.stdout(`${where} ${h.version} held since ${h.at} (${h.reason}); promote --reason lifts it`);
    if (r.drift.length > 0) io.stdout(`${where} drift: ${r.drift.join('; ')}`);
    if (r.problem) io.stderr(`${where} ${r.problem}`);
  }
  if (flags.length > 0) printFlagStatus(flags, io);
  return unreadable.length > 0 ? 2 : 0;
}

const liveOf = (workloads: readonly ServingWorkload[] | undefined) => workloads?.find((w) => w.live);

/** Blue-green: `green 1.5.0 live (4 replicas); blue 1.4.0 idle (0 replicas)`. */
function workloadsLine(workloads: readonly ServingWorkload[]): string {
  return [...workloads]
    .sort((a, b) => Number(b.live) - Number(a.live))
    .map(
      (w) =>
        `${w.name} ${w.version ?? '(no version)'} ${w.live ? 'live' : 'idle'}${w.replicas !== undefined ? ` (${w.replicas} replicas)` : ''}`,
    )
    .join('; ');
}

/** The flag rollouts' table: environment, flag, variant, phase, step, share. */
function printFlagStatus(flags: readonly FlagRolloutStatus[], io: CliIo): void {
  const table = [
    ['ENVIRONMENT', 'FLAG', 'VARIANT', 'PHASE', 'STEP', 'SHARE'],
    ...flags.map((f) => [
      f.environment,
      f.flag,
      f.variant,
      f.rollout?.phase ?? (f.problem ? '?' : '-'),
      f.rollout !== undefined ? `${f.rollout.step}/${f.rollout.steps}` : '-',
      f.rollout !== undefined ? `${f.rollout.weight}%` : '-',
    ]),
  ];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  io.stdout('');
  for (const r of table) io.stdout(`  ${r.map((c, i) => (i < 5 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`);
  for (const f of flags) {
    const where = `  ${f.environment}/flags/${f.flag}:`;
    if (f.rollout?.active && f.rollout.nextEligibleAt)
      io.stdout(`${where} next eligible ${f.rollout.nextEligibleAt}`);
    if (f.rollout?.analysis) io.stdout(`${where} last analysis ${f.rollout.analysis}`);
    for (const h of f.holds)
      io.stdout(`${where} ${h.version} held since ${h.at} (${h.reason}); promote --flag --reason lifts it`);
    if (f.drift.length > 0) io.stdout(`${where} drift: ${f.drift.join('; ')}`);
    if (f.problem) io.stderr(`${where} ${f.problem}`);
  }
}
