import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, isHttpUrl, type SafeHtml, safeHref } from '../src/html.js';

function decodeEntities(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#96;', '`')
    .replaceAll('&amp;', '&');
}

describe('html', () => {
  it('escapes every interpolation', () => {
    const payload = `"><script>alert('x')</script><img src=x onerror=alert(1)>`;
    const out = html`<a title="${payload}">${payload}</a>`.value;
    expect(out).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;">' +
        '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</a>',
    );
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
  });

  it('keeps nested templates as markup and escapes their values once', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>&lt;i&gt;</b></p>');
  });

  it('joins arrays and renders nothing for null, undefined and false', () => {
    const items = ['<a>', html`<br>`, 3];
    expect(html`${items}|${null}|${undefined}|${false}|${0}`.value).toBe('&lt;a&gt;<br>3||||0');
  });

  it('does not treat objects that merely look like SafeHtml as markup', () => {
    const fake = { value: '<script>' } as unknown as SafeHtml;
    expect(html`${fake}`.value).not.toContain('<script>');
  });

  it('never lets a character that could end an attribute or open a tag through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(decodeEntities(escaped)).toBe(text);
        expect(html`<p title="${text}">${text}</p>`.value).toBe(
          `<p title="${escaped}">${escaped}</p>`,
        );
      }),
    );
  });
});

describe('safeHref', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/',
    '/\\evil.example/',
    'http:/evil.example',
    'not a url',
    '',
  ])('turns %j into an inert link', (url) => {
    expect(safeHref(url)).toBe('#');
  });

  it.each(['http://example.com/a?b=c', 'HTTPS://example.com/', '/abc', '/'])('keeps %j', (url) => {
    expect(safeHref(url)).toBe(url);
  });

  it('accepts only absolute http(s) URLs as redirect targets', () => {
    expect(isHttpUrl('https://example.com')).toBe(true);
    expect(isHttpUrl('/relative')).toBe(false);
    expect(isHttpUrl('ftp://example.com')).toBe(false);
    expect(isHttpUrl('http://')).toBe(false);
  });
});
