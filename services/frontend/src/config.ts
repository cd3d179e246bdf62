import { baseConfigSchema, httpUrl, integer, optionalUrl } from '@appdist/service-kit/config';
import type { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  BACKEND_URL: httpUrl.default('http://backend:8080'),
  BACKEND_TIMEOUT_MS: integer(1, 60_000).default(3_000),
  // Base of the short URLs shown; unset, it follows the request (protocol and Host), which
  // is right behind an ingress that sets X-Forwarded-Proto/-Host.
  PUBLIC_URL: optionalUrl(['http', 'https']).transform((value) => value?.replace(/\/+$/, '')),
  RECENT_LINKS: integer(1, 100).default(10),
});

export type FrontendConfig = z.infer<typeof configSchema>;
