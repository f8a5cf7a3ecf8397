import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback HTTP receiver for notification tests: /ok/... answers 200 and records the request,
// /fail/... answers 500, /hang/... never answers (until the test closes it). Anything else: a loud 404.

export interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Every request that reached the server, whatever it was answered. */
  readonly hits: string[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hits: string[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      hits.push(path);
      if (path.startsWith('/ok/')) {
        received.push({
          path,
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else if (path.startsWith('/fail/')) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      } else if (path.startsWith('/hang/')) {
        hanging.add(res);
      } else {
        res.writeHead(404).end(`no route ${path}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    hits,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
