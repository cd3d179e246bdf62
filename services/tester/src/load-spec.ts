import {
  canaryId,
  invalidPayload,
  isObject,
  parseHttpUrl,
  requiredMetadata,
  type WebhookPayload,
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

export function parseDurationSeconds(text: string, maxSeconds: number): number {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '') {
    throw invalidPayload('metadata.duration', 'must be a duration like 30s, 2m, 1h or 1m30s');
  }
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  const total = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  if (total < 1 || total > maxSeconds) {
    throw invalidPayload('metadata.duration', `must be from 1s to ${maxSeconds}s`);
  }
  return total;
}

export function parseRps(text: string, maxRps: number): number {
  const value = Number(text.trim());
  if (!DECIMAL.test(text.trim()) || !(value > 0) || value > maxRps) {
    throw invalidPayload('metadata.rps', `must be a number above 0 and at most ${maxRps}`);
  }
  return value;
}

export function parseMethod(text: string | undefined): LoadMethod {
  if (text === undefined || text.trim() === '') return 'GET';
  const method = METHODS.find((candidate) => candidate === text.trim().toUpperCase());
  if (!method) throw invalidPayload('metadata.method', `must be one of ${METHODS.join(', ')}`);
  return method;
}

/** metadata.headers is a JSON object encoded as a string: `{"x-canary":"insider"}`. */
export function parseHeaders(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidPayload('metadata.headers', 'must be a JSON object of strings, as a string');
  }
  if (!isObject(parsed)) {
    throw invalidPayload('metadata.headers', 'must be a JSON object of strings, as a string');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!HEADER_NAME.test(name)) {
      throw invalidPayload('metadata.headers', `${JSON.stringify(name)} is not a header name`);
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw invalidPayload('metadata.headers', `${name} is set by the load generator itself`);
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value) || value.length > 8192) {
      throw invalidPayload('metadata.headers', `the value of ${name} must be a one-line string`);
    }
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** metadata.path is appended to metadata.url: `http://backend-canary.app:8080` + `/api/links`. */
export function parseTarget(urlText: string, pathText: string | undefined): URL {
  const base = parseHttpUrl(urlText, 'metadata.url');
  if (pathText === undefined || pathText.trim() === '') return base;
  const path = pathText.trim();
  if (!path.startsWith('/') || path.startsWith('//') || /[\s#]/.test(path)) {
    throw invalidPayload('metadata.path', 'must be a path starting with / (a query may follow)');
  }
  if (base.search !== '' || base.hash !== '') {
    throw invalidPayload('metadata.path', 'cannot be added to a url that has a query');
  }
  return parseHttpUrl(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`, 'metadata.path');
}

export function parseLoadSpec(payload: WebhookPayload, limits: LoadLimits): LoadSpec {
  const target = parseTarget(requiredMetadata(payload, 'url'), payload.metadata.path);
  const rps = parseRps(requiredMetadata(payload, 'rps'), limits.maxRps);
  const durationSeconds = parseDurationSeconds(
    requiredMetadata(payload, 'duration'),
    limits.maxDurationSeconds,
  );
  return {
    canary: canaryId(payload),
    checksum: payload.checksum,
    target,
    method: parseMethod(payload.metadata.method),
    headers: parseHeaders(payload.metadata.headers),
    rps,
    durationMs: durationSeconds * 1000,
  };
}
