import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// git's own smart HTTP server, `git http-backend` (it ships with git), run as a CGI behind a tiny
// loopback node server: what GitHub or GitLab serve over https, for the wire client's HTTP transport
// and the clone it falls back to. Repositories under `root` are served at http://127.0.0.1:PORT/<name>.

export const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly gitProtocol: string | undefined;
  readonly userAgent: string | undefined;
}

export interface GitHttpServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  /** Every request, in order. */
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

export interface GitHttpOptions {
  /** Basic credentials every request must carry; others get 401 with a Basic challenge. */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** Only pushes need the credentials (a public repository): reads are anonymous. */
  readonly anonymousReads?: boolean;
  /** The push itself (POST git-receive-pack) is answered 403, as for a token that may only read. */
  readonly forbidPush?: boolean;
  /** Content types carry a parameter (`; charset=utf-8`), as some servers send them. */
  readonly charset?: boolean;
  /** Drop the Git-Protocol header, as a server that speaks only v0 does. */
  readonly v0Only?: boolean;
  /** Paths starting with the first (a moved repository) answer 301 to the same under the second. */
  readonly moved?: readonly [string, string];
}

/** Starts the server; a missing git-http-backend fails with what to install. */
export async function startGitHttp(root: string, options: GitHttpOptions = {}): Promise<GitHttpServer> {
  await access(HTTP_BACKEND).catch(() => {
    throw new Error(
      `${HTTP_BACKEND} is missing: it ships with git (Debian: apt-get install git); the HTTP tests need git's own server`,
    );
  });
  const requests: SeenRequest[] = [];
  const expected =
    options.credentials &&
    `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`;
  const server = createServer((req, res) => {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: header('authorization'),
      gitProtocol: header('git-protocol'),
      userAgent: header('user-agent'),
    });
    const push = (req.url ?? '').includes('git-receive-pack');
    if (expected !== undefined && header('authorization') !== expected && (push || !options.anonymousReads)) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    if (options.forbidPush && req.method === 'POST' && push) {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'text/plain' });
      res.end('Write access to repository not granted.\n');
      return;
    }
    const [from, to] = options.moved ?? [];
    if (from !== undefined && to !== undefined && (req.url ?? '').startsWith(from)) {
      req.resume();
      res.writeHead(301, { Location: `${to}${(req.url ?? '').slice(from.length)}` });
      res.end();
      return;
    }
    cgi(root, req, res, options, header);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function cgi(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  options: GitHttpOptions,
  header: (name: string) => string | undefined,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: header('content-type') ?? '',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_USER: options.credentials?.user ?? 'anonymous',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  const encoding = header('content-encoding');
  if (encoding !== undefined) env['HTTP_CONTENT_ENCODING'] = encoding;
  const protocol = header('git-protocol');
  if (protocol !== undefined && !options.v0Only) env['GIT_PROTOCOL'] = protocol;
  const child = spawn(HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  child.stderr.resume();
  let head = Buffer.alloc(0);
  let started = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const cut = end !== -1 ? end + 4 : lf !== -1 ? lf + 2 : -1;
    if (cut === -1) return;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, cut).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else if (name.toLowerCase() === 'content-type' && options.charset)
        headers[name] = `${value}; charset=utf-8`;
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(cut));
    started = true;
  });
  child.on('close', () => {
    if (!started) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end();
  });
}
