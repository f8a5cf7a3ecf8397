import type { Config, NotifyTarget } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { NotificationEvent } from './events.js';
import { NOTIFY_FORMATS, type NotifyFace } from './format.js';

// The HTTP adapter of notifications: one POST per (target, event), all at once, each bounded by
// the target's timeout. Cosmetic by contract: a failure is a warning and never changes the
// outcome of the promotion or tick it reports. Secrets (the URL, header values) are expanded from
// `${NAME}` here, handed to `mask` first, and scrubbed from every message.

/** The part of fetch the sender uses (the global fetch satisfies it; a test may pass its own). */
export type NotifyFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  readonly body: { cancel(): Promise<void> } | null;
}>;

export interface NotifyOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly face: NotifyFace;
  readonly warn: (message: string) => void;
  /** Registers a secret with the log masker (the Action's core.setSecret). */
  readonly mask?: (secret: string) => void;
  readonly fetch?: NotifyFetch;
}

export type Delivery =
  | { readonly target: string; readonly event: string; readonly outcome: 'sent'; readonly status: number }
  | { readonly target: string; readonly event: string; readonly outcome: 'failed'; readonly reason: string };

type Expanded = { ok: true; value: string } | { ok: false; missing: string };

function expand(template: string, env: NotifyOptions['env']): Expanded {
  let missing: string | undefined;
  const value = template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') missing ??= name;
    return v ?? whole;
  });
  return missing !== undefined ? { ok: false, missing } : { ok: true, value };
}

function wants(target: NotifyTarget, event: NotificationEvent): boolean {
  return (
    (target.events === undefined || target.events.includes(event.event)) &&
    (target.environments === undefined || target.environments.includes(event.environment))
  );
}

/** Sends every event to every target that asks for it; resolves when all are sent or given up. */
export async function sendNotifications(
  config: Pick<Config, 'notify'>,
  events: readonly NotificationEvent[],
  options: NotifyOptions,
): Promise<Delivery[]> {
  const targets = Object.entries(config.notify ?? {});
  if (targets.length === 0 || events.length === 0) return [];
  const post: NotifyFetch = options.fetch ?? fetch;
  const jobs: Promise<Delivery>[] = [];
  for (const [name, target] of targets) {
    const chosen = events.filter((e) => wants(target, e));
    if (chosen.length === 0) continue;
    const url = expand(target.url, options.env);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'rollgate' };
    let missing = url.ok ? undefined : url.missing;
    const secrets: string[] = url.ok ? [url.value] : [];
    for (const [header, template] of Object.entries(
      target.kind === 'webhook' ? (target.headers ?? {}) : {},
    )) {
      const value = expand(template, options.env);
      if (!value.ok) missing ??= value.missing;
      else {
        headers[header] = value.value;
        secrets.push(value.value);
      }
    }
    for (const s of secrets) options.mask?.(s);
    const scrub = (text: string) =>
      secrets.reduce((t, s) => (s.length >= 4 ? t.split(s).join('***') : t), text);
    const timeoutMs = parseDuration(target.timeout) ?? 5000;
    for (const event of chosen) {
      const where = `notification "${name}" (${target.kind}) of ${event.event} for ${event.environment}/${event.flag !== undefined ? `flag ${event.flag}` : event.services.join(',')}`;
      if (missing !== undefined || !url.ok) {
        const reason = `environment variable ${missing ?? ''} is not set`;
        options.warn(
          `rollgate: ${where} not sent: ${reason}; set it in the job's environment. This does not change the ${event.event === 'denied' ? 'decision' : 'outcome'}.`,
        );
        jobs.push(Promise.resolve({ target: name, event: event.event, outcome: 'failed', reason }));
        continue;
      }
      const body = JSON.stringify(NOTIFY_FORMATS[target.kind](event, options.face));
      jobs.push(
        deliver(post, url.value, headers, body, timeoutMs).then((result): Delivery => {
          if (result.ok) return { target: name, event: event.event, outcome: 'sent', status: result.status };
          const reason = scrub(result.reason);
          options.warn(
            `rollgate: ${where} failed: ${reason}; the ${event.event === 'denied' ? 'decision' : 'outcome'} stands`,
          );
          return { target: name, event: event.event, outcome: 'failed', reason };
        }),
      );
    }
  }
  return Promise.all(jobs);
}

async function deliver(
  post: NotifyFetch,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ ok: true; status: number } | { ok: false; reason: string }> {
  try {
    const response = await post(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not needed; dropping it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    return response.ok
      ? { ok: true, status: response.status }
      : { ok: false, reason: `HTTP ${response.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { message?: string; code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return { ok: false, reason: `no answer within ${timeoutMs / 1000}s` };
    const cause = e.cause?.code ?? e.cause?.message;
    return { ok: false, reason: `${e.message}${cause !== undefined ? ` (${cause})` : ''}` };
  }
}
