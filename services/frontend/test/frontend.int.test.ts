import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

let counter = 0;
/** A code no other test uses, so tests stay independent on the shared database. */
function uniqueCode(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${counter}`;
}

function submitForm(fields: Record<string, string>) {
  return fetch(`${stack.frontendUrl}/`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

/** The same call to the frontend and to the backend directly. */
async function both(path: string, init: RequestInit = {}) {
  const viaFrontend = await fetch(`${stack.frontendUrl}${path}`, init);
  const direct = await fetch(`${stack.backendUrl}${path}`, init);
  return { viaFrontend, direct };
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  return text === '' ? '' : (JSON.parse(text) as unknown);
}

describe('pages against the real backend', () => {
  it('renders the home page with security headers and no inline script allowance', async () => {
    const res = await fetch(`${stack.frontendUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain("'unsafe-inline'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(res.headers.get('referrer-policy')).toBeTruthy();
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const page = await res.text();
    expect(page).toContain('<form class="card" method="post" action="/">');
    expect(page).toContain('Recent links');
  });

  it('creates a link from the form: 303, then the page shows the short URL', async () => {
    const code = uniqueCode('form');
    const posted = await submitForm({ url: 'https://example.com/from-form', code });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/?created=${code}`);

    const shown = await fetch(`${stack.frontendUrl}/?created=${code}`);
    const page = await shown.text();
    expect(page).toContain(
      `<a id="short-url" class="short-url" href="${stack.frontendUrl}/${code}">${stack.frontendUrl}/${code}</a>`,
    );
    expect(page).toContain('https://example.com/from-form');

    const stored = await fetch(`${stack.backendUrl}/api/links/${code}`);
    expect(stored.status).toBe(200);
  });

  it('lets the backend pick a code when none is given', async () => {
    const posted = await submitForm({ url: 'https://example.com/generated', code: '' });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location') ?? '';
    expect(location).toMatch(/^\/\?created=[A-Za-z0-9_-]{3,32}$/);
    const page = await (await fetch(`${stack.frontendUrl}${location}`)).text();
    expect(page).toContain('id="short-url"');
  });

  it('re-renders the form with 400 and the escaped input for an invalid URL', async () => {
    const hostile = 'ftp://x/"><script>alert(1)</script>';
    const res = await submitForm({ url: hostile, code: '' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('role="alert"');
    expect(page).toContain('value="ftp://x/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).not.toContain('<script>alert(1)</script>');
  });

  it('re-renders with 400 for an invalid custom code', async () => {
    const res = await submitForm({ url: 'https://example.com/', code: 'a b' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('A custom code is 3 to 32 letters');
    expect(page).toContain('value="a b"');
  });

  it('answers 409 for a taken code', async () => {
    const code = uniqueCode('taken');
    expect((await submitForm({ url: 'https://example.com/1', code })).status).toBe(303);
    const again = await submitForm({ url: 'https://example.com/2', code });
    expect(again.status).toBe(409);
    const page = await again.text();
    expect(page).toContain('is already taken');
    expect(page).toContain('value="https://example.com/2"');
  });

  it('redirects a code with 302 to its target and 404s an unknown one', async () => {
    const code = uniqueCode('go');
    await submitForm({ url: 'https://example.com/landing?x=1', code });
    const res = await fetch(`${stack.frontendUrl}/${code}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/landing?x=1');

    const missing = await fetch(`${stack.frontendUrl}/${uniqueCode('missing')}`, {
      redirect: 'manual',
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
    expect(await missing.text()).toContain('Link not found');
  });

  it('counts clicks and shows them on the home page', async () => {
    const code = uniqueCode('clicks');
    await submitForm({ url: 'https://example.com/counted', code });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${stack.frontendUrl}/${code}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
    }
    const row = new RegExp(
      `href="${stack.frontendUrl}/${code}"[\\s\\S]*?<td data-label="Clicks" class="num">(\\d+)</td>`,
    );
    // Clicks reach the database in batches; allow a few flush intervals.
    let clicks: string | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      const page = await (await fetch(`${stack.frontendUrl}/`)).text();
      clicks = row.exec(page)?.[1];
      if (clicks === '3') break;
      await sleep(100);
    }
    expect(clicks).toBe('3');
  });
});

describe('/api through the frontend', () => {
  it('creates, reads and deletes links with the same status and JSON as the backend', async () => {
    const code = uniqueCode('api');
    const created = await fetch(`${stack.frontendUrl}/api/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/api', code }),
    });
    expect(created.status).toBe(201);
    const createdBody = await bodyOf(created);
    expect(createdBody).toMatchObject({ code, url: 'https://example.com/api', clicks: 0 });

    const read = await both(`/api/links/${code}`);
    expect(read.viaFrontend.status).toBe(200);
    expect(read.viaFrontend.status).toBe(read.direct.status);
    expect(await bodyOf(read.viaFrontend)).toEqual(createdBody);
    expect(await bodyOf(read.direct)).toEqual(createdBody);

    const duplicate = await both('/api/links', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/api', code }),
    });
    expect(duplicate.viaFrontend.status).toBe(409);
    expect(duplicate.direct.status).toBe(409);
    expect(await bodyOf(duplicate.viaFrontend)).toEqual(await bodyOf(duplicate.direct));

    const listed = await both('/api/links?limit=2');
    expect(listed.viaFrontend.status).toBe(200);
    expect(await bodyOf(listed.viaFrontend)).toEqual(await bodyOf(listed.direct));

    const badLimit = await both('/api/links?limit=500');
    expect(badLimit.viaFrontend.status).toBe(400);
    expect(badLimit.direct.status).toBe(400);
    expect(await bodyOf(badLimit.viaFrontend)).toEqual(await bodyOf(badLimit.direct));

    const deleted = await fetch(`${stack.frontendUrl}/api/links/${code}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');

    const gone = await both(`/api/links/${code}`, { method: 'DELETE' });
    expect(gone.viaFrontend.status).toBe(404);
    expect(gone.direct.status).toBe(404);
    expect(await bodyOf(gone.viaFrontend)).toEqual(await bodyOf(gone.direct));
  });

  it('passes malformed JSON and oversized bodies to the backend, which rejects them', async () => {
    const malformed = await both('/api/links', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"url": ',
    });
    expect(malformed.viaFrontend.status).toBe(400);
    expect(malformed.direct.status).toBe(400);
    const malformedBody = await bodyOf(malformed.viaFrontend);
    expect(malformedBody).toMatchObject({ error: { code: 'invalid_json' } });
    expect(malformedBody).toEqual(await bodyOf(malformed.direct));

    const huge = JSON.stringify({ url: `https://example.com/${'a'.repeat(17 * 1024)}` });
    const tooLarge = await both('/api/links', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    });
    expect(tooLarge.viaFrontend.status).toBe(413);
    expect(tooLarge.direct.status).toBe(413);
    const tooLargeBody = await bodyOf(tooLarge.viaFrontend);
    expect(tooLargeBody).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(tooLargeBody).toEqual(await bodyOf(tooLarge.direct));
  });

  it('carries x-request-id to the backend and back', async () => {
    // The backend echoes the id it received; had the frontend not sent it, the backend would
    // answer with a fresh one and the forwarded response would carry that instead.
    const res = await fetch(`${stack.frontendUrl}/api/links?limit=1`, {
      headers: { 'x-request-id': 'frontend-int-rid-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('frontend-int-rid-1');

    const page = await fetch(`${stack.frontendUrl}/`, {
      headers: { 'x-request-id': 'frontend-int-rid-2' },
    });
    expect(page.headers.get('x-request-id')).toBe('frontend-int-rid-2');

    const generated = await fetch(`${stack.frontendUrl}/api/links?limit=1`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
