import { baseConfigSchema, integer, optionalUrl } from '@appdist/service-kit/config';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  // Gate and rollback switches live here, so a restart keeps an approval; unset: in memory.
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  // The tester may share a Redis with the cache service: a prefix outside the cache's
  // 'appdist:' keeps any cache key from overwriting a gate.
  REDIS_KEY_PREFIX: z.string().max(100).default('appdist-tester:'),
  // Short, so a slow Redis turns into a quick 503 that Flagger retries.
  REDIS_COMMAND_TIMEOUT_MS: integer(10, 60_000).default(500),
  // Below the Canaries' 60 s webhook timeout, so Flagger reads our 412 and not its own timeout.
  CONFORMANCE_TIMEOUT_MS: integer(100, 600_000).default(50_000),
  LOAD_MAX_RPS: integer(1, 100_000).default(200),
  LOAD_MAX_DURATION_SECONDS: integer(1, 86_400).default(600),
  // Concurrent load jobs; past it the load hook answers 429 rather than overload the tester.
  LOAD_MAX_JOBS: integer(1, 10_000).default(20),
  LOAD_REQUEST_TIMEOUT_MS: integer(10, 600_000).default(5_000),
});

export type Config = z.infer<typeof configSchema>;
