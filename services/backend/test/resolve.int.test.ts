import { afterEach, describe, expect, it } from 'vitest';
import { errorCodeOf, jsonOf, type LinkBody, postJson } from './support/http.js';
import { type Stack, type StackOptions, startStack } from './support/stack.js';

const stacks: Stack[] = [];
async function stackWith(options: StackOptions = {}) {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
}

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

async function createLink(stack: Stack, code: string, url = `https://example.com/${code}`) {
  const res = await postJson(`${stack.backendUrl}/api/links`, { url, code });
  expect(res.status).toBe(201);
  return url;
}

const resolve = (stack: Stack, code: string) => fetch(`${stack.backendUrl}/api/resolve/${code}`);

async function clicksInDatabase(stack: Stack, code: string): Promise<number> {
  const res = await fetch(`${stack.databaseUrl}/v1/links/${code}`);
  return (await jsonOf<LinkBody>(res)).clicks;
}

/** Counts the cache service's own requests that failed, read from its metrics. */
async function cacheFailures(stack: Stack): Promise<number> {
  const text = await (await fetch(`${stack.cacheUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('http_requests_total{') && line.includes('status="500"')) {
      total += Number(line.split(' ').at(-1));
    }
  }
  return total;
}

describe('GET /api/resolve/:code', () => {
  it('answers {url}, counts each click at once and delivers them to the database exactly', async () => {
    const stack = await stackWith();
    const url = await createLink(stack, 'three-clicks');
    for (let i = 0; i < 3; i++) {
      const res = await resolve(stack, 'three-clicks');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ url });
    }
    const link = await jsonOf<LinkBody>(await fetch(`${stack.backendUrl}/api/links/three-clicks`));
    expect(link.clicks).toBe(3);
    await expect.poll(() => clicksInDatabase(stack, 'three-clicks')).toBe(3);
    // Several more flush intervals pass without the count moving.
    await new Promise((r) => setTimeout(r, 300));
    expect(await clicksInDatabase(stack, 'three-clicks')).toBe(3);
    const listed = await jsonOf<{ items: LinkBody[] }>(
      await fetch(`${stack.backendUrl}/api/links?limit=100`),
    );
    expect(listed.items.find((item) => item.code === 'three-clicks')?.clicks).toBe(3);
  });

  it('shows buffered clicks at once and delivers them when the backend shuts down', async () => {
    const stack = await stackWith({ backend: { CLICK_FLUSH_INTERVAL_MS: '600000' } });
    await createLink(stack, 'buffered');
    for (let i = 0; i < 3; i++) expect((await resolve(stack, 'buffered')).status).toBe(200);
    expect(await clicksInDatabase(stack, 'buffered')).toBe(0);
    const link = await jsonOf<LinkBody>(await fetch(`${stack.backendUrl}/api/links/buffered`));
    expect(link.clicks).toBe(3);
    const listed = await jsonOf<{ items: LinkBody[] }>(
      await fetch(`${stack.backendUrl}/api/links?limit=100`),
    );
    expect(listed.items.find((item) => item.code === 'buffered')?.clicks).toBe(3);

    await stack.stopBackend();
    expect(await clicksInDatabase(stack, 'buffered')).toBe(3);
  });

  it('answers 404 for an unknown code and for anything outside the code pattern', async () => {
    const stack = await stackWith();
    for (const code of ['unknown-code', 'ab', 'a'.repeat(33), 'sp%20ace']) {
      const res = await resolve(stack, code);
      expect(res.status, code).toBe(404);
      expect(await errorCodeOf(res)).toBe('not_found');
    }
  });

  it('reads through the cache: a cached link resolves with the database down', async () => {
    const stack = await stackWith();
    const url = await createLink(stack, 'cached-one');
    expect((await resolve(stack, 'cached-one')).status).toBe(200);
    // The cache write is not awaited by resolve; wait until it has landed.
    await expect
      .poll(async () => (await fetch(`${stack.cacheUrl}/v1/keys/link:cached-one`)).status)
      .toBe(200);

    await stack.stopDatabase();
    const res = await resolve(stack, 'cached-one');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ url });
  });

  it('serves from the database while the cache service is stopped', async () => {
    const stack = await stackWith();
    const url = await createLink(stack, 'no-cache');
    await stack.stopCache();
    for (let i = 0; i < 3; i++) {
      const res = await resolve(stack, 'no-cache');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ url });
    }
    expect((await fetch(`${stack.backendUrl}/readyz`)).status).toBe(200);
    await expect.poll(() => clicksInDatabase(stack, 'no-cache')).toBe(3);
  });

  it('skips a failing cache during its cooldown instead of asking it on every resolve', async () => {
    const stack = await stackWith({
      cache: { FAULT_ERROR_RATE: '1' },
      backend: { CACHE_COOLDOWN_MS: '60000' },
    });
    const url = await createLink(stack, 'cooldown');
    for (let i = 0; i < 5; i++) {
      const res = await resolve(stack, 'cooldown');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ url });
    }
    expect(await cacheFailures(stack)).toBe(1);
  });

  it('gives up on a slow cache after CACHE_TIMEOUT_MS', async () => {
    const stack = await stackWith({
      cache: { FAULT_DELAY_MS: '5000' },
      backend: { CACHE_TIMEOUT_MS: '100' },
    });
    const url = await createLink(stack, 'slow-cache');
    const started = performance.now();
    const res = await resolve(stack, 'slow-cache');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ url });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
