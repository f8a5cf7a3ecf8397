import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IoError, UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import type { GitOpsStore } from '../core/store.js';
import { historyEntryOf } from '../core/trailers.js';
import type { HistoryEntry } from '../core/types.js';
import { deliveryReport, type DeliveryReport } from '../report/delivery.js';
import { COLUMNS, row } from '../report/delivery-format.js';
import { deliveryHtml } from '../report/delivery-html.js';
import { deliveryMarkdown } from '../report/delivery-markdown.js';
import { parseOptions } from './args.js';
import { clockOf } from './at.js';
import type { CliIo } from './io.js';
import { loadConfig, withStore } from './verbs.js';

// `rollgate report`: deployment frequency, lead time, change failure rate and time to restore per
// environment and service, from the GitOps history alone (rollgate's trailers), read with the
// store's history stream only as far back as the window needs.

const OPTIONS = {
  config: { type: 'string' },
  gitops: { type: 'string' },
  since: { type: 'string' },
  environment: { type: 'string' },
  at: { type: 'string' },
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  html: { type: 'string' },
} as const;

/** How far before the window the history is read: a rollout that deploys inside it may have started (and recorded its source time) before it. */
export const LOOKBACK_MS = 30 * 86_400_000;

/** Every rollgate entry from the head back to `notBefore` (newest first), through the store's stream. */
export async function readHistorySince(
  store: Pick<GitOpsStore, 'read' | 'history'>,
  notBefore: Date,
): Promise<HistoryEntry[]> {
  const { head } = await store.read([]);
  const entries: HistoryEntry[] = [];
  await store.history(head, (commit) => {
    if (commit.committedAt < notBefore) return 'stop';
    const entry = historyEntryOf(commit);
    if (entry !== undefined) entries.push(entry);
    return 'more';
  });
  return entries;
}

/** The report over the history for `--since` and `--environment`, at `now`. */
export async function buildDeliveryReport(
  store: Pick<GitOpsStore, 'read' | 'history'>,
  options: { readonly now: Date; readonly sinceMs: number; readonly environment?: string },
): Promise<DeliveryReport> {
  const entries = await readHistorySince(
    store,
    new Date(options.now.getTime() - options.sinceMs - LOOKBACK_MS),
  );
  return deliveryReport(entries, options);
}

function text(report: DeliveryReport): string {
  const lines = [
    `delivery report ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)} (${report.days} days)`,
  ];
  if (report.environments.length === 0) lines.push('  no promotion in this window');
  const head = ['ENVIRONMENT', 'SERVICE', ...COLUMNS.map((c) => c.toUpperCase())];
  const rows = report.environments.flatMap((env) => [
    ...env.services.map((s) => [env.environment, s.service, ...row(s)]),
    ...(env.services.length > 1 ? [[env.environment, '(all)', ...row(env)]] : []),
  ]);
  if (rows.length > 0) {
    const table = [head, ...rows];
    const widths = head.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
    for (const r of table)
      lines.push(
        `  ${r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}`,
      );
  }
  const missing = report.environments.reduce((n, e) => n + e.withoutSourceTime, 0);
  if (missing > 0)
    lines.push(
      `  ${missing} deployment(s) have no Rollgate-Source-Time and are left out of lead time (promote with --source-time)`,
    );
  return lines.join('\n');
}

/** `rollgate report [--since 90d] [--environment E] [--json | --markdown | --html FILE]`. */
export async function runReport(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions('report', args, OPTIONS);
  const positionals = parsed.positionals;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const values = {
    config: str(parsed.values.config),
    gitops: str(parsed.values.gitops),
    since: str(parsed.values.since),
    environment: str(parsed.values.environment),
    at: str(parsed.values.at),
    html: str(parsed.values.html),
    json: parsed.values.json === true,
    markdown: parsed.values.markdown === true,
  };
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"; name an environment with --environment`);
  const formats = [values.json === true, values.markdown === true, values.html !== undefined].filter(Boolean);
  if (formats.length > 1) throw new UsageError('choose one of --json, --markdown and --html FILE');
  const since = values.since ?? '90d';
  const sinceMs = parseDuration(since);
  if (sinceMs === undefined || sinceMs <= 0)
    throw new UsageError(`--since "${since}" is not a duration; write e.g. --since 90d, 12w or 36h`);
  const config = await loadConfig(io, values.config);
  const environment = values.environment;
  if (environment !== undefined && config.environments[environment] === undefined)
    throw new UsageError(
      `--environment "${environment}" names no environment; environments: ${Object.keys(config.environments).join(', ')}`,
    );
  const now = clockOf(values.at)();
  const report = await withStore(
    config,
    { ...(values.gitops !== undefined ? { gitops: values.gitops } : {}) },
    io,
    (store) =>
      buildDeliveryReport(store, { now, sinceMs, ...(environment !== undefined ? { environment } : {}) }),
  );
  if (values.json === true) io.stdout(JSON.stringify(report, null, 2));
  else if (values.markdown === true) io.stdout(deliveryMarkdown(report));
  else if (values.html !== undefined) {
    const file = resolve(io.cwd, values.html);
    try {
      await writeFile(file, deliveryHtml(report));
    } catch (err) {
      throw new IoError(`cannot write ${file}: ${(err as Error).message}`);
    }
    io.stdout(`${text(report)}\nwrote ${file}`);
  } else io.stdout(text(report));
  return 0;
}
