import { once } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './config.js';
import { type DirectRoute, directRouteParts, matchSegment } from './direct-route.js';
import { errorBody, errorHandler, notFoundHandler, sendError } from './errors.js';
import { Lifecycle } from './lifecycle.js';
import { type Logger, requestLogWriter } from './logger.js';
import { createHttpMetrics, OPERATIONAL_PATHS, routeTemplate } from './metrics.js';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from './request-context.js';
import { sendJson } from './response.js';

export interface ServiceInfo {
  name: string;
  version: string;
  commit: string;
}

export interface ReadinessCheck {
  name: string;
  /**
   * Rejects when the dependency is not usable. Bounded by READINESS_TIMEOUT_MS whether or not it
   * honours the signal, so a hung dependency cannot stall the probe.
   */
  check: (signal: AbortSignal) => Promise<unknown>;
}

/** What a service's createApp is given (by runService, or by a test); services extend it. */
export interface AppOptions<Config = BaseConfig> {
  config: Config;
  logger: Logger;
  info: ServiceInfo;
}

export interface ServiceAppOptions extends AppOptions {
  readiness?: readonly ReadinessCheck[];
  /** Paths under these prefixes keep their body stream unread (e.g. a proxy that forwards it as is). */
  rawBodyPrefixes?: readonly string[];
  /** Routes also served without Express, for the hot path; see DirectRoute. */
  directRoutes?: readonly DirectRoute[];
  /** Adds the service's own routes, after the shared middleware and before the 404 and error handlers. */
  routes: (app: Express) => void;
  /** For deterministic fault tests. */
  random?: () => number;
  /** The service's own metric families, served by `GET /metrics` after the shared ones. */
  registries?: readonly Registry[];
}

export interface ServiceApp {
  /** The request listener of the HTTP server: direct routes first, then Express. */
  listener: RequestListener;
  lifecycle: Lifecycle;
}

/** What a service's createApp returns, and what serve() runs. */
export interface AppHandle extends ServiceApp {
  /** Releases pools and flushes buffers; called after the server has drained. */
  close(): Promise<void>;
}

const SHARED_PATHS: ReadonlySet<string> = new Set([...OPERATIONAL_PATHS, '/version']);

const pathOf = (url: string | undefined): string => {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

/**
 * Builds the request listener with the behaviour every service shares: request ids, JSON logs,
 * metrics, health, readiness, version, fault injection, JSON errors and drain awareness.
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const { info, config, logger } = options;
  const lifecycle = new Lifecycle();
  const metrics = createHttpMetrics(info);
  const logRequest = requestLogWriter(logger);
  const faults = createFaults(config, options.random);

  /**
   * Starts what every request gets, whichever way it is served: its id (in the response and in
   * every call made for it), the in-flight count the drain waits for, and, at its end, one log
   * line and its metrics (labelled with `route()`, read then). Runs `next` in the id's context.
   */
  function observe(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    route: () => string,
    next: () => void,
  ): void {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    lifecycle.requestStarted();
    const counted = !OPERATIONAL_PATHS.has(path);
    if (counted) metrics.requestStarted();
    const start = performance.now();
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      lifecycle.requestFinished();
      if (!counted) return;
      const durationMs = performance.now() - start;
      const method = req.method ?? 'GET';
      metrics.requestFinished(method, route(), res.statusCode, durationMs / 1000);
      logRequest({
        requestId,
        method,
        path,
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
      });
    };
    res.once('finish', done);
    res.once('close', done);
    // While draining, tell keep-alive clients to reconnect elsewhere after this response,
    // also for requests that were accepted before the drain began.
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
      if (lifecycle.shuttingDown) this.shouldKeepAlive = false;
      return writeHead.apply(this, args);
    } as typeof writeHead;
    runWithRequestId(requestId, next);
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', true);

  app.use((req, res, next) => {
    observe(req, res, req.path, () => routeTemplate(req, res), next);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (lifecycle.shuttingDown) {
      res.status(503).json({ status: 'shutting_down', checks: {} });
      return;
    }
    const checks: Record<string, string> = {};
    let ready = true;
    const signal = AbortSignal.timeout(config.READINESS_TIMEOUT_MS);
    await Promise.all(
      (options.readiness ?? []).map(async ({ name, check }) => {
        try {
          // Bounded whether or not the check honours the signal.
          await Promise.race([
            check(signal),
            once(signal, 'abort').then(() => Promise.reject(signal.reason)),
          ]);
          checks[name] = 'ok';
        } catch (error) {
          ready = false;
          checks[name] = error instanceof Error ? error.message : String(error);
        }
      }),
    );
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });
  app.get('/version', (_req, res) => {
    res.json(info);
  });
  const registries = [metrics.registry, ...(options.registries ?? [])];
  app.get('/metrics', async (_req, res) => {
    const texts = await Promise.all(registries.map((registry) => registry.metrics()));
    res.setHeader('content-type', metrics.registry.contentType);
    res.send([metrics.render(), ...texts].join('\n'));
  });

  if (faults) {
    app.use(async (req, res, next) => {
      if (SHARED_PATHS.has(req.path) || (await faults()) === 'pass') {
        next();
        return;
      }
      sendFaultInjected(res);
    });
  }
  const parseJson = express.json({ limit: '16kb' });
  const rawBodyPrefixes = options.rawBodyPrefixes ?? [];
  app.use((req, res, next) => {
    if (rawBodyPrefixes.some((prefix) => req.path.startsWith(prefix))) {
      next();
      return;
    }
    parseJson(req, res, next);
  });

  const directRoutes = (options.directRoutes ?? []).map((direct) => {
    const { prefix, param } = directRouteParts(direct.route);
    app.get(direct.route, (req, res, next) => {
      const value = req.params[param] as string;
      if (direct.accepts && !direct.accepts(value)) {
        next();
        return;
      }
      // Express has applied the faults already.
      return serveDirect(direct, value, req, res, req.path, false);
    });
    return { direct, prefix };
  });

  options.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  const serveDirect = async (
    direct: DirectRoute,
    param: string,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    withFaults: boolean,
  ) => {
    try {
      if (withFaults && faults && (await faults()) === 'fail') {
        sendFaultInjected(res);
        return;
      }
      await direct.handle(param, req, res);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const request = { method: req.method ?? 'GET', path };
      if (direct.onError) direct.onError(error, request, res);
      else sendError(error, request, res, logger);
    }
  };

  const listener: RequestListener = (req, res) => {
    if (directRoutes.length > 0 && (req.method === 'GET' || req.method === 'HEAD')) {
      const path = pathOf(req.url);
      if (!SHARED_PATHS.has(path)) {
        for (const { direct, prefix } of directRoutes) {
          const param = matchSegment(path, prefix);
          if (param === undefined || (direct.accepts && !direct.accepts(param))) continue;
          observe(
            req,
            res,
            path,
            () => direct.route,
            () => {
              void serveDirect(direct, param, req, res, path, true);
            },
          );
          return;
        }
      }
    }
    app(req, res);
  };
  return { listener, lifecycle };
}

/**
 * Release-testing faults for one request, undefined when none are configured. The caller exempts
 * probes, metrics and /version, so a "sick" canary is judged by its traffic metrics, not killed
 * by its kubelet.
 */
function createFaults(
  { FAULT_ERROR_RATE: errorRate, FAULT_DELAY_MS: delayMs }: BaseConfig,
  random = Math.random,
): (() => Promise<'fail' | 'pass'>) | undefined {
  if (errorRate <= 0 && delayMs <= 0) return undefined;
  return async () => {
    if (delayMs > 0) await sleep(delayMs);
    return errorRate > 0 && random() < errorRate ? 'fail' : 'pass';
  };
}

function sendFaultInjected(res: ServerResponse): void {
  sendJson(res, 500, errorBody('fault_injected', 'fault injected by FAULT_ERROR_RATE'));
}
