import type { ServiceClient } from '@appdist/service-kit/http-client';
import type { Logger } from '@appdist/service-kit/logger';

/** The cache service as the resolve path uses it. No method ever rejects: the cache is optional. */
export interface LinkCache {
  /** The cached target of a code, or undefined on a miss, a failure or while cooling down. */
  getUrl(code: string): Promise<string | undefined>;
  /** Stores a target; callers do not wait for it. */
  remember(code: string, url: string): void;
  /** Removes a target, so a deleted link stops resolving before its TTL ends. */
  forget(code: string): Promise<void>;
  close(): Promise<void>;
}

export interface LinkCacheOptions {
  client: ServiceClient;
  logger: Logger;
  ttlSeconds: number;
  cooldownMs: number;
  now?: () => number;
}

const keyPath = (code: string) => `/v1/keys/${encodeURIComponent(`link:${code}`)}`;

export function createLinkCache(options: LinkCacheOptions): LinkCache {
  const { client, logger, ttlSeconds, cooldownMs, now = Date.now } = options;
  let skipUntil = 0;

  const coolingDown = () => now() < skipUntil;

  // Only a cache that is unreachable or answers 5xx trips the cooldown; a 4xx concerns one call.
  function failed(operation: string, reason: string, unavailable: boolean): void {
    if (!unavailable) {
      logger.warn({ operation, reason }, 'cache call failed');
      return;
    }
    if (!coolingDown())
      logger.warn({ operation, reason, cooldownMs }, 'cache failing: skipping it');
    skipUntil = now() + cooldownMs;
  }

  const checkStatus = (operation: string, status: number, ok: readonly number[]): boolean => {
    if (ok.includes(status)) return true;
    failed(operation, `status ${status}`, status >= 500);
    return false;
  };

  // The client only throws when the cache could not be reached or timed out.
  const unreachable = (operation: string) => (error: unknown) =>
    failed(operation, error instanceof Error ? error.message : String(error), true);

  return {
    async getUrl(code) {
      if (coolingDown()) return undefined;
      try {
        const response = await client.request<{ value?: unknown }>({
          method: 'GET',
          path: keyPath(code),
        });
        if (response.status === 404 || !checkStatus('get', response.status, [200])) {
          return undefined;
        }
        const value = response.body?.value;
        return typeof value === 'string' ? value : undefined;
      } catch (error) {
        unreachable('get')(error);
        return undefined;
      }
    },
    remember(code, url) {
      if (coolingDown()) return;
      client
        .request({ method: 'PUT', path: keyPath(code), body: { value: url, ttlSeconds } })
        .then((response) => checkStatus('put', response.status, [200]), unreachable('put'));
    },
    async forget(code) {
      // Tried even while cooling down: a stale entry would keep a deleted link resolving.
      try {
        const response = await client.request({ method: 'DELETE', path: keyPath(code) });
        checkStatus('delete', response.status, [204, 404]);
      } catch (error) {
        unreachable('delete')(error);
      }
    },
    close: () => client.close(),
  };
}
