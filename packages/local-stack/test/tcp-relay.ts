import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP relay to a server that can be cut off the way a network partition does it: nothing is
 * refused or reset, bytes simply stop arriving. Refusing connections (a stopped server) is the
 * easy outage; silence is the one that hangs clients without timeouts of their own.
 */
export interface TcpRelay {
  port: number;
  /** From now on no byte passes in either direction, on old or new connections. */
  partition(): void;
  /**
   * Bytes pass again. `resume`: connections open during the partition carry on with what was
   * held back (a short blip). `dead`: they stay silent forever, as after a failover to another
   * server, whose old connections no longer exist but were never reset.
   */
  heal(connections: 'resume' | 'dead'): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  /** Bytes held back while partitioned, in order, per direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
  dead: boolean;
}

export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const pairs = new Set<Pair>();
  let partitioned = false;

  const connectUpstream = (pair: Pair) => {
    const upstream = createConnection(target);
    pair.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => {
      if (pair.dead) return;
      if (partitioned) pair.toClient.push(chunk);
      else pair.client.write(chunk);
    });
    // While partitioned, the client cannot learn that the server went away: no FIN, no RST.
    const closeClient = () => {
      if (!pair.dead && !partitioned) pair.client.destroy();
    };
    upstream.on('error', closeClient);
    upstream.on('close', closeClient);
    for (const chunk of pair.toUpstream.splice(0)) upstream.write(chunk);
  };

  const server = createServer((client) => {
    const pair: Pair = { client, upstream: undefined, toUpstream: [], toClient: [], dead: false };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.dead) return;
      if (partitioned || !pair.upstream) pair.toUpstream.push(chunk);
      else pair.upstream.write(chunk);
    });
    client.on('error', () => pair.upstream?.destroy());
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    // During a partition the server never hears of this connection until it heals.
    if (!partitioned) connectUpstream(pair);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    partition() {
      partitioned = true;
    },
    heal(connections) {
      partitioned = false;
      for (const pair of pairs) {
        if (connections === 'dead') {
          // Silent forever; a new upstream connection would be a different, working session.
          pair.dead = true;
          pair.upstream?.destroy();
          continue;
        }
        if (!pair.upstream) {
          connectUpstream(pair);
          continue;
        }
        for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
      }
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await closed;
    },
  };
}
