import { createServiceClient } from '@appdist/service-kit/http-client';
import { createLogger } from '@appdist/service-kit/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickBuffer } from '../src/click-buffer.js';
import {
  type ClickBatch,
  createDatabaseService,
  type DatabaseService,
} from '../src/database-service.js';
import { jsonOf, type LinkBody, postJson } from './support/http.js';
import { type Stack, startStack } from './support/stack.js';

const logger = createLogger({ name: 'test', level: 'silent' });
let stack: Stack;
let database: DatabaseService;

beforeAll(async () => {
  stack = await startStack();
  database = createDatabaseService(
    createServiceClient({
      name: 'database',
      baseUrl: stack.databaseUrl,
      timeoutMs: 2_000,
      retries: 0,
    }),
  );
});

afterAll(async () => {
  await database?.close();
  await stack?.close();
});

async function createLink(code: string) {
  const res = await postJson(`${stack.backendUrl}/api/links`, { url: 'https://example.com', code });
  expect(res.status).toBe(201);
}

async function clicksInDatabase(code: string): Promise<number> {
  const res = await fetch(`${stack.databaseUrl}/v1/links/${code}`);
  return (await jsonOf<LinkBody>(res)).clicks;
}

describe('click batches against the real database service', () => {
  it('counts a batch once when it was applied, its answer lost, and it was resent', async () => {
    await createLink('lost-answer');
    const sent: string[] = [];
    const clicks = new ClickBuffer({
      // The first delivery reaches the database, then fails as if the answer was lost.
      send: async (batch: ClickBatch) => {
        sent.push(batch.batchId);
        await database.applyClicks(batch);
        if (sent.length === 1) throw new Error('connection reset after the request was sent');
      },
      intervalMs: 60_000,
      logger,
    });
    clicks.add('lost-answer');
    clicks.add('lost-answer');
    await clicks.flush();
    expect(clicks.unapplied('lost-answer')).toBe(2);
    await clicks.flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    expect(clicks.unapplied('lost-answer')).toBe(0);
    expect(await clicksInDatabase('lost-answer')).toBe(2);
    await clicks.close(5_000);
  });

  it('delivers clicks on thousands of distinct codes in batches the database accepts', async () => {
    await createLink('many-codes');
    const failures: unknown[] = [];
    const clicks = new ClickBuffer({
      send: (batch) =>
        database.applyClicks(batch).catch((error: unknown) => {
          failures.push(error);
          throw error;
        }),
      intervalMs: 60_000,
      logger,
    });
    // Unknown codes are ignored by the database, but they still have to fit in a batch.
    for (let i = 0; i < 2500; i++) clicks.add(`unknown-${'x'.repeat(16)}-${i}`);
    clicks.add('many-codes');
    await clicks.close(5_000);
    expect(failures).toEqual([]);
    expect(await clicksInDatabase('many-codes')).toBe(1);
  });
});
