import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IoError, UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import type { DeliveryReport } from '../report/delivery.js';
import { buildDeliveryReport } from '../report/delivery-read.js';
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
