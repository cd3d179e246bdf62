import type { RequestHandler } from 'express';

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Envoy (Istio) mirrors a request with `-shadow` appended to its host (`database-shadow:8080`).
 * The mirrored copy of a write would change the same PostgreSQL a second time, so it is
 * answered without being applied: only reads are really mirrored to a canary.
 */
export function isShadowHost(host: string | undefined): boolean {
  return host !== undefined && /-shadow(:\d+)?$/.test(host);
}

export const ignoreShadowWrites: RequestHandler = (req, res, next) => {
  if (READ_METHODS.has(req.method) || !isShadowHost(req.headers.host)) {
    next();
    return;
  }
  res.locals.route = 'shadow-write';
  res.status(202).json({ shadow: true, applied: false });
};
