import { afterEach, describe, expect, it } from 'vitest';
import { errorCodeOf, jsonOf, type LinkBody, postJson } from './support/http.js';
import { type Stack, startStack } from './support/stack.js';

const stacks: Stack[] = [];
async function stackWith(backend: Record<string, string> = {}) {
  const stack = await startStack({ backend });
  stacks.push(stack);
  return stack;
}

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

async function clicksInDatabase(stack: Stack, code: string): Promise<number> {
  const res = await fetch(`${stack.databaseUrl}/v1/links/${code}`);
  return (await jsonOf<LinkBody>(res)).clicks;
}

describe('database service down', () => {
  it('answers 503 with Retry-After, fails readiness, and recovers by itself', async () => {
    const stack = await stackWith();
    const api = `${stack.backendUrl}/api`;
    expect(
      (await postJson(`${api}/links`, { url: 'https://example.com', code: 'before' })).status,
    ).toBe(201);
    await stack.stopDatabase();

    const created = await postJson(`${api}/links`, { url: 'https://example.com', code: 'during' });
    expect(created.status).toBe(503);
    expect(created.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await errorCodeOf(created)).toBe('service_unavailable');
    for (const path of ['/links/before', '/links?limit=5', '/resolve/uncached']) {
      const res = await fetch(`${api}${path}`);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    const ready = await fetch(`${stack.backendUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.database).not.toBe(
      'ok',
    );

    await stack.startDatabase();
    await expect
      .poll(async () => (await fetch(`${stack.backendUrl}/readyz`)).status, { timeout: 10_000 })
      .toBe(200);
    const after = await postJson(`${api}/links`, { url: 'https://example.com', code: 'during' });
    expect(after.status).toBe(201);
  });

  it('keeps clicks made while the database is down and counts them once it is back', async () => {
    const stack = await stackWith();
    const api = `${stack.backendUrl}/api`;
    await postJson(`${api}/links`, { url: 'https://example.com/c', code: 'clicked' });
    expect((await fetch(`${api}/resolve/clicked`)).status).toBe(200);
    await expect.poll(() => clicksInDatabase(stack, 'clicked')).toBe(1);
    await expect
      .poll(async () => (await fetch(`${stack.cacheUrl}/v1/keys/link:clicked`)).status)
      .toBe(200);

    await stack.stopDatabase();
    // Served from the cache; the flushes in the meantime fail and keep the batch.
    for (let i = 0; i < 2; i++) expect((await fetch(`${api}/resolve/clicked`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));

    await stack.startDatabase();
    await expect.poll(() => clicksInDatabase(stack, 'clicked'), { timeout: 10_000 }).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await clicksInDatabase(stack, 'clicked')).toBe(3);
    expect((await jsonOf<LinkBody>(await fetch(`${api}/links/clicked`))).clicks).toBe(3);
  });
});
