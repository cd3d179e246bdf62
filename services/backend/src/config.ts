import { baseConfigSchema, httpUrl, integer } from '@appdist/service-kit/config';
import type { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  CACHE_SERVICE_URL: httpUrl.default('http://cache:8080'),
  DATABASE_SERVICE_URL: httpUrl.default('http://database:8080'),
  // The cache sits on the redirect path: a slow cache must cost little before we fall back.
  CACHE_TIMEOUT_MS: integer(1, 60_000).default(250),
  DATABASE_TIMEOUT_MS: integer(1, 60_000).default(2_000),
  // Extra attempts for idempotent database calls only (reads, deletes, click batches).
  DATABASE_RETRIES: integer(0, 10).default(2),
  // Upper bound matches the cache service's own ttlSeconds limit.
  CACHE_TTL_SECONDS: integer(1, 2_592_000).default(3_600),
  // After a cache failure the cache is skipped this long, so a dead cache adds no timeouts.
  CACHE_COOLDOWN_MS: integer(0, 600_000).default(1_000),
  CLICK_FLUSH_INTERVAL_MS: integer(10, 600_000).default(1_000),
});

export type Config = z.infer<typeof configSchema>;
