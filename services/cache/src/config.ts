import { baseConfigSchema, integer, optionalUrl } from '@appdist/service-kit/config';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  // Unset: an in-process store, fine for one local replica; every replica needs the same Redis.
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  // Prepended to every Redis key, so test runs and tenants sharing one Redis never collide.
  REDIS_KEY_PREFIX: z.string().max(100).default('appdist:'),
  // Bounds the in-process store's memory; the oldest entries are evicted beyond it.
  MEMORY_MAX_KEYS: integer(1, 10_000_000).default(100_000),
  // Short, so a slow Redis turns into a quick 503 instead of piling up requests.
  REDIS_COMMAND_TIMEOUT_MS: integer(10, 60_000).default(500),
});

export type Config = z.infer<typeof configSchema>;
