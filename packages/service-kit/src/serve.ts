import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import type { z } from 'zod';
import { type BaseConfig, ConfigError, loadConfig } from './config.js';
import { errorBody, HttpError, toHttpError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { sendJson } from './response.js';
import type { AppHandle, AppOptions, ServiceInfo } from './service-app.js';

export interface RunningServer {
  url: string;
  /** The drain sequence; resolves when every pool is closed. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/**
 * Listens and returns the drain sequence. The order matters: readiness fails first, then
 * SHUTDOWN_DELAY_MS passes so endpoints and meshes stop routing here, then the listener
 * closes, in-flight requests finish (bounded by SHUTDOWN_TIMEOUT_MS), and only then are
 * pools closed, so no accepted request loses its connections mid-way.
 */
export async function serve(
  handle: AppHandle,
  config: Pick<BaseConfig, 'PORT' | 'HOST' | 'SHUTDOWN_DELAY_MS' | 'SHUTDOWN_TIMEOUT_MS'>,
  logger: Logger,
): Promise<RunningServer> {
  const server = createServer(handle.listener).listen(config.PORT, config.HOST);
  await once(server, 'listening');
  // Outlive the idle timeout of proxies in front (often 60 s), so they never reuse a
  // connection this server has just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // What Node's parser rejects never reaches the app; answer it in the same JSON shape.
  server.on('clientError', answerClientError);
  server.on('checkExpectation', (_req, res) => {
    const body = errorBody('expectation_failed', 'only Expect: 100-continue is supported');
    sendJson(res, 417, body, { connection: 'close' });
  });
  const address = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const url = `http://${host}:${address.port}`;

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = () => {
    shutdownPromise ??= (async () => {
      handle.lifecycle.beginShutdown();
      logger.info(
        { delayMs: config.SHUTDOWN_DELAY_MS },
        'shutdown: readiness failing, waiting before closing the listener',
      );
      await sleep(config.SHUTDOWN_DELAY_MS);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await handle.lifecycle.waitForIdle(config.SHUTDOWN_TIMEOUT_MS);
      if (!drained) {
        logger.warn(
          { inFlight: handle.lifecycle.inFlight },
          'shutdown: timeout reached with requests in flight',
        );
      }
      server.closeAllConnections();
      await closed;
      await handle.close();
      logger.info('shutdown: complete');
    })();
    return shutdownPromise;
  };
  return { url, shutdown };
}

/** Node's default answer to a malformed request, as a JSON error instead of an empty 400. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset or a socket already answering has nobody left to tell.
  if (error.code === 'ECONNRESET' || !socket.writable || socket.writableEnded) {
    socket.destroy();
    return;
  }
  const { status, code, message } = toHttpError(
    error,
    new HttpError(400, 'bad_request', 'malformed HTTP request'),
  );
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

export interface RunServiceOptions<S extends z.ZodType> {
  /** The `import.meta.url` of the service's compiled main, whose `../package.json` names it. */
  entryUrl: string;
  schema: S;
  createApp: (options: AppOptions<z.infer<S>>) => Promise<AppHandle>;
}

/** The whole of a service's main: config, app, listen, and SIGTERM/SIGINT wired to the drain. */
export async function runService<S extends z.ZodType<BaseConfig>>(
  options: RunServiceOptions<S>,
): Promise<void> {
  // Under load V8 saw the per-response objects of the HTTP client survive a scavenge while
  // their requests were in flight, and from then on allocated them in old space: a mark-compact
  // a second and long scavenges. Off, a hop uses about 20 % less CPU and its p99 halves
  // (docs/performance.md).
  setFlagsFromString('--no-allocation-site-pretenuring');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', options.entryUrl), 'utf8'));
  const name = String(pkg.name).replace(/^@[^/]+\//, '');
  let config: z.infer<S>;
  try {
    config = loadConfig(options.schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const info: ServiceInfo = { name, version: String(pkg.version), commit: config.GIT_COMMIT };
  const logger = createLogger({ name: info.name, level: config.LOG_LEVEL, version: info.version });
  let running: RunningServer;
  try {
    const handle = await options.createApp({ config, logger, info });
    running = await serve(handle, config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
  logger.info({ url: running.url }, 'listening');

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutdown requested');
    running.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
