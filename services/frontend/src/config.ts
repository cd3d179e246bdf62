import { baseConfigSchema, httpUrl, optionalUrl } from '@appdist/service-kit/config';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  BACKEND_URL: httpUrl.default('http://backend:8080'),
  BACKEND_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(3_000),
  // Base of the short URLs shown; unset, it follows the request (protocol and Host), which
  // is right behind an ingress that sets X-Forwarded-Proto/-Host.
  PUBLIC_URL: optionalUrl(['http', 'https']).transform((value) => value?.replace(/\/+$/, '')),
  RECENT_LINKS: z.coerce.number().int().min(1).max(100).default(10),
});

export type FrontendConfig = z.infer<typeof configSchema>;
