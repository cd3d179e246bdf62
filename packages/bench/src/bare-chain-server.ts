/**
 * One hop of the baseline for the redirect benchmark: the same three-process chain as
 * frontend → backend → cache, written against node:http alone, with keep-alive between hops.
 * It does what the architecture cannot avoid (accept, call the next hop, parse its JSON,
 * answer) and nothing else: no framework, logs, metrics or request ids.
 *
 *   node bare-chain-server.js cache
 *   node bare-chain-server.js backend <cache port>
 *   node bare-chain-server.js frontend <backend port>
 *
 * Listens on PORT (default: a free port) and prints `listening <port>`. The cache hop answers
 * any GET with 200, so it also serves as the bare-process baseline of the start-up benchmark.
 */
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TARGET_URL = 'https://example.com/';

const [role, upstreamPort] = process.argv.slice(2);
// As many sockets per upstream as the services' undici pools allow.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function callUpstream(path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port: Number(upstreamPort), path, agent, method: 'GET' },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function field(body: unknown, name: string): string {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const handlers: Record<string, Handler> = {
  async cache(req, res) {
    const key = decodeURIComponent((req.url ?? '').slice('/v1/keys/'.length));
    json(res, 200, { key, value: TARGET_URL, ttlSeconds: 3600 });
  },
  async backend(req, res) {
    const code = (req.url ?? '').slice('/api/resolve/'.length);
    const cached = await callUpstream(`/v1/keys/${encodeURIComponent(`link:${code}`)}`);
    json(res, 200, { url: field(cached, 'value') });
  },
  async frontend(req, res) {
    const code = (req.url ?? '').slice(1);
    const resolved = await callUpstream(`/api/resolve/${encodeURIComponent(code)}`);
    res.writeHead(302, { location: field(resolved, 'url'), 'content-length': 0 });
    res.end();
  },
};

const handler = role === undefined ? undefined : handlers[role];
if (!handler || (role !== 'cache' && !upstreamPort)) {
  process.stderr.write('usage: bare-chain-server.js cache | backend <port> | frontend <port>\n');
  process.exit(2);
}

const server = createServer((req, res) => {
  handler(req, res).catch(() => {
    if (!res.headersSent) json(res, 502, { error: { code: 'bad_gateway', message: 'upstream' } });
    else res.destroy();
  });
});
// Same keep-alive as the services, so neither side reconnects during a run.
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
});
