import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceClient, UpstreamUnavailableError } from '../src/http-client.js';
import { runWithRequestId } from '../src/request-context.js';

const servers: Server[] = [];

/** A real HTTP server answering with the given statuses in turn; records what it received. */
async function upstream(statuses: number[], delayMs = 0) {
  const received: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    received.push(req);
    const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ attempt: received.length }));
    }, delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('createServiceClient', () => {
  it('retries an idempotent call on 503 and returns the answer that succeeded', async () => {
    const { url, received } = await upstream([503, 503, 200]);
    const client = createServiceClient({ name: 'up', baseUrl: url, timeoutMs: 1000, retries: 2 });
    const response = await client.request<{ attempt: number }>({ method: 'GET', path: '/x' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ attempt: 3 });
    expect(received).toHaveLength(3);
    await client.close();
  });

  it('never repeats a POST unless the caller marks it idempotent', async () => {
    const plain = await upstream([503, 200]);
    const client = createServiceClient({
      name: 'up',
      baseUrl: plain.url,
      timeoutMs: 1000,
      retries: 3,
    });
    expect((await client.request({ method: 'POST', path: '/x', body: {} })).status).toBe(503);
    expect(plain.received).toHaveLength(1);
    await client.close();

    const marked = await upstream([503, 200]);
    const retrying = createServiceClient({
      name: 'up',
      baseUrl: marked.url,
      timeoutMs: 1000,
      retries: 3,
    });
    expect(
      (await retrying.request({ method: 'POST', path: '/x', body: {}, idempotent: true })).status,
    ).toBe(200);
    expect(marked.received).toHaveLength(2);
    await retrying.close();
  });

  it('turns a timeout or a refused connection into UpstreamUnavailableError', async () => {
    const slow = await upstream([200], 300);
    const client = createServiceClient({
      name: 'slow',
      baseUrl: slow.url,
      timeoutMs: 50,
      retries: 0,
    });
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(
      UpstreamUnavailableError,
    );
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(
      /slow unavailable: timed out/,
    );
    await client.close();

    const refused = createServiceClient({
      name: 'gone',
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: 200,
      retries: 1,
    });
    await expect(refused.request({ method: 'GET', path: '/x' })).rejects.toThrow(
      /gone unavailable/,
    );
    await refused.close();
  });

  it('sends the current request id and a JSON body', async () => {
    const { url, received } = await upstream([201]);
    const client = createServiceClient({ name: 'up', baseUrl: url, timeoutMs: 1000, retries: 0 });
    await runWithRequestId('rid-42', () =>
      client.request({ method: 'POST', path: '/x', body: { a: 1 } }),
    );
    expect(received[0]?.headers['x-request-id']).toBe('rid-42');
    expect(received[0]?.headers['content-type']).toBe('application/json');
    await client.close();
  });
});
