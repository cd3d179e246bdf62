/** A service's answer as tests read it. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed when the answer is JSON, else undefined. */
  json: unknown;
}

export interface RequestBody {
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is, with `contentType` (default application/json). */
  raw?: string;
  contentType?: string;
}

/** One request to a service under test; a body given with GET or HEAD is not sent (fetch refuses it). */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  body: RequestBody = {},
): Promise<Answer> {
  const text =
    method === 'GET' || method === 'HEAD'
      ? undefined
      : (body.raw ?? (body.json === undefined ? undefined : JSON.stringify(body.json)));
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...(text === undefined
      ? {}
      : { body: text, headers: { 'content-type': body.contentType ?? 'application/json' } }),
  });
  const received = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return {
    status: res.status,
    headers: res.headers,
    text: received,
    json: isJson && received !== '' ? (JSON.parse(received) as unknown) : undefined,
  };
}
