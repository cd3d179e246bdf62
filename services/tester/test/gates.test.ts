import { describe, expect, it } from 'vitest';
import { MemoryGateStore } from '../src/memory-gate-store.js';
import { gateApiContract, type TesterTarget } from './gate-api-contract.js';
import { type GateStoreTarget, gateStoreContract } from './gate-store-contract.js';
import { flaggerPayload, post, startTester } from './helpers.js';

const memoryStore: GateStoreTarget = {
  name: 'the in-memory store',
  async create(now) {
    return { store: new MemoryGateStore({ now }), dispose: async () => {} };
  },
};

const memoryTester: TesterTarget = {
  name: 'the in-memory store',
  async start() {
    const server = await startTester();
    return { url: server.url, stop: () => server.shutdown() };
  },
};

describe.each([memoryStore])('gate store contract on $name', gateStoreContract);
describe.each([memoryTester])('gate API on $name', gateApiContract);

describe('gates without REDIS_URL', () => {
  it('forget every switch on restart, as flagger-loadtester does', async () => {
    const first = await startTester();
    await post(first.url, '/gate/open', { name: 'backend', namespace: 'app' });
    expect((await post(first.url, '/gate/check', flaggerPayload())).status).toBe(200);
    await first.shutdown();
    const second = await startTester();
    try {
      expect((await post(second.url, '/gate/check', flaggerPayload())).status).toBe(403);
    } finally {
      await second.shutdown();
    }
  });
});
