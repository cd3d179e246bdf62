import { Redis } from 'ioredis';
import { ServiceUnavailableError } from './errors.js';
import type { Logger } from './logger.js';

export interface RedisClientOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  logger: Logger;
}

/** The store cannot answer now (Redis down, timed out); the call may succeed later. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * What every store in Redis shares: a client that answers 503 at once while Redis is down and
 * serves again as soon as it is back (no offline queue, one retry, a command timeout, reconnects
 * forever), connect, ping and close, and commands whose failures are StoreUnavailableError (a
 * 503 to retry), never a 500.
 */
export class RedisStoreBase {
  protected readonly redis: Redis;
  readonly #logger: Logger;

  constructor(options: RedisClientOptions) {
    this.#logger = options.logger;
    this.redis = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      lazyConnect: true,
      // While disconnected, fail at once (a 503) instead of queueing requests until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2_000,
      // Integer replies as text: the default decoding loses precision near 2^53.
      stringNumbers: true,
      // Never give up, and retry at least every second, so service resumes soon after Redis does.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    // One log line per outage and per recovery, not one per reconnect attempt.
    let down = false;
    this.redis.on('error', (error: Error) => {
      if (!down) options.logger.warn({ err: error }, 'redis unreachable, reconnecting');
      down = true;
    });
    this.redis.on('ready', () => {
      if (down) options.logger.info('redis reachable again');
      down = false;
    });
  }

  /** Rejects when the first attempt fails; the client keeps reconnecting in the background. */
  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async ping(): Promise<void> {
    await this.run(() => this.redis.ping());
  }

  /** Quits politely when connected; otherwise, or if Redis goes away meanwhile, drops the socket. */
  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Redis went away while quitting: dropping the socket below is all that is left to do.
      }
    }
    this.redis.disconnect();
  }

  /** `ownError` turns the reply errors that mean a bad request into errors of the store's own. */
  protected async run<T>(
    command: () => Promise<T>,
    ownError?: (replyError: Error) => Error | undefined,
  ): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError') {
        const own = ownError?.(error);
        if (own) throw own;
        // Say WRONGTYPE (something else wrote our key): it will not heal by retrying like an
        // outage does; it still answers 503, but an operator needs to see it.
        this.#logger.error({ err: error }, 'redis refused a command');
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`redis: ${message}`, { cause: error });
    }
  }
}

/** A store call as an HTTP answer: an outage is a 503 to retry later, never a 500 or a 2xx. */
export async function storeCall<T>(store: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      throw new ServiceUnavailableError(`the ${store} store is unavailable`);
    }
    throw error;
  }
}

/** The environment of a service whose state is in Redis when REDIS_URL is set. */
export interface RedisStoreConfig {
  REDIS_URL?: string | undefined;
  REDIS_KEY_PREFIX: string;
  REDIS_COMMAND_TIMEOUT_MS: number;
}

/**
 * The service's store: in Redis when REDIS_URL is set, else in this process. It starts even
 * when Redis is down: readiness reports it and the client keeps reconnecting.
 */
export async function openStore<S>(
  config: RedisStoreConfig,
  logger: Logger,
  stores: {
    /** What the service keeps there, for its start-up log line: `gates: redis`. */
    label: string;
    inMemory: () => S;
    inRedis: (options: RedisClientOptions) => S & { connect(): Promise<void> };
  },
): Promise<S> {
  if (config.REDIS_URL === undefined) return stores.inMemory();
  const store = stores.inRedis({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  });
  await store.connect().catch(() => undefined);
  logger.info({ keyPrefix: config.REDIS_KEY_PREFIX }, `${stores.label}: redis`);
  return store;
}
