import { createHash } from 'node:crypto';

export interface StaticAsset {
  contentType: string;
  body: string;
  /** Short content hash: the ETag, and the `?v=` pages add so a new release busts caches. */
  hash: string;
}

function asset(contentType: string, body: string): StaticAsset {
  return { contentType, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

// Kept in a module rather than a .css file so the build needs no copy step and the
// container image needs nothing beyond dist/.
const APP_CSS = `:root {
  color-scheme: light dark;
  --bg: #f6f7fb;
  --surface: #ffffff;
  --text: #1c2030;
  --muted: #5a6072;
  --border: #d9dce6;
  --accent: #2f5bd3;
  --accent-text: #ffffff;
  --danger: #b3261e;
  --danger-bg: #fdecea;
  --success-bg: #e8f3ec;
  --success-border: #2e7d4f;
  --focus: #f0a500;
  --radius: 10px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14161d;
    --surface: #1d2029;
    --text: #e8eaf1;
    --muted: #a3a9ba;
    --border: #343949;
    --accent: #7c9cff;
    --accent-text: #0d1020;
    --danger: #ffb4ab;
    --danger-bg: #3b1d1b;
    --success-bg: #17301f;
    --success-border: #5fbf87;
  }
}
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; }
.skip-link:focus { left: 1rem; top: 1rem; background: var(--surface); padding: .5rem 1rem; }
.site-header, main, .site-footer { max-width: 56rem; margin: 0 auto; padding: 1rem 1.25rem; }
.site-header { display: flex; align-items: baseline; gap: .75rem; }
.brand { font-size: 1.4rem; font-weight: 700; color: var(--text); text-decoration: none; }
.tagline { color: var(--muted); margin: 0; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 1.25rem; }
.field { display: flex; flex-direction: column; gap: .25rem; margin-bottom: 1rem; }
label { font-weight: 600; }
.hint { color: var(--muted); font-size: .9rem; margin: 0; }
input {
  font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--border); border-radius: 8px; padding: .6rem .75rem; width: 100%;
}
input[aria-invalid="true"] { border-color: var(--danger); }
button {
  font: inherit; font-weight: 600; cursor: pointer; border: 0; border-radius: 8px;
  padding: .65rem 1.25rem; background: var(--accent); color: var(--accent-text);
}
button:hover { filter: brightness(1.08); }
.row { display: grid; grid-template-columns: 2fr 1fr; gap: 1rem; }
.alert { border-radius: var(--radius); padding: .75rem 1rem; margin-bottom: 1rem; }
.alert-error { background: var(--danger-bg); color: var(--danger); border: 1px solid var(--danger); }
.alert-success { background: var(--success-bg); border: 1px solid var(--success-border); }
.short-url { font-size: 1.35rem; font-weight: 700; word-break: break-all; }
.target { color: var(--muted); word-break: break-all; margin: .25rem 0 0; }
table { margin-top: .75rem; width: 100%; border-collapse: collapse; background: var(--surface); border-radius: var(--radius); overflow: hidden; }
th, td { text-align: left; padding: .6rem .75rem; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
td.url { word-break: break-all; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: var(--muted); }
.site-footer { color: var(--muted); font-size: .85rem; }
@media (max-width: 40rem) {
  .row { grid-template-columns: 1fr; gap: 0; }
  thead { position: absolute; left: -999px; }
  table, tbody, tr, td { display: block; }
  tr { border-bottom: 1px solid var(--border); padding: .5rem 0; }
  td { border: 0; padding: .15rem .75rem; }
  td.num { text-align: left; }
  td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
`;

const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f5bd3"/><path d="M9 20l14-8M9 12h6M17 20h6" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>`;

export const STATIC_ASSETS: ReadonlyMap<string, StaticAsset> = new Map([
  ['app.css', asset('text/css; charset=utf-8', APP_CSS)],
  ['favicon.svg', asset('image/svg+xml', FAVICON_SVG)],
]);

/** The URL pages link to: versioned by content, so it may be cached for a year. */
export function assetUrl(name: string): string {
  const found = STATIC_ASSETS.get(name);
  return found ? `/static/${name}?v=${found.hash}` : `/static/${name}`;
}
