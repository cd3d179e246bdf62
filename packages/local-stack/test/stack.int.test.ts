import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeServicePorts, startLocalStack } from '../src/stack.js';
import { startTestStack, type TestStack } from './support.js';

interface Link {
  code: string;
  url: string;
  clicks: number;
}

describe('the stack as processes, on real PostgreSQL and Redis', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ logLevel: 'warn' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a link through the API on the frontend and redirects to it, counting clicks', async () => {
    const frontend = stack.urls.frontend;
    const created = await fetch(`${frontend}/api/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/docs?page=1' }),
    });
    expect(created.status).toBe(201);
    const link = (await created.json()) as Link;
    expect(link.code).toMatch(/^[A-Za-z0-9_-]{3,32}$/);

    for (let i = 0; i < 3; i++) {
      const redirect = await fetch(`${frontend}/${link.code}`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe('https://example.com/docs?page=1');
    }
    const read = (await (await fetch(`${frontend}/api/links/${link.code}`)).json()) as Link;
    expect(read.clicks).toBe(3);
  });

  it('creates a link through the form and redirects to it', async () => {
    const frontend = stack.urls.frontend;
    const posted = await fetch(`${frontend}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url: 'https://example.org/form', code: 'from-form' }).toString(),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const page = await fetch(new URL(posted.headers.get('location') ?? '/', frontend));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/from-form');

    const redirect = await fetch(`${frontend}/from-form`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://example.org/form');
  });

  it('answers an unknown code with the HTML 404 page', async () => {
    const response = await fetch(`${stack.urls.frontend}/no-such-code`, { redirect: 'manual' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('every service reports its version and readiness', async () => {
    for (const name of SERVICE_NAMES) {
      const version = (await (await fetch(`${stack.urls[name]}/version`)).json()) as {
        name: string;
      };
      expect(version.name).toBe(name);
      expect((await fetch(`${stack.urls[name]}/readyz`)).status).toBe(200);
    }
  });
});

describe('the stack on embedded defaults (what npm start runs)', () => {
  it('runs with nothing installed and keeps its data across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appdist-embedded-'));
    const ports = await freeServicePorts();
    try {
      let stack = await startLocalStack({ ports, embeddedDataDir: dataDir, logLevel: 'warn' });
      const children = [...stack.services.values()].map((service) => service.child);
      expect(children).toHaveLength(5);
      try {
        const created = await fetch(`${stack.urls.frontend}/api/links`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: 'https://example.net/', code: 'kept' }),
        });
        expect(created.status).toBe(201);
      } finally {
        await stack.stop();
      }
      // Each one drained and exited by itself on SIGTERM, with status 0.
      expect(children.map((child) => child.exitCode)).toEqual([0, 0, 0, 0, 0]);

      stack = await startLocalStack({ ports, embeddedDataDir: dataDir, logLevel: 'warn' });
      try {
        const redirect = await fetch(`${stack.urls.frontend}/kept`, { redirect: 'manual' });
        expect(redirect.status).toBe(302);
        expect(redirect.headers.get('location')).toBe('https://example.net/');
      } finally {
        await stack.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a stack that cannot start', () => {
  it('reports the service that failed and stops the ones already running', async () => {
    const ports = await freeServicePorts();
    const dataDir = await mkdtemp(join(tmpdir(), 'appdist-stack-'));
    try {
      // The backend refuses its configuration and exits; cache, database and tester were up.
      await expect(
        startLocalStack({
          ports,
          embeddedDataDir: dataDir,
          logLevel: 'warn',
          env: { backend: { LOG_LEVEL: 'shout' } },
        }),
      ).rejects.toThrow(/^backend exited \(\w+\) before it was ready/);
      for (const name of ['cache', 'database', 'tester'] as const) {
        await expect(fetch(`http://127.0.0.1:${ports[name]}/healthz`), name).rejects.toThrow();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
