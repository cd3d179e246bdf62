import { expectContentType, expectJsonError, expectStatus, fail, snippet } from './expect.js';
import type { Answer } from './http-client.js';
import { expectLink, linkApi, targetFor } from './links.js';
import type { ServiceSuite } from './suite.js';

// A form that posts to / with the two fields the contract names; markup details are free.
const LINK_FORM =
  /<form\b[^>]*\bmethod="post"[^>]*>[\s\S]*?\bname="url"[\s\S]*?\bname="code"[\s\S]*?<\/form>/i;

function expectHtml(answer: Answer, status: number): void {
  expectStatus(answer, status);
  expectContentType(answer, 'text/html');
}

/** The pages (home, form, redirect, HTML 404) and the /api forwarding to the backend. */
export const frontendSuite: ServiceSuite = {
  // Under /api/ the backend answers, so an unknown route there must be its JSON 404.
  unknownRoutePath: (prefix) => `/api/${prefix}/no-such-route`,
  checks(context) {
    const { http, prefix, cleanup } = context;
    const links = linkApi(context, '/api/links');
    const formCode = `${prefix}-form`;
    const formTarget = targetFor(formCode);
    return [
      {
        name: 'home page',
        run: async () => {
          const answer = await http.request('GET', '/');
          expectHtml(answer, 200);
          if (!LINK_FORM.test(answer.text)) {
            fail(answer, 'a page with a form posting url and code', snippet(answer.text));
          }
        },
      },
      {
        name: 'form post',
        run: async () => {
          const posted = await cleanup.write(http, links.tracked(formCode, formTarget), {
            method: 'POST',
            path: '/',
            // Exactly what a browser sends (fetch would add `;charset=UTF-8` to URLSearchParams).
            body: new URLSearchParams({ url: formTarget, code: formCode }).toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          });
          expectStatus(posted, 303);
          const location = `/?created=${formCode}`;
          const actual = posted.headers.get('location');
          if (actual !== location) fail(posted, `location ${location}`, actual ?? 'none');
          const page = await http.request('GET', location);
          expectHtml(page, 200);
          // The short URL's origin follows PUBLIC_URL or the request, so only its path is known.
          if (!page.text.includes(`/${formCode}"`)) {
            fail(page, `a page linking the short URL …/${formCode}`, snippet(page.text));
          }
        },
      },
      {
        name: 'redirect',
        needs: ['form post'],
        run: async () => {
          const answer = await http.request('GET', `/${formCode}`);
          expectStatus(answer, 302);
          const location = answer.headers.get('location');
          if (location !== formTarget) fail(answer, `location ${formTarget}`, location ?? 'none');
        },
      },
      {
        name: 'html 404',
        run: async () => {
          // An unknown code and a path that could never be a code: both get the HTML page.
          for (const path of [`/${prefix}-missing`, `/${prefix}/no/such/page`]) {
            expectHtml(await http.request('GET', path), 404);
          }
        },
      },
      {
        name: 'api forwarding',
        run: async () => {
          const code = `${prefix}-api`;
          const url = targetFor(code);
          expectLink(await links.create(code, url), 201, { code, url });
          expectLink(await links.get(code), 200, { code, url });
          expectStatus(await links.remove(code), 204);
          expectJsonError(await links.get(code), 404, 'not_found');
        },
      },
    ];
  },
};
