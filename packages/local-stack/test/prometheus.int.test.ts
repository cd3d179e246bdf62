import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@appdist/testing/eventually';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrometheus } from '../src/prometheus.js';

describe('startPrometheus', () => {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end('# TYPE demo_total counter\ndemo_total{kind="a"} 42\n');
  });
  afterAll(() => {
    server.close();
  });

  it('scrapes a target with its labels and answers instant queries', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const prometheus = await startPrometheus([
      { job: 'demo', address: `127.0.0.1:${port}`, labels: { kubernetes_namespace: 'app' } },
    ]);
    try {
      await eventually(async () => {
        expect(await prometheus.query('sum(demo_total{kubernetes_namespace="app"})')).toBe(42);
      }, 10_000);
      expect(
        await prometheus.query('sum(demo_total{kubernetes_namespace="other"})'),
      ).toBeUndefined();
      await expect(prometheus.query('sum(')).rejects.toThrow(/rejected the query/);
    } finally {
      await prometheus.stop();
    }
  });
});
