import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A GET route with one path parameter that is also served without Express: the request path
 * that carries production load (a redirect and the two lookups behind it). It gets the same
 * request id, log line, metrics, drain behaviour and faults as every other route, and Express
 * still serves the paths the fast match leaves to it (a trailing slash, other letter case,
 * broken percent-encoding), with the same handler.
 */
export interface DirectRoute {
  /** The route template, e.g. `/v1/keys/:key`: one parameter, as the last segment. */
  route: string;
  /** Further conditions on the decoded parameter; a refused one is left to Express's routes. */
  accepts?: (param: string) => boolean;
  /** Answers GET and HEAD. What it throws is answered by `onError`. */
  handle(param: string, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Answers an error of `handle`; the shared JSON error answer when absent. */
  onError?: (
    error: unknown,
    request: { method: string; path: string },
    res: ServerResponse,
  ) => void;
}

/** The route's parameter name and the path prefix before it. */
export function directRouteParts(route: string): { prefix: string; param: string } {
  const match = /^((?:\/[^/:]+)*\/):([A-Za-z_][A-Za-z0-9_]*)$/.exec(route);
  if (!match?.[1] || !match[2]) {
    throw new Error(`direct route ${route}: expected /prefix/:param with the parameter last`);
  }
  return { prefix: match[1], param: match[2] };
}

/** Returns the decoded parameter when `path` is exactly `prefix` + one segment, else undefined. */
export function matchSegment(path: string, prefix: string): string | undefined {
  if (path.length <= prefix.length || !path.startsWith(prefix)) return undefined;
  if (path.indexOf('/', prefix.length) !== -1) return undefined;
  const raw = path.slice(prefix.length);
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
