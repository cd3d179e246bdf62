import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export interface Exchange {
  method: string;
  /** Path and query, as requested. */
  path: string;
}

export interface UpstreamAnswer {
  status: number;
  body: string;
}

export interface StandInOptions {
  /** Changes one answer of the real service; undefined passes it on unchanged. */
  alter?: (exchange: Exchange, answer: UpstreamAnswer) => UpstreamAnswer | undefined;
  /** Sees every request when it arrives, before it is forwarded. */
  onRequest?: (exchange: Exchange) => void;
}

// Describe one connection, not the message; fetch sets its own.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
]);

function endToEnd(headers: Iterable<[string, string | string[] | undefined]>): Headers {
  const out = new Headers();
  for (const [name, value] of headers) {
    if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

async function listen(
  server: Server,
  sockets: Set<Socket>,
  drain: () => Promise<unknown> = async () => {},
): Promise<TestServer> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * A tiny real HTTP server in front of a real service: it forwards every request and answer,
 * except what `alter` changes. So a service with exactly one broken contract can be staged,
 * while /healthz and everything else stay right. close() waits for requests still being
 * forwarded, so a test sees their effect on the service, also of those whose client gave up.
 */
export function startStandIn(
  upstreamUrl: string,
  options: StandInOptions = {},
): Promise<TestServer> {
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const exchange: Exchange = { method: req.method ?? 'GET', path: req.url ?? '/' };
    try {
      const body = Buffer.concat((await req.toArray()) as Buffer[]);
      // Once the body is in, the request reaches the service even if its client gives up now.
      options.onRequest?.(exchange);
      const upstream = await fetch(`${upstreamUrl}${exchange.path}`, {
        method: exchange.method,
        headers: endToEnd(Object.entries(req.headers)),
        ...(body.length > 0 ? { body } : {}),
        redirect: 'manual',
      });
      const answer = { status: upstream.status, body: await upstream.text() };
      const sent = options.alter?.(exchange, answer) ?? answer;
      const headers = endToEnd(upstream.headers.entries());
      res.writeHead(sent.status, Object.fromEntries(headers.entries()));
      res.end(sent.body);
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
    }
  };
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const forwarding = forward(req, res).finally(() => inFlight.delete(forwarding));
    inFlight.add(forwarding);
  });
  return listen(server, new Set<Socket>(), () => Promise.all(inFlight));
}

/** Accepts connections and reads requests, but never answers: a hung service. */
export function startSilentServer(): Promise<TestServer> {
  return listen(
    createServer(() => {}),
    new Set<Socket>(),
  );
}
