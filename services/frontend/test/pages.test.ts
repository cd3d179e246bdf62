import { describe, expect, it } from 'vitest';
import { errorPage, homePage, type LinkView, notFoundPage } from '../src/pages.js';

const XSS_URL = "https://example.com/?q=\"><script>alert(1)</script>&x='y'";
const XSS_CODE = '"><img src=x onerror=alert(1)>';

const link = (overrides: Partial<LinkView> = {}): LinkView => ({
  code: 'abc123',
  url: 'https://example.com/a',
  createdAt: '2025-01-02T03:04:05.000Z',
  clicks: 7,
  ...overrides,
});

// No page may carry anything a strict CSP (no 'unsafe-inline') would block.
function expectCspClean(page: string) {
  expect(page).not.toMatch(/<script/i);
  expect(page).not.toMatch(/<style/i);
  // Attribute names only: quoted values are blanked (a '"' inside one would be escaped), and
  // text cannot hold a raw "<", so what is left between < and > is real markup.
  const markup = page.replace(/"[^"]*"/g, '""');
  expect(markup).not.toMatch(/<[a-z][^>]*\sstyle=/i);
  expect(markup).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
}

describe('homePage', () => {
  it('renders the form and the recent links with short URL, target, clicks and time', () => {
    const page = homePage({ shortUrlBase: 'https://s.example', recent: [link()] });
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<form class="card" method="post" action="/">');
    expect(page).toMatch(
      /<label for="url">[^<]*<\/label>\s*<input id="url" name="url" type="url" required/,
    );
    expect(page).toContain('<label for="code">');
    expect(page).toContain('pattern="[A-Za-z0-9_\\-]{3,32}"');
    expect(page).toContain('<a href="https://s.example/abc123">https://s.example/abc123</a>');
    expect(page).toContain('href="https://example.com/a" rel="noopener noreferrer nofollow"');
    expect(page).toContain('<td data-label="Clicks" class="num">7</td>');
    expect(page).toContain('<time datetime="2025-01-02T03:04:05.000Z">2025-01-02 03:04 UTC</time>');
    expect(page).toMatch(/<link rel="stylesheet" href="\/static\/app\.css\?v=[0-9a-f]{12}">/);
    expectCspClean(page);
  });

  it('says so when there are no links yet', () => {
    const page = homePage({ shortUrlBase: 'http://localhost', recent: [] });
    expect(page).toContain('No links yet');
    expect(page).not.toContain('<table');
  });

  it('escapes hostile URLs and codes in the list, the notice and the form', () => {
    const hostile = link({ url: XSS_URL, code: XSS_CODE });
    const page = homePage({
      shortUrlBase: 'https://s.example',
      recent: [hostile],
      created: hostile,
      form: { url: XSS_URL, code: XSS_CODE },
      error: { field: 'code', message: `bad <b>${XSS_CODE}</b>` },
    });
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>');
    expect(page).toContain(
      'value="https://example.com/?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;x=&#39;y&#39;"',
    );
    expect(page).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expectCspClean(page);
  });

  it('never links to a script URL, even if the backend returned one', () => {
    const page = homePage({
      shortUrlBase: 'https://s.example',
      recent: [link({ url: 'javascript:alert(1)' })],
    });
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain(
      '<a href="#" rel="noopener noreferrer nofollow">javascript:alert(1)</a>',
    );
  });

  it('shows the created short URL prominently', () => {
    const page = homePage({
      shortUrlBase: 'https://s.example',
      recent: [link()],
      created: link(),
    });
    expect(page).toContain(
      '<a id="short-url" class="short-url" href="https://s.example/abc123">https://s.example/abc123</a>',
    );
    expect(page).toContain('<title>Link created · appdist</title>');
  });

  it('marks the field in error, keeps the entered values and announces the message', () => {
    const page = homePage({
      shortUrlBase: 'https://s.example',
      recent: [],
      form: { url: 'https://example.com/x', code: 'taken' },
      error: { field: 'code', message: 'The code is already taken.' },
    });
    expect(page).toContain(
      '<div class="alert alert-error" role="alert" id="form-error">The code is already taken.</div>',
    );
    expect(page).toContain('value="https://example.com/x"');
    expect(page).toMatch(
      /value="taken"\s+aria-describedby="form-error code-hint" aria-invalid="true"/,
    );
    expect(page).toMatch(/aria-describedby="url-hint">/);
  });
});

describe('notFoundPage and errorPage', () => {
  it('render complete, CSP-clean pages', () => {
    const missing = notFoundPage();
    expect(missing).toContain('<h1>Link not found</h1>');
    expectCspClean(missing);
    const failed = errorPage({ title: 'Back <soon>', message: 'Try again' });
    expect(failed).toContain('<h1>Back &lt;soon&gt;</h1>');
    expect(failed).toContain('<a href="/">Back to the home page</a>');
    expectCspClean(failed);
  });
});
