import { expectContentType, expectJsonError, expectStatus, fail, snippet } from './expect.js';
import { expectLink, LinkApi, targetFor } from './links.js';
import type { ServiceSuite } from './suite.js';

// A form that posts to / with the two fields the contract names; markup details are free.
const LINK_FORM =
  /<form\b[^>]*\bmethod="post"[^>]*>[\s\S]*?\bname="url"[\s\S]*?\bname="code"[\s\S]*?<\/form>/i;

/** The pages (home, form, redirect, HTML 404) and the /api forwarding to the backend. */
export const frontendSuite: ServiceSuite = {
  // Under /api/ the backend answers, so an unknown route there must be its JSON 404.
  unknownRoutePath: (prefix) => `/api/${prefix}/no-such-route`,
  checks({ http, prefix, cleanup }) {
    const links = new LinkApi(http, '/api/links', cleanup);
    const formCode = `${prefix}-form`;
    const formTarget = targetFor(formCode);
    return [
      {
        name: 'home page',
        run: async () => {
          const answer = await http.request('GET', '/');
          expectStatus(answer, 200);
          expectContentType(answer, 'text/html');
          if (!LINK_FORM.test(answer.text)) {
            fail(answer, 'a page with a form posting url and code', snippet(answer.text));
          }
        },
      },
      {
        name: 'form post',
        run: async () => {
          const write = links.track(formCode, formTarget);
          const posted = await http.request('POST', '/', {
            form: { url: formTarget, code: formCode },
          });
          write.answered(posted.status);
          expectStatus(posted, 303);
          const location = `/?created=${formCode}`;
          const actual = posted.headers.get('location');
          if (actual !== location) fail(posted, `location ${location}`, actual ?? 'none');
          const page = await http.request('GET', location);
          expectStatus(page, 200);
          expectContentType(page, 'text/html');
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
            const answer = await http.request('GET', path);
            expectStatus(answer, 404);
            expectContentType(answer, 'text/html');
          }
        },
      },
      {
        name: 'api forwarding',
        run: async () => {
          const code = `${prefix}-api`;
          const url = targetFor(code);
          const created = await links.create(code, url);
          expectStatus(created, 201);
          expectLink(created, { code, url });
          const read = await links.get(code);
          expectStatus(read, 200);
          expectLink(read, { code, url });
          expectStatus(await links.remove(code), 204);
          expectJsonError(await links.get(code), 404, 'not_found');
        },
      },
    ];
  },
};
