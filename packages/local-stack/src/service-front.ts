import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What a Kubernetes Service gives a client, on one machine: a stable address in front of
 * replicas, balanced per TCP connection as kube-proxy does (never per request), over the
 * endpoints that are ready. A connection stays with the replica it was opened to until one side
 * closes it, so keep-alive clients keep talking to a terminating replica until it tells them to
 * go (Connection: close) or closes its idle connections: the very behaviour a drain must handle.
 */
export interface ServiceFront {
  /** The stable address: what other services are configured with. */
  readonly url: string;
  readonly port: number;
  /** Starts probing a replica's /readyz; it receives connections once a probe passes. */
  add(endpoint: string): void;
  /**
   * The replica's pod is terminating: the endpoints controller drops it at once, and the
   * change reaches the proxy after propagationMs. Resolves when it receives no new connection.
   */
  terminating(endpoint: string): Promise<void>;
  /** Endpoints that receive new connections now. */
  ready(): string[];
  /** Connections opened to each endpoint so far. */
  connectionsTo(endpoint: string): number;
  /** Connections refused for want of a ready endpoint, or because the chosen one refused. */
  readonly refused: number;
  close(): Promise<void>;
}

export interface ServiceFrontOptions {
  /** Port to listen on (127.0.0.1); 0 for any free one. */
  port?: number;
  /** kubelet's readinessProbe.periodSeconds, scaled down. Default 200 ms. */
  probeIntervalMs?: number;
  /** readinessProbe.timeoutSeconds. Default 1000 ms. */
  probeTimeoutMs?: number;
  /** readinessProbe.failureThreshold: consecutive failures before an endpoint leaves. Default 2. */
  failureThreshold?: number;
  /** Time for an endpoint change to reach the proxy (endpoints controller + kube-proxy). Default 200 ms. */
  propagationMs?: number;
}

interface EndpointState {
  /** host:port */
  address: { host: string; port: number };
  ready: boolean;
  terminating: boolean;
  failures: number;
  connections: number;
  stopProbing: AbortController;
}

export async function startServiceFront(options: ServiceFrontOptions = {}): Promise<ServiceFront> {
  const probeIntervalMs = options.probeIntervalMs ?? 200;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
  const failureThreshold = options.failureThreshold ?? 2;
  const propagationMs = options.propagationMs ?? 200;
  const endpoints = new Map<string, EndpointState>();
  const open = new Set<Socket>();
  let next = 0;
  let refused = 0;

  const routable = () => [...endpoints.entries()].filter(([, state]) => state.ready);

  const server: Server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    const candidates = routable();
    if (candidates.length === 0) {
      // kube-proxy with no ready endpoint rejects the connection.
      refused += 1;
      client.resetAndDestroy();
      return;
    }
    const [, state] = candidates[next++ % candidates.length] as [string, EndpointState];
    state.connections += 1;
    const upstream = createConnection(state.address);
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
    });
    // A reset on either side is passed on as a reset, so the client sees what it would see
    // talking to the replica directly.
    upstream.on('error', () => {
      if (!connected) refused += 1;
      client.resetAndDestroy();
    });
    client.on('error', () => upstream.resetAndDestroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const probe = async (endpoint: string, state: EndpointState) => {
    const { signal } = state.stopProbing;
    while (!signal.aborted) {
      let ok = false;
      try {
        const response = await fetch(`${endpoint}/readyz`, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(probeTimeoutMs)]),
        });
        await response.arrayBuffer();
        ok = response.status === 200;
      } catch {
        ok = false;
      }
      if (signal.aborted) return;
      if (ok) {
        state.failures = 0;
        if (!state.ready && !state.terminating) await propagate(() => (state.ready = true));
      } else {
        state.failures += 1;
        if (state.ready && state.failures >= failureThreshold) {
          await propagate(() => (state.ready = false));
        }
      }
      await sleep(probeIntervalMs, undefined, { signal }).catch(() => undefined);
    }
  };

  const propagate = async (apply: () => void) => {
    await sleep(propagationMs);
    apply();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    add(endpoint) {
      const url = new URL(endpoint);
      const state: EndpointState = {
        address: { host: url.hostname, port: Number(url.port) },
        ready: false,
        terminating: false,
        failures: 0,
        connections: 0,
        stopProbing: new AbortController(),
      };
      endpoints.set(endpoint, state);
      void probe(endpoint, state);
    },
    async terminating(endpoint) {
      const state = endpoints.get(endpoint);
      if (!state) return;
      state.terminating = true;
      state.stopProbing.abort();
      await propagate(() => {
        state.ready = false;
      });
    },
    ready: () => routable().map(([endpoint]) => endpoint),
    connectionsTo: (endpoint) => endpoints.get(endpoint)?.connections ?? 0,
    get refused() {
      return refused;
    },
    async close() {
      for (const state of endpoints.values()) state.stopProbing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}
