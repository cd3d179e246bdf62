import { isRecord } from '@appdist/catalogue/repository';
import { reject } from '@appdist/service-kit/errors';
import { z } from 'zod';
import {
  canaryId,
  hookPayload,
  httpUrl,
  httpUrlOrProblem,
  parsePayload,
  requiredText,
} from './payload.js';

/** One load run as the load hook asked for it. */
export interface LoadSpec {
  /** `namespace/name` of the canary under analysis. */
  canary: string;
  checksum: string;
  /** The URL every request goes to (metadata.url, plus metadata.path when given). */
  target: URL;
  method: LoadMethod;
  headers: Readonly<Record<string, string>>;
  rps: number;
  durationMs: number;
}

export interface LoadLimits {
  maxRps: number;
  maxDurationSeconds: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type LoadMethod = (typeof METHODS)[number];

// Go-style durations as Flagger users write them: 30s, 2m, 1h, 1m30s.
const DURATION = /^(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?$/;
const DECIMAL = /^\d{1,9}(?:\.\d{1,6})?$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
// Headers the HTTP client owns: setting them by hand breaks keep-alive or framing.
const RESERVED_HEADERS = new Set([
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const HEADERS_RULE = 'must be a JSON object of strings, as a string';

/** An optional metadata value, trimmed; absent reads as empty. */
const optionalText = z.string().trim().default('');

const durationSeconds = (maxSeconds: number) =>
  requiredText.transform((text, context) => {
    const match = DURATION.exec(text);
    if (!match) return reject(context, 'must be a duration like 30s, 2m, 1h or 1m30s');
    const [, hours = '0', minutes = '0', seconds = '0'] = match;
    const total = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
    if (total < 1 || total > maxSeconds) {
      return reject(context, `must be from 1s to ${maxSeconds}s`);
    }
    return total;
  });

const rps = (maxRps: number) => {
  const rule = `must be a number above 0 and at most ${maxRps}`;
  return requiredText
    .regex(DECIMAL, rule)
    .transform(Number)
    .pipe(z.number().gt(0, rule).max(maxRps, rule));
};

const method = optionalText
  .transform((text) => text.toUpperCase() || 'GET')
  .pipe(z.enum(METHODS, `must be one of ${METHODS.join(', ')}`));

/** metadata.headers is a JSON object encoded as a string: `{"x-canary":"insider"}`. */
const headers = optionalText.transform((text, context) => {
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return reject(context, HEADERS_RULE);
  }
  if (!isRecord(parsed)) return reject(context, HEADERS_RULE);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!HEADER_NAME.test(name)) {
      return reject(context, `${JSON.stringify(name)} is not a header name`);
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      return reject(context, `${name} is set by the load generator itself`);
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value) || value.length > 8192) {
      return reject(context, `the value of ${name} must be a one-line string`);
    }
    result[name.toLowerCase()] = value;
  }
  return result;
});

/** metadata.path is appended to metadata.url: `http://backend-canary.app:8080` + `/api/links`. */
const path = optionalText.refine(
  (text) => text === '' || (text.startsWith('/') && !text.startsWith('//') && !/[\s#]/.test(text)),
  'must be a path starting with / (a query may follow)',
);

/** metadata.url with metadata.path appended, or the issue of metadata.path. */
function target(base: URL, path: string, context: z.RefinementCtx): URL {
  if (path === '') return base;
  const url =
    base.search !== '' || base.hash !== ''
      ? 'cannot be added to a url that has a query'
      : httpUrlOrProblem(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
  if (typeof url !== 'string') return url;
  context.addIssue({ code: 'custom', message: url, path: ['path'] });
  return z.NEVER;
}

/** The load hook's parser, for these limits: Flagger's payload to a LoadSpec, or the 400. */
export function loadSpecParser(limits: LoadLimits): (body: unknown) => LoadSpec {
  const metadata = z
    // The target first, and alone: with several mistakes, the 400 names url or path.
    .looseObject({ url: httpUrl, path })
    .transform(({ url, path, ...rest }, context) => ({
      ...(rest as Record<string, string>),
      target: target(url, path, context),
    }))
    .pipe(
      z.looseObject({
        target: z.instanceof(URL),
        rps: rps(limits.maxRps),
        duration: durationSeconds(limits.maxDurationSeconds),
        method,
        headers,
      }),
    );
  const schema = hookPayload(metadata).transform((payload) => ({
    canary: canaryId(payload),
    checksum: payload.checksum,
    target: payload.metadata.target,
    method: payload.metadata.method,
    headers: payload.metadata.headers,
    rps: payload.metadata.rps,
    durationMs: payload.metadata.duration * 1000,
  }));
  return (body) => parsePayload(schema, body);
}
