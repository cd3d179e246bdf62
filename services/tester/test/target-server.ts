import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Remote port: requests sharing one are on one keep-alive connection. */
  remotePort: number;
  at: number;
}

/**
 * The system under load: a real HTTP server that records every request it serves. Its answer
 * can be changed while it runs, e.g. to 500 or to a slow one.
 */
export interface TargetServer {
  url: string;
  requests: ReceivedRequest[];
  status: number;
  delayMs: number;
  close(): Promise<void>;
}

export async function startTargetServer(): Promise<TargetServer> {
  const requests: ReceivedRequest[] = [];
  let server: Server | undefined;
  const target: TargetServer = {
    url: '',
    requests,
    status: 200,
    delayMs: 0,
    async close() {
      if (!server) return;
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
  server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      remotePort: req.socket.remotePort ?? 0,
      at: performance.now(),
    });
    req.resume();
    const answer = () => {
      res.writeHead(target.status, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    };
    if (target.delayMs > 0) setTimeout(answer, target.delayMs);
    else answer();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return target;
}
