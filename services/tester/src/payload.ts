import { HttpError } from '@appdist/service-kit/errors';

/** Which canary a webhook or an operator means; together they name one gate. */
export interface CanaryRef {
  name: string;
  namespace: string;
}

/** What Flagger POSTs to every webhook (`CanaryWebhookPayload`). */
export interface WebhookPayload extends CanaryRef {
  phase: string;
  /** Identifies one revision of the workload; empty when the caller sent none. */
  checksum: string;
  /** Flagger sends the hook's metadata as a map of strings. */
  metadata: Readonly<Record<string, string>>;
}

// Kubernetes object names (DNS-1123 subdomain) and namespaces (DNS-1123 label). Validating them
// keeps storage keys, log lines and metric labels to names a cluster can actually have.
const CANARY_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_FIELD_LENGTH = 1024;

/** A 400 whose message starts with the offending field, e.g. `metadata.url: is required`. */
export function invalidPayload(field: string, rule: string): HttpError {
  return new HttpError(400, 'invalid_payload', `${field}: ${rule}`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw invalidPayload('body', 'must be a JSON object');
  return body;
}

function kubernetesName(body: Record<string, unknown>, field: 'name' | 'namespace'): string {
  const value = body[field];
  if (value === undefined) throw invalidPayload(field, 'is required');
  if (typeof value !== 'string') throw invalidPayload(field, 'must be a string');
  const pattern = field === 'name' ? CANARY_NAME : NAMESPACE;
  if (!pattern.test(value)) {
    throw invalidPayload(field, `must be a Kubernetes ${field} (lowercase letters, digits, '-')`);
  }
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalidPayload(field, 'must be a string');
  if (value.length > MAX_FIELD_LENGTH) {
    throw invalidPayload(field, `must be at most ${MAX_FIELD_LENGTH} characters`);
  }
  return value;
}

function metadataOf(body: Record<string, unknown>): Record<string, string> {
  const metadata = body.metadata;
  if (metadata === undefined || metadata === null) return {};
  if (!isObject(metadata)) throw invalidPayload('metadata', 'must be an object of strings');
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw invalidPayload(
        `metadata.${key}`,
        'must be a string (Flagger sends metadata values as strings)',
      );
    }
    result[key] = value;
  }
  return result;
}

/** `{name, namespace}`, as operators send to open or close a gate. */
export function parseCanaryRef(body: unknown): CanaryRef {
  const object = requireObject(body);
  return { name: kubernetesName(object, 'name'), namespace: kubernetesName(object, 'namespace') };
}

/** Flagger's `{name, namespace, phase, checksum, metadata}`; extra fields are ignored. */
export function parseWebhookPayload(body: unknown): WebhookPayload {
  const object = requireObject(body);
  return {
    ...parseCanaryRef(object),
    phase: optionalString(object, 'phase'),
    checksum: optionalString(object, 'checksum'),
    metadata: metadataOf(object),
  };
}

/** A metadata value the hook cannot work without. */
export function requiredMetadata(payload: WebhookPayload, key: string): string {
  const value = payload.metadata[key];
  if (value === undefined || value.trim() === '') {
    throw invalidPayload(`metadata.${key}`, 'is required');
  }
  return value.trim();
}

/** An absolute http(s) URL, e.g. `http://backend-canary.app:8080`. */
export function parseHttpUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidPayload(field, 'must be an http:// or https:// URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw invalidPayload(field, 'must be an http:// or https:// URL');
  }
  if (value.length > 2048) throw invalidPayload(field, 'must be at most 2048 characters');
  // They would show in /loads, logs and reports; canaries in a cluster need none.
  if (url.username !== '' || url.password !== '') {
    throw invalidPayload(field, 'must not contain credentials');
  }
  return url;
}

/** `namespace/name`: how logs, metrics and the CLI name a canary. */
export function canaryId(canary: CanaryRef): string {
  return `${canary.namespace}/${canary.name}`;
}
