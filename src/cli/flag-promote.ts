import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { startFlagRollout } from '../core/flag-start.js';
import { gateInputsFor } from '../facts/fetchers.js';
import { flagStartEvents } from '../notify/events.js';
import { unifiedDiff } from '../report/diff.js';
import type { CliIo } from './io.js';
import { notifyCli } from './notify.js';
import { gateTable } from './render.js';
import { cliAnalysis, writingClock } from './rollout-verbs.js';
import { cliRunId } from './run-id.js';
import { requesterOf, withStore } from './verbs.js';

// `rollgate promote <env> --flag NAME [--reason TEXT] [--dry-run]`: starts the feature-flag rollout
// environments.<env>.flags.NAME (src/core/flag-start.ts); `rollgate tick` advances it.

type Values = Parameters<typeof requesterOf>[0] &
  Parameters<typeof withStore>[1] & {
    at?: string;
    'simulate-clock'?: boolean | string;
    'dry-run'?: boolean | string;
    json?: boolean | string;
    flag?: string[];
  };

export async function runFlagPromote(
  config: Config,
  positionals: readonly string[],
  values: Values,
  io: CliIo,
): Promise<number> {
  const [environment, ...extra] = positionals;
  if (environment === undefined)
    throw new UsageError('name the environment, e.g. "rollgate promote production --flag new-checkout"');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (config.environments[environment] === undefined)
    throw new UsageError(
      `no environment named "${environment}"; environments: ${Object.keys(config.environments).join(', ')}`,
    );
  if (values.version !== undefined || (values.service ?? []).length > 0)
    throw new UsageError(
      '--flag starts a flag rollout: the variant comes from environments.<env>.flags; drop --version and --service',
    );
  const flags = values.flag ?? [];
  if (flags.length !== 1) throw new UsageError('name one flag rollout: --flag NAME');
  const flag = flags[0] as string;
  const clock = writingClock(values, 'promote');
  const requestedBy = requesterOf(values, io);
  const report = await withStore(config, values, io, (store) =>
    startFlagRollout(
      config,
      {
        store,
        clock: clock.clock,
        simulatedClock: clock.simulated,
        analysis: cliAnalysis(io),
        extraFacts: gateInputsFor(config, environment, { env: io.env }),
        // The commit names this invocation (Rollgate-Run): a push whose answer was lost is
        // recognised as this start by withStore, as a promotion's is.
        runId: cliRunId(),
      },
      {
        environment,
        flag,
        requestedBy,
        source: values.source ?? 'rollgate CLI',
        identity: 'asserted',
        ...(values.reason !== undefined ? { reason: values.reason } : {}),
        ...(values.label !== undefined ? { labels: values.label } : {}),
        ...(values['approved-by'] !== undefined ? { approvedBy: values['approved-by'] } : {}),
        ...(values['dry-run'] === true ? { dryRun: true } : {}),
      },
    ),
  );
  // started or denied to the config's notify: targets (a dry run tells nobody); a failure only warns.
  const notify = () =>
    values['dry-run'] === true
      ? Promise.resolve()
      : notifyCli(
          config,
          flagStartEvents(report, {
            requestedBy,
            ...(values.reason !== undefined ? { reason: values.reason } : {}),
          }),
          io,
        );
  if (values.json === true) {
    io.stdout(JSON.stringify(report, null, 2));
    await notify();
    return report.exitCode;
  }
  if (report.decision !== undefined) io.stdout(gateTable(report.decision));
  const what = `flag ${flag} variant ${report.variant ?? '?'} -> ${environment}`;
  if (report.result === 'denied') io.stdout(`DENIED   ${what}`);
  else if (report.decision !== undefined) io.stdout(`ALLOWED  ${what}`);
  for (const edit of report.edits ?? []) io.stdout(unifiedDiff(edit));
  const line =
    report.commit !== undefined
      ? `committed ${report.commit.slice(0, 12)}: ${report.message}`
      : report.message;
  if (report.exitCode >= 2) io.stderr(line);
  else io.stdout(line);
  await notify();
  return report.exitCode;
}
