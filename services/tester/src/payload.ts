import { isRecord } from '@appdist/catalogue/repository';
import { OBJECT_RULE, parseInput, reject } from '@appdist/service-kit/errors';
import { z } from 'zod';

// Kubernetes object names (DNS-1123 subdomain) and namespaces (DNS-1123 label). Validating them
// keeps storage keys, log lines and metric labels to names a cluster can actually have.
const CANARY_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_FIELD_LENGTH = 1024;
const MAX_URL_LENGTH = 2048;
const URL_RULE = 'must be an http:// or https:// URL';

const kubernetesName = (field: 'name' | 'namespace', pattern: RegExp) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(pattern, `must be a Kubernetes ${field} (lowercase letters, digits, '-')`);

const optionalString = z
  .string('must be a string')
  .max(MAX_FIELD_LENGTH, `must be at most ${MAX_FIELD_LENGTH} characters`)
  .default('');

/** `{name, namespace}`, as operators send to open or close a gate: together they name one gate. */
const canaryRef = z.object(
  { name: kubernetesName('name', CANARY_NAME), namespace: kubernetesName('namespace', NAMESPACE) },
  OBJECT_RULE,
);

export type CanaryRef = z.output<typeof canaryRef>;

// Flagger sends the hook's metadata as a map of strings. A Map of the body's own entries: a
// record would drop a `__proto__` key unchecked.
const metadataStrings = z
  .preprocess(
    (metadata) => (isRecord(metadata) ? new Map(Object.entries(metadata)) : metadata),
    z.map(
      z.string(),
      z.string('must be a string (Flagger sends metadata values as strings)'),
      'must be an object of strings',
    ),
  )
  .nullish()
  .transform((metadata): Readonly<Record<string, string>> => Object.fromEntries(metadata ?? []));

/** What Flagger POSTs to every webhook (`CanaryWebhookPayload`); extra fields are ignored. */
const webhookPayload = canaryRef.extend({
  phase: optionalString,
  /** Identifies one revision of the workload; empty when the caller sent none. */
  checksum: optionalString,
  metadata: metadataStrings,
});

export type WebhookPayload = z.output<typeof webhookPayload>;

/** The payload of a hook that needs metadata: the strings checked by `metadata`, in its order. */
export function hookPayload<M extends z.ZodType>(metadata: M) {
  // zod's types cannot tell that `metadata` takes the record of strings checked first.
  const typed = metadata as unknown as z.ZodType<z.output<M>, Readonly<Record<string, string>>>;
  return webhookPayload.extend({ metadata: metadataStrings.pipe(typed) });
}

/** A metadata value the hook cannot work without, trimmed. */
export const requiredText = z.string('is required').trim().min(1, 'is required');

/** An absolute http(s) URL, e.g. `http://backend-canary.app:8080`, or what is wrong with it. */
export function httpUrlOrProblem(value: string): URL | string {
  const url = URL.parse(value);
  if (url === null || !/^https?:$/.test(url.protocol) || url.hostname === '') return URL_RULE;
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  // They would show in /loads, logs and reports; canaries in a cluster need none.
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return url;
}

export const httpUrl = requiredText.transform((value, context) => {
  const url = httpUrlOrProblem(value);
  return typeof url === 'string' ? reject(context, url) : url;
});

/**
 * Parses a hook's payload; a bad one is `400 invalid_payload` whose message starts with the
 * offending field, e.g. `metadata.url: is required`.
 */
export const parsePayload = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> =>
  parseInput(schema, body, { '': 'invalid_payload' });

export const parseWebhookPayload = (body: unknown) => parsePayload(webhookPayload, body);

export const parseCanaryRef = (body: unknown) => parsePayload(canaryRef, body);

/** `namespace/name`: how logs, metrics and the CLI name a canary. */
export function canaryId(canary: CanaryRef): string {
  return `${canary.namespace}/${canary.name}`;
}
