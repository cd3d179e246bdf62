import { type HtmlValue, html, type SafeHtml, safeHref } from './html.js';
import { assetUrl } from './static-assets.js';

export interface LinkView {
  code: string;
  url: string;
  createdAt: string;
  clicks: number;
}

export interface FormValues {
  url: string;
  code: string;
}

export interface FormError {
  /** The input the message is about, so it can be marked invalid and described by it. */
  field: 'url' | 'code' | null;
  message: string;
}

export interface HomePageModel {
  /** Origin (and optional path prefix) of short URLs, without a trailing slash. */
  shortUrlBase: string;
  recent: readonly LinkView[];
  form?: FormValues;
  error?: FormError;
  created?: LinkView;
}

/** Same pattern as the backend's codes; the browser checks it before submitting. */
const CODE_PATTERN = '[A-Za-z0-9_\\-]{3,32}';

function shortUrl(base: string, code: string): string {
  return `${base}/${encodeURIComponent(code)}`;
}

function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · appdist</title>
<link rel="stylesheet" href="${assetUrl('app.css')}">
<link rel="icon" type="image/svg+xml" href="${assetUrl('favicon.svg')}">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><a class="brand" href="/">appdist</a><p class="tagline">Short links, counted.</p></header>
<main id="main">
${body}
</main>
<footer class="site-footer"><p>The JSON API is at <code>/api/links</code>.</p></footer>
</body>
</html>
`.value;
}

function formatTime(iso: string): HtmlValue {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Rendered on the server in UTC: the page carries no script to localise it.
  const text = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}">${text}</time>`;
}

function createdNotice(base: string, link: LinkView): SafeHtml {
  const url = shortUrl(base, link.code);
  return html`<section class="alert alert-success" aria-labelledby="created-title">
<h1 id="created-title">Your short link is ready</h1>
<p><a id="short-url" class="short-url" href="${safeHref(url)}">${url}</a></p>
<p class="target">Redirects to <a href="${safeHref(link.url)}" rel="noopener noreferrer nofollow">${link.url}</a></p>
</section>`;
}

function linkForm(values: FormValues, error: FormError | undefined): SafeHtml {
  const urlInvalid = error?.field === 'url';
  const codeInvalid = error?.field === 'code';
  const describedBy = (hint: string, invalid: boolean) => (invalid ? `form-error ${hint}` : hint);
  return html`<form class="card" method="post" action="/">
${error && html`<div class="alert alert-error" role="alert" id="form-error">${error.message}</div>`}
<div class="row">
<div class="field">
<label for="url">Long URL</label>
<input id="url" name="url" type="url" required maxlength="2048" inputmode="url" autocomplete="off"
  placeholder="https://example.com/a/long/path" value="${values.url}"
  aria-describedby="${describedBy('url-hint', urlInvalid)}"${urlInvalid && html` aria-invalid="true"`}>
<p class="hint" id="url-hint">http:// or https://, up to 2048 characters.</p>
</div>
<div class="field">
<label for="code">Custom code <span class="hint">(optional)</span></label>
<input id="code" name="code" type="text" pattern="${CODE_PATTERN}" maxlength="32" autocomplete="off"
  spellcheck="false" value="${values.code}"
  aria-describedby="${describedBy('code-hint', codeInvalid)}"${codeInvalid && html` aria-invalid="true"`}>
<p class="hint" id="code-hint">3–32 letters, digits, _ or -.</p>
</div>
</div>
<button type="submit">Shorten</button>
</form>`;
}

function recentLinks(base: string, links: readonly LinkView[]): SafeHtml {
  if (links.length === 0) {
    return html`<p class="empty">No links yet: create the first one above.</p>`;
  }
  const rows = links.map((link) => {
    const url = shortUrl(base, link.code);
    return html`<tr>
<td data-label="Short URL" class="url"><a href="${safeHref(url)}">${url}</a></td>
<td data-label="Target" class="url"><a href="${safeHref(link.url)}" rel="noopener noreferrer nofollow">${link.url}</a></td>
<td data-label="Clicks" class="num">${link.clicks}</td>
<td data-label="Created">${formatTime(link.createdAt)}</td>
</tr>`;
  });
  return html`<table>
<thead><tr><th scope="col">Short URL</th><th scope="col">Target</th><th scope="col" class="num">Clicks</th><th scope="col">Created</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

export function homePage(model: HomePageModel): string {
  const values = model.form ?? { url: '', code: '' };
  const body = html`${model.created ? createdNotice(model.shortUrlBase, model.created) : html`<h1>Shorten a link</h1>`}
${model.created && html`<h2>Shorten another link</h2>`}
${linkForm(values, model.error)}
<section aria-labelledby="recent-title">
<h2 id="recent-title">Recent links</h2>
<p class="hint">Newest first, with how often each was followed.</p>
${recentLinks(model.shortUrlBase, model.recent)}
</section>`;
  return layout(model.created ? 'Link created' : 'Shorten a link', body);
}

export function notFoundPage(): string {
  return layout(
    'Not found',
    html`<h1>Link not found</h1>
<p>There is no short link at this address. It may have been mistyped or deleted.</p>
<p><a href="/">Create a short link</a></p>`,
  );
}

export interface ErrorPageModel {
  title: string;
  message: string;
}

/** For a backend that is down or answered nonsense: says so plainly and offers a way back. */
export function errorPage({ title, message }: ErrorPageModel): string {
  return layout(
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
<p><a href="/">Back to the home page</a></p>`,
  );
}
