import type { Check } from './check.js';
import { expectJsonError, expectJsonObject, expectStatus, fail, snippet } from './expect.js';
import type { Answer } from './http-client.js';
import { expectLink, type LinkApi, linkApi, linkLifecycleChecks, targetFor } from './links.js';
import { poll } from './poll.js';
import type { ServiceSuite, SuiteContext } from './suite.js';

// Clicks are buffered (about a second) before they reach the database; a GET that another
// replica answers only sees them then.
const CLICK_VISIBLE_WITHIN_MS = 5_000;
const POLL_INTERVAL_MS = 100;

function createdLinkChecks({ http, prefix, signal }: SuiteContext, links: LinkApi): Check[] {
  const code = `${prefix}-link`;
  const url = targetFor(code);
  const resolvePath = `/api/resolve/${encodeURIComponent(code)}`;
  const resolveCountsAClick: Check = {
    name: 'resolve counts a click',
    needs: ['create'],
    run: async () => {
      const resolved = await http.request('GET', resolvePath);
      expectStatus(resolved, 200);
      const body = expectJsonObject(resolved);
      if (body.url !== url) fail(resolved, `{url: ${JSON.stringify(url)}}`, snippet(body));
      // Written inside the poll: the last answer is what a failure reports.
      const seen: { answer: Answer; clicks: number } = { answer: resolved, clicks: 0 };
      const counted = await poll(
        async () => {
          const answer = await links.get(code);
          const { clicks } = expectLink(answer, 200, { code, url });
          seen.answer = answer;
          seen.clicks = clicks;
          return clicks >= 1 ? clicks : undefined;
        },
        { withinMs: CLICK_VISIBLE_WITHIN_MS, intervalMs: POLL_INTERVAL_MS, signal },
      );
      if (counted === undefined) {
        fail(
          seen.answer,
          `clicks ≥ 1 within ${CLICK_VISIBLE_WITHIN_MS} ms of a resolve`,
          `clicks ${seen.clicks}`,
        );
      }
    },
  };
  return linkLifecycleChecks(links, code, { own: [resolveCountsAClick], alsoGone: [resolvePath] });
}

function inputChecks({ http, prefix }: SuiteContext, links: LinkApi): Check[] {
  return [
    {
      name: 'validation errors',
      run: async () => {
        // Valid codes of the suite's own, so a service that wrongly accepts one gets it cleaned up.
        const badUrl = `${prefix}-bad-url`;
        expectJsonError(await links.create(badUrl, 'javascript:alert(1)'), 400, 'invalid_url');
        // Carries the prefix as well, should a broken service store it anyway.
        const invalidCode = `${prefix}!`;
        expectJsonError(
          await http.request('POST', links.base, {
            json: { code: invalidCode, url: targetFor(invalidCode) },
          }),
          400,
          'invalid_code',
        );
        const duplicate = `${prefix}-dup`;
        expectStatus(await links.create(duplicate, targetFor(duplicate)), 201);
        expectJsonError(await links.create(duplicate, targetFor(duplicate)), 409, 'code_taken');
        const malformed = await http.request('POST', links.base, {
          body: '{"url": ',
          headers: { 'content-type': 'application/json' },
        });
        expectJsonError(malformed, 400, 'invalid_json');
      },
    },
    {
      name: 'request id echoed',
      run: async () => {
        const requestId = `${prefix}-request`;
        const sent = await http.request('GET', `${links.base}?limit=1`, {
          headers: { 'x-request-id': requestId },
        });
        const echoed = sent.headers.get('x-request-id');
        if (echoed !== requestId) fail(sent, `x-request-id: ${requestId}`, echoed ?? 'none');
        // Without one, the service makes one up, so its logs still tie the request together.
        const unsent = await http.request('GET', `${links.base}?limit=1`);
        if (!unsent.headers.get('x-request-id')) fail(unsent, 'a generated x-request-id', 'none');
      },
    },
  ];
}

/** The public JSON API: the links contract, input validation, click counting and request ids. */
export const backendSuite: ServiceSuite = {
  checks(context) {
    const links = linkApi(context, '/api/links');
    return [...createdLinkChecks(context, links), ...inputChecks(context, links)];
  },
};
