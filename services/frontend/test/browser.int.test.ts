import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '@appdist/testing/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
let browser: Browser;
let target: Server;
let targetUrl: string;
const landed: string[] = [];

beforeAll(async () => {
  // The page a short link points at: a plain local server, so the redirect leaves the stack.
  target = createServer((req, res) => {
    landed.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Target</title><p>landed</p>');
  });
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  target?.closeAllConnections();
  await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
});

const pages: Page[] = [];
afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
});

/** A fresh page that records every console message, where Chromium reports CSP violations. */
async function openPage(): Promise<{ page: Page; console: string[] }> {
  const page = await browser.newPage();
  pages.push(page);
  const messages: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  return { page, console: messages };
}

// Browser-side expressions as strings: this project compiles without the DOM library.
const BODY_MARGIN = 'getComputedStyle(document.body).margin';

const cspViolations = (messages: readonly string[]) =>
  messages.filter((message) => /content security policy/i.test(message));

describe('in a browser', () => {
  it('shortens a URL with the form and the short URL lands on the target', async () => {
    const { page, console } = await openPage();
    await page.goto(`${stack.frontendUrl}/`);
    expect(await page.title()).toBe('Shorten a link · appdist');
    // The stylesheet loaded under the CSP: its rules apply.
    expect(await page.evaluate<string>(BODY_MARGIN)).toBe('0px');

    await page.getByLabel('Long URL').fill(`${targetUrl}/landing?from=browser`);
    await Promise.all([
      page.waitForURL(/\/\?created=/),
      page.getByRole('button', { name: 'Shorten' }).click(),
    ]);
    const shortUrl = (await page.locator('#short-url').textContent()) ?? '';
    expect(shortUrl).toMatch(new RegExp(`^${stack.frontendUrl}/[A-Za-z0-9_-]{3,32}$`));

    await page.goto(shortUrl);
    expect(page.url()).toBe(`${targetUrl}/landing?from=browser`);
    expect(await page.locator('p').textContent()).toBe('landed');
    expect(landed).toContain('/landing?from=browser');

    expect(cspViolations(console)).toEqual([]);
    expect(console.filter((message) => /^(error|pageerror):/.test(message))).toEqual([]);
  });

  it('keeps the form from submitting an empty URL', async () => {
    const { page } = await openPage();
    await page.goto(`${stack.frontendUrl}/`);
    await page.getByRole('button', { name: 'Shorten' }).click();
    expect(page.url()).toBe(`${stack.frontendUrl}/`);
    expect(
      await page.evaluate<boolean>("document.getElementById('url').validity.valueMissing"),
    ).toBe(true);
  });

  it('reports a CSP violation when inline style is injected, so the check above can fail', async () => {
    const { page, console } = await openPage();
    await page.goto(`${stack.frontendUrl}/`);
    await page.evaluate(
      "document.head.insertAdjacentHTML('beforeend', '<style>body { margin: 3px; }</style>')",
    );
    await page.waitForTimeout(200);
    expect(cspViolations(console).length).toBeGreaterThan(0);
    expect(await page.evaluate<string>(BODY_MARGIN)).toBe('0px');
  });
});
