import { Readable } from 'node:stream';
import { runGit } from './exec.js';
import { PacketReader } from './pkt-line.js';
import { redactCredentials } from './redact.js';
import { type GitService, RequestRefused, type Transport, WireUnsupported } from './transport.js';

// git's smart HTTP (gitprotocol-http(5)) as `git fetch` and `git push` speak it: GET
// <url>/info/refs?service=git-upload-pack with `Git-Protocol: version=2` for the capabilities, then
// one POST <url>/git-upload-pack per command; a push is GET info/refs?service=git-receive-pack (the
// refs) and one POST <url>/git-receive-pack with the update and the pack. Credentials in the URL
// (https://x-access-token:TOKEN@host/...) go in an Authorization header, never into a message.
// Anything a smart v2 server would not answer (another status, a redirect, dumb HTTP, v0) is
// WireUnsupported: the store then goes through a clone, and git deals with it as it always has.

const USER_AGENT = 'git/2 (rollgate)';

/** The base URL without credentials, and the Authorization header they make (Basic, as git sends). */
export function httpCredentials(url: URL): { base: string; authorization: string | undefined } {
  const bare = new URL(url.href);
  const user = decoded(bare.username);
  const password = decoded(bare.password);
  bare.username = '';
  bare.password = '';
  bare.hash = '';
  bare.search = '';
  const base = bare.href.replace(/\/+$/, '');
  if (user === '' && password === '') return { base, authorization: undefined };
  return {
    base,
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The pkt-lines of an answer, read whole (a promotion's answers are folders and a few files). */
async function readerOf(answer: Response, where: string): Promise<PacketReader> {
  const body = Buffer.from(await answer.arrayBuffer());
  return new PacketReader(Readable.from([body]), () => `the answer of ${where} was cut off`);
}

/** The response's media type without its parameters (`; charset=...`), as git compares it. */
function mediaType(res: Response): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The length of the pkt-line starting at `at` in `data`, or undefined when there is none. */
function pktLength(data: Buffer, at: number): number | undefined {
  const head = data.subarray(at, at + 4).toString('latin1');
  if (!/^[0-9a-f]{4}$/.test(head)) return undefined;
  const length = Number.parseInt(head, 16);
  return length === 0 ? 4 : length;
}

/**
 * What git's credential helpers hold for the URL (`git credential fill`, as git asks them after a
 * 401), as an Authorization header; undefined when they hold nothing. No terminal prompt.
 */
export async function credentialFill(base: string): Promise<string | undefined> {
  const url = new URL(base);
  const fields = [
    `protocol=${url.protocol.replace(/:$/, '')}`,
    `host=${url.host}`,
    `path=${url.pathname.replace(/^\//, '')}`,
  ];
  // A newline would start a field of its own in git's credential protocol: ask nothing then.
  if (fields.some((f) => /[\n\r\0]/.test(f))) return undefined;
  const asked = await runGit(['credential', 'fill'], {
    input: `${fields.join('\n')}\n\n`,
    env: { GIT_TERMINAL_PROMPT: '0' },
  });
  if (asked.code !== 0) return undefined;
  const got = new Map(
    asked.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  const user = got.get('username');
  const password = got.get('password');
  if (user === undefined || password === undefined) return undefined;
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function smartHttpTransport(url: URL): Transport {
  const { base, authorization: inUrl } = httpCredentials(url);
  let authorization = inUrl;
  /** Asked once: the URL had no credentials and the server wants some. */
  let helpersAsked = false;
  const shown = redactCredentials(url.href);
  const headers = (service: GitService, extra: Record<string, string>): Record<string, string> => ({
    'User-Agent': USER_AGENT,
    ...(service === 'git-upload-pack' ? { 'Git-Protocol': 'version=2' } : {}),
    ...extra,
  });
  const send = async (what: string, target: string, init: RequestInit): Promise<Response> => {
    try {
      // A redirect is answered as is: git would follow it (maybe to a login page); the clone does.
      return await fetch(target, { ...init, redirect: 'manual' });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      throw new Error(
        `${what} ${shown} failed: ${(err as Error).message}${cause ? ` (${cause.message})` : ''}`,
      );
    }
  };
  /** A request, made again once with the credential helpers' answer after a 401 without credentials. */
  const call = async (
    what: string,
    target: string,
    init: (auth: Record<string, string>) => RequestInit,
  ): Promise<Response> => {
    const auth = (): Record<string, string> =>
      authorization !== undefined ? { Authorization: authorization } : {};
    const res = await send(what, target, init(auth()));
    if (res.status !== 401 || authorization !== undefined || helpersAsked) return res;
    helpersAsked = true;
    authorization = await credentialFill(base);
    if (authorization === undefined) return res;
    await res.body?.cancel();
    return send(what, target, init(auth()));
  };

  /**
   * What info/refs said, without its `# service=` preamble. upload-pack's v2 capabilities are the
   * same on every request (each POST meets a fresh upload-pack that reads the refs anew), so they are
   * asked once per store; receive-pack's list of refs is asked before every push.
   */
  let capabilities: Promise<Buffer> | undefined;
  const discover = async (service: GitService): Promise<Buffer> => {
    const discovery = `${base}/info/refs?service=${service}`;
    // Not reached at all (a proxy, a private CA, TLS settings: git's http.* config, which node's
    // fetch does not read): git may reach it, through the clone.
    const res = await call('GET', discovery, (auth) => ({
      headers: headers(service, {
        Accept: '*/*',
        'Cache-Control': 'no-cache',
        Pragma: 'no-cache',
        ...auth,
      }),
    })).catch((err: Error) => {
      throw new WireUnsupported(err.message);
    });
    const type = mediaType(res);
    if (res.status !== 200 || type !== `application/x-${service}-advertisement`) {
      await res.body?.cancel();
      throw new WireUnsupported(
        res.status === 200
          ? `${shown} is not served by smart HTTP (${type || 'no content type'})`
          : `GET info/refs on ${shown} answered HTTP ${res.status}${res.status === 401 || res.status === 403 ? `; check that the credentials (${authorization === undefined ? 'none in the URL, none from git credential helpers' : 'from the URL or git credential helpers'}) can ${service === 'git-receive-pack' ? 'push to' : 'read'} it` : ''}`,
      );
    }
    // A v0/v1 answer starts with `# service=...` and a flush; v2 starts with `version 2`.
    const data = Buffer.from(await res.arrayBuffer());
    const first = pktLength(data, 0);
    if (first !== undefined && data.subarray(4, first).toString('latin1').startsWith('# service=')) {
      const flush = pktLength(data, first);
      return data.subarray(first + (flush === 4 ? 4 : 0));
    }
    return data;
  };

  return {
    async connect(service) {
      let data: Buffer;
      if (service === 'git-upload-pack') {
        capabilities ??= discover(service);
        // A failed discovery is not kept: the next connection asks again.
        data = await capabilities.catch((err: unknown) => {
          capabilities = undefined;
          throw err;
        });
      } else data = await discover(service);
      const advertisement = new PacketReader(Readable.from([data]), () => 'the advertisement was cut off');
      let status = 'nothing sent';
      return {
        advertisement,
        async request(body) {
          const target = `${base}/${service}`;
          const bytes = Uint8Array.from(body);
          const answer = await call('POST', target, (auth) => ({
            method: 'POST',
            body: bytes,
            headers: headers(service, {
              'Content-Type': `application/x-${service}-request`,
              Accept: `application/x-${service}-result`,
              ...auth,
            }),
          }));
          status = `HTTP ${answer.status}`;
          const kind = mediaType(answer);
          if (answer.status !== 200 || kind !== `application/x-${service}-result`) {
            const text = redactCredentials((await answer.text().catch(() => '')).trim().slice(0, 200));
            const said = `POST ${service} answered HTTP ${answer.status}${text ? `: ${text}` : ''}`;
            // A 4xx is the server declining the request before it read it: nothing was done.
            if (answer.status >= 400 && answer.status < 500)
              throw new RequestRefused(
                answer.status === 401 || answer.status === 403
                  ? `${said}; check that the credentials can ${service === 'git-receive-pack' ? 'push to' : 'read'} ${shown}`
                  : said,
              );
            throw new Error(`${said}${kind ? ` (${kind})` : ''} on ${shown}`);
          }
          return readerOf(answer, `POST ${service} on ${shown}`);
        },
        close: () => Promise.resolve({ detail: status }),
        // Nothing comes besides the protocol: what a hook prints comes on the side band.
        diagnostics: () => '',
      };
    },
  };
}

/**
 * Whether git would reach `url` through a proxy named in the environment (curl's variables:
 * http_proxy for http, https_proxy or HTTPS_PROXY for https, all_proxy / ALL_PROXY, less
 * no_proxy / NO_PROXY). node's fetch does not use them, so such a URL is left to git (the clone).
 */
export function proxied(url: URL, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const scheme = url.protocol.replace(/:$/, '');
  const proxy =
    (scheme === 'https' ? env['https_proxy'] || env['HTTPS_PROXY'] : env['http_proxy']) ||
    env['all_proxy'] ||
    env['ALL_PROXY'];
  if (!proxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const bypass = (env['no_proxy'] || env['NO_PROXY'] || '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\*?\./, ''),
    )
    .filter(Boolean);
  return !bypass.some((h) => h === '*' || host === h || host.endsWith(`.${h}`));
}
