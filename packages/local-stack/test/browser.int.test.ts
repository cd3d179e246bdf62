/**
 * A browser smoke test of the stack as processes (the services' own browser test runs the
 * frontend in-process, on stand-ins for the backend): the system Chromium creates a link with
 * the form and follows it through frontend → backend → cache/database to its target.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '@appdist/testing/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLinks, startTestStack, type TestStack } from './support.js';

describe('in Chromium, against the stack as processes', () => {
  let stack: TestStack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let target: Server;
  let targetUrl: string;

  beforeAll(async () => {
    // The page the link points at: a local server, so following it leaves the stack.
    target = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Target</title><p>landed</p>');
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    [stack, browser] = await Promise.all([startTestStack({ logLevel: 'warn' }), launchChromium()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    target?.closeAllConnections();
    await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
  });

  it('creates a link with the form and the short URL lands on its target, counted', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(`${stack.urls.frontend}/`);
      await page.getByLabel('Long URL').fill(`${targetUrl}/landing?from=stack`);
      await page.getByLabel(/custom code/i).fill('browser-smoke');
      await Promise.all([
        page.waitForURL(/\/\?created=browser-smoke$/),
        page.getByRole('button', { name: 'Shorten' }).click(),
      ]);
      const shortUrl = await page.locator('#short-url').textContent();
      expect(shortUrl).toBe(`${stack.urls.frontend}/browser-smoke`);

      await page.goto(shortUrl ?? '');
      expect(page.url()).toBe(`${targetUrl}/landing?from=stack`);
      expect(await page.locator('p').textContent()).toBe('landed');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
    // The click went through the backend's buffer to the database service.
    await expect
      .poll(async () => (await allLinks(stack.urls.database)).get('browser-smoke')?.clicks, {
        timeout: 10_000,
      })
      .toBe(1);
  }, 60_000);
});
