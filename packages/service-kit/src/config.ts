import { z } from 'zod';

/** A configuration value that cannot be used: the message names each variable and the fix. */
export class ConfigError extends Error {
  constructor(issues: readonly string[]) {
    super(`invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Empty strings count as unset, so `FOO=` in an env file falls back to the default. */
export const optionalUrl = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

export const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^/\s]+/.test(value), {
    message: 'must be an http:// or https:// URL',
  })
  .transform((value) => value.replace(/\/+$/, ''));

/** What every service reads from its environment. Services extend it with their own keys. */
export const baseConfigSchema = z.object({
  // 8080 in containers; never 5432 or 6379, which meshes treat as opaque TCP.
  PORT: integer(0, 65535)
    .default(8080)
    .refine((port) => port !== 5432 && port !== 6379, {
      message: 'must not be 5432 or 6379 (service meshes treat those ports as opaque TCP)',
    }),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Time between failing readiness and closing the listener, so endpoints drop the pod first.
  SHUTDOWN_DELAY_MS: integer(0, 120_000).default(5_000),
  // Upper bound for in-flight requests to finish once the listener is closed.
  SHUTDOWN_TIMEOUT_MS: integer(0, 120_000).default(10_000),
  READINESS_TIMEOUT_MS: integer(1, 60_000).default(1_000),
  FAULT_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  FAULT_DELAY_MS: integer(0, 60_000).default(0),
  GIT_COMMIT: z.string().default('unknown'),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/**
 * Parses the environment once at boot. Throws a ConfigError naming every bad variable;
 * the caller prints it and exits rather than running half-configured.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const value =
      typeof env[variable] === 'string' ? ` (got ${JSON.stringify(env[variable])})` : '';
    return `${variable}: ${issue.message}${value}`;
  });
  throw new ConfigError(issues);
}
