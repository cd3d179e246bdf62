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
 * Listens on PORT and answers GET /readyz with 200 at once, so it also serves as the bare-process
 * baseline of the start-up benchmark.
 */
import { Agent, createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import { json } from 'node:stream/consumers';

const TARGET_URL = 'https://example.com/';

const [role, upstreamPort] = process.argv.slice(2);
// As many sockets per upstream as the services' undici pools allow.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** GET of the next hop, its JSON body parsed, as each service's client does. */
function callUpstream(path: string): Promise<Record<string, string | undefined>> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: Number(upstreamPort), path, agent }, (response) => {
      json(response).then(resolve as (body: unknown) => void, reject);
    }).on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const handlers: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
  async cache(req, res) {
    const key = decodeURIComponent((req.url ?? '').slice('/v1/keys/'.length));
    answer(res, 200, { key, value: TARGET_URL, ttlSeconds: 3600 });
  },
  async backend(req, res) {
    const code = (req.url ?? '').slice('/api/resolve/'.length);
    const cached = await callUpstream(`/v1/keys/${encodeURIComponent(`link:${code}`)}`);
    answer(res, 200, { url: cached.value ?? '' });
  },
  async frontend(req, res) {
    const code = (req.url ?? '').slice(1);
    const resolved = await callUpstream(`/api/resolve/${encodeURIComponent(code)}`);
    res.writeHead(302, { location: resolved.url ?? '', 'content-length': 0 });
    res.end();
  },
};

const handler = handlers[role ?? ''];
if (!handler || (role !== 'cache' && !upstreamPort)) {
  process.stderr.write('usage: bare-chain-server.js cache | backend <port> | frontend <port>\n');
  process.exit(2);
}

const server = createServer((req, res) => {
  if (req.url === '/readyz') return answer(res, 200, {});
  handler(req, res).catch(() => {
    if (!res.headersSent) answer(res, 502, { error: { code: 'bad_gateway', message: 'upstream' } });
    else res.destroy();
  });
});
// Same keep-alive as the services, so neither side reconnects during a run.
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
});
