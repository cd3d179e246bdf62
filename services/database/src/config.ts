import { baseConfigSchema, integer, optionalUrl } from '@appdist/service-kit/config';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  // Unset: an embedded PGlite under EMBEDDED_DATA_DIR, for laptops and demos, not for replicas.
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  EMBEDDED_DATA_DIR: z.string().trim().min(1).default('.data/pglite'),
  DATABASE_POOL_MAX: integer(1, 1_000).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(1, 600_000).default(5_000),
  DATABASE_CONNECT_TIMEOUT_MS: integer(1, 60_000).default(2_000),
  // How long start-up keeps retrying an unreachable PostgreSQL before giving up.
  DATABASE_STARTUP_TIMEOUT_MS: integer(0, 600_000).default(30_000),
});

export type Config = z.infer<typeof configSchema>;
