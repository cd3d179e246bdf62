import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError, ServiceUnavailableError } from '@appdist/service-kit/errors';
import { createServiceClient } from '@appdist/service-kit/http-client';
import { createLogger } from '@appdist/service-kit/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { ClickBuffer } from '../src/click-buffer.js';
import { type ClickBatch, createDatabaseService } from '../src/database-service.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** A send function that records every batch and fails while `failing` is set. */
function recordingSink() {
  const sent: ClickBatch[] = [];
  const sink = {
    sent,
    failWith: undefined as Error | undefined,
    send: async (batch: ClickBatch) => {
      sent.push(structuredClone(batch));
      if (sink.failWith) throw sink.failWith;
    },
  };
  return sink;
}

const buffers: ClickBuffer[] = [];
function buffer(send: (batch: ClickBatch) => Promise<void>, intervalMs = 60_000) {
  const clicks = new ClickBuffer({ send, intervalMs, logger });
  buffers.push(clicks);
  return clicks;
}

afterEach(async () => {
  await Promise.all(buffers.splice(0).map((b) => b.close(1_000)));
});

describe('ClickBuffer', () => {
  it('sends the counted clicks as one batch and then nothing', async () => {
    const sink = recordingSink();
    const clicks = buffer(sink.send);
    clicks.add('abc');
    clicks.add('abc');
    clicks.add('xyz');
    await clicks.flush();
    await clicks.flush();
    expect(sink.sent).toHaveLength(1);
    expect(sink.sent[0]?.counts).toEqual({ abc: 2, xyz: 1 });
    expect(sink.sent[0]?.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(clicks.unapplied('abc')).toBe(0);
  });

  it('resends a failed batch with the same id and never merges new clicks into it', async () => {
    const sink = recordingSink();
    const clicks = buffer(sink.send);
    clicks.add('abc');
    sink.failWith = new ServiceUnavailableError('down');
    await clicks.flush();
    clicks.add('abc');
    clicks.add('new');
    await clicks.flush();
    expect(clicks.unapplied('abc')).toBe(2);
    expect(clicks.unapplied('new')).toBe(1);

    sink.failWith = undefined;
    await clicks.flush();
    const [first, retry, retryOk, next] = sink.sent;
    expect(retry).toEqual(first);
    expect(retryOk).toEqual(first);
    expect(first?.counts).toEqual({ abc: 1 });
    expect(next?.counts).toEqual({ abc: 1, new: 1 });
    expect(next?.batchId).not.toBe(first?.batchId);
    expect(sink.sent).toHaveLength(4);
    expect(clicks.unapplied('abc')).toBe(0);
  });

  it('drops a batch the database rejects as invalid instead of resending it forever', async () => {
    const sink = recordingSink();
    const clicks = buffer(sink.send);
    clicks.add('abc');
    sink.failWith = new HttpError(400, 'invalid_batch', 'bad');
    await clicks.flush();
    sink.failWith = undefined;
    await clicks.flush();
    expect(sink.sent).toHaveLength(1);
    expect(clicks.unapplied('abc')).toBe(0);
  });

  it('runs one delivery at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const clicks = buffer(async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(20);
      active -= 1;
    });
    clicks.add('abc');
    await Promise.all([clicks.flush(), clicks.flush(), clicks.flush()]);
    expect(maxActive).toBe(1);
  });

  it('flushes on its interval', async () => {
    const sink = recordingSink();
    const clicks = buffer(sink.send, 20);
    clicks.start();
    clicks.add('abc');
    await expect.poll(() => sink.sent.length, { timeout: 2_000 }).toBe(1);
  });

  it('delivers what is left on close, including a batch that failed before', async () => {
    const sink = recordingSink();
    const clicks = new ClickBuffer({ send: sink.send, intervalMs: 60_000, logger });
    clicks.start();
    clicks.add('abc');
    sink.failWith = new ServiceUnavailableError('down');
    await clicks.flush();
    clicks.add('xyz');
    sink.failWith = undefined;
    await clicks.close(1_000);
    expect(sink.sent.map((b) => b.counts)).toEqual([{ abc: 1 }, { abc: 1 }, { xyz: 1 }]);
    expect(sink.sent[1]?.batchId).toBe(sink.sent[0]?.batchId);
  });

  it('gives up on close after its timeout when the database does not answer', async () => {
    const clicks = new ClickBuffer({
      send: () => new Promise(() => {}),
      intervalMs: 60_000,
      logger,
    });
    clicks.add('abc');
    const started = performance.now();
    await clicks.close(100);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(clicks.unapplied('abc')).toBe(1);
  });
});

/** Answers POST /v1/clicks with the given statuses in turn (200 afterwards) and records the bodies. */
async function fakeDatabaseServer(script: Array<number | 'hang'>) {
  const bodies: ClickBatch[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    bodies.push(JSON.parse(text) as ClickBatch);
    const step = script.shift() ?? 200;
    if (step === 'hang') return;
    res.writeHead(step, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(step === 200 ? { applied: true } : { error: { code: 'x', message: 'x' } }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    bodies,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('ClickBuffer over HTTP (fake database server)', () => {
  it('retries a batch within one flush because the POST is marked idempotent', async () => {
    const server = await fakeDatabaseServer([503, 'hang']);
    const database = createDatabaseService(
      createServiceClient({ name: 'database', baseUrl: server.url, timeoutMs: 200, retries: 2 }),
    );
    try {
      const clicks = buffer((batch) => database.applyClicks(batch));
      clicks.add('abc');
      await clicks.flush();
      expect(server.bodies).toHaveLength(3);
      const ids = new Set(server.bodies.map((b) => b.batchId));
      expect(ids.size).toBe(1);
      expect(clicks.unapplied('abc')).toBe(0);
    } finally {
      await database.close();
      await server.close();
    }
  });

  it('keeps the batch id across flushes when every attempt of one flush fails', async () => {
    const server = await fakeDatabaseServer([503, 503]);
    const database = createDatabaseService(
      createServiceClient({ name: 'database', baseUrl: server.url, timeoutMs: 200, retries: 1 }),
    );
    try {
      const clicks = buffer((batch) => database.applyClicks(batch));
      clicks.add('abc');
      await clicks.flush();
      expect(server.bodies).toHaveLength(2);
      expect(clicks.unapplied('abc')).toBe(1);
      clicks.add('abc');
      await clicks.flush();
      expect(server.bodies.map((b) => b.counts)).toEqual([
        { abc: 1 },
        { abc: 1 },
        { abc: 1 },
        { abc: 1 },
      ]);
      expect(new Set(server.bodies.slice(0, 3).map((b) => b.batchId)).size).toBe(1);
      expect(server.bodies[3]?.batchId).not.toBe(server.bodies[0]?.batchId);
      expect(clicks.unapplied('abc')).toBe(0);
    } finally {
      await database.close();
      await server.close();
    }
  });
});

describe('ClickBuffer batch size', () => {
  it('splits many codes into batches the database accepts: ≤ 1000 codes, < 16 KiB', async () => {
    const sink = recordingSink();
    const clicks = buffer(sink.send);
    const codes = Array.from(
      { length: 2500 },
      (_, i) => `${'x'.repeat(26)}${String(i).padStart(6, '0')}`,
    );
    for (const code of codes) {
      clicks.add(code);
      clicks.add(code);
    }
    await clicks.flush();
    expect(sink.sent.length).toBeGreaterThan(2);
    for (const batch of sink.sent) {
      expect(Object.keys(batch.counts).length).toBeLessThanOrEqual(1000);
      expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThan(16 * 1024);
    }
    const delivered = new Map<string, number>();
    for (const batch of sink.sent) {
      for (const [code, n] of Object.entries(batch.counts)) {
        expect(delivered.has(code)).toBe(false);
        delivered.set(code, n);
      }
    }
    expect(delivered.size).toBe(codes.length);
    expect([...delivered.values()].every((n) => n === 2)).toBe(true);
    expect(new Set(sink.sent.map((b) => b.batchId)).size).toBe(sink.sent.length);
  });

  it('keeps the batches not yet sent when one of them fails', async () => {
    const sink = recordingSink();
    const clicks = buffer(async (batch) => {
      await sink.send(batch);
      if (sink.sent.length === 2) throw new ServiceUnavailableError('down');
    });
    for (let i = 0; i < 2500; i++) clicks.add(`code-${i}`);
    await clicks.flush();
    expect(sink.sent).toHaveLength(2);
    await clicks.flush();
    // The failed batch again with its id, then the rest.
    expect(sink.sent[2]).toEqual(sink.sent[1]);
    const total = sink.sent
      .slice(2)
      .concat(sink.sent[0] ?? [])
      .reduce((n, b) => n + Object.keys(b.counts).length, 0);
    expect(total).toBe(2500);
  });
});
