import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './config.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { faultInjection } from './faults.js';
import { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { createHttpMetrics, OPERATIONAL_PATHS } from './metrics.js';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from './request-context.js';

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

export interface ServiceAppOptions {
  info: ServiceInfo;
  config: BaseConfig;
  logger: Logger;
  readiness?: readonly ReadinessCheck[];
  /** JSON body limit; larger bodies get 413. */
  jsonLimit?: string;
  /** Paths under these prefixes keep their body stream unread (e.g. a proxy that forwards it as is). */
  rawBodyPrefixes?: readonly string[];
  /** Adds the service's own routes, after the shared middleware and before the 404 and error handlers. */
  routes: (app: Express) => void;
  /** For deterministic fault tests. */
  random?: () => number;
  /** The service's own metric families, served by `GET /metrics` after the shared ones. */
  registries?: readonly Registry[];
}

/** What a service's createApp returns, and what serve() runs. */
export interface AppHandle {
  app: Express;
  lifecycle: Lifecycle;
  /** Releases pools and flushes buffers; called after the server has drained. */
  close(): Promise<void>;
}

/**
 * Builds an Express app with the behaviour every service shares: request ids, JSON logs,
 * metrics, health, readiness, version, fault injection, JSON errors and drain awareness.
 */
export function createServiceApp(options: ServiceAppOptions): {
  app: Express;
  lifecycle: Lifecycle;
} {
  const { info, config, logger } = options;
  const lifecycle = new Lifecycle();
  const metrics = createHttpMetrics(info);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', true);

  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    lifecycle.requestStarted();
    const start = performance.now();
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      lifecycle.requestFinished();
      if (OPERATIONAL_PATHS.has(req.path)) return;
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          durationMs: Math.round((performance.now() - start) * 10) / 10,
        },
        'request',
      );
    };
    res.once('finish', done);
    res.once('close', done);
    // While draining, tell keep-alive clients to reconnect elsewhere after this response,
    // also for requests that were accepted before the drain began.
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (lifecycle.shuttingDown) this.shouldKeepAlive = false;
      return writeHead.apply(this, args);
    } as typeof writeHead;
    runWithRequestId(requestId, next);
  });
  app.use(metrics.middleware);

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
          await untilAborted(check(signal), signal);
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
    res.send(texts.join(''));
  });

  const faults = faultInjection({
    errorRate: config.FAULT_ERROR_RATE,
    delayMs: config.FAULT_DELAY_MS,
    ...(options.random ? { random: options.random } : {}),
  });
  if (faults) app.use(faults);
  const parseJson = express.json({ limit: options.jsonLimit ?? '16kb' });
  const rawBodyPrefixes = options.rawBodyPrefixes ?? [];
  app.use((req, res, next) => {
    if (rawBodyPrefixes.some((prefix) => req.path.startsWith(prefix))) {
      next();
      return;
    }
    parseJson(req, res, next);
  });

  options.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return { app, lifecycle };
}

/** Rejects with the signal's reason once it aborts, even if `work` never settles. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }),
  ]);
}
