import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A piece of a request as written to the socket: bytes, or a pause (a slow client). */
export type RawPart = Buffer | { pauseMs: number } | { abort: true };

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers keep every value. */
  headers: Map<string, string[]>;
  /** The status line and header lines exactly as received, for checks on what was reflected. */
  head: string;
  body: Buffer;
}

export type RawResult =
  | { kind: 'response'; response: RawResponse }
  /** The server closed (or reset) the connection without a complete answer. */
  | { kind: 'closed'; detail: string }
  | { kind: 'timeout' };

const CRLF = Buffer.from('\r\n');

/**
 * One request over its own connection, written byte for byte as given, so a test can send what
 * no HTTP client library would: invalid tokens, broken percent-encoding, lying lengths, bodies
 * trickled over seconds. Resolves with the first complete response, or how the exchange ended.
 */
export async function rawExchange(
  port: number,
  parts: readonly RawPart[],
  options: { timeoutMs: number; head?: boolean },
): Promise<RawResult> {
  const { timeoutMs, head = false } = options;
  const socket = createConnection({ port, host: '127.0.0.1', allowHalfOpen: true });
  const chunks: Buffer[] = [];
  let settle: (result: RawResult) => void = () => undefined;
  const result = new Promise<RawResult>((resolve) => {
    settle = resolve;
  });
  let ended = false;
  const finish = (outcome: RawResult) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    socket.destroy();
    settle(outcome);
  };
  const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    const parsed = parseResponse(Buffer.concat(chunks), false, head);
    if (parsed) finish({ kind: 'response', response: parsed });
  });
  const onClose = (detail: string) => {
    const parsed = parseResponse(Buffer.concat(chunks), true, head);
    finish(parsed ? { kind: 'response', response: parsed } : { kind: 'closed', detail });
  };
  socket.on('end', () => onClose('closed'));
  socket.on('error', (error: NodeJS.ErrnoException) => onClose(error.code ?? error.message));
  socket.on('close', () => onClose('closed'));

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    for (const part of parts) {
      if (ended) break;
      if (Buffer.isBuffer(part)) {
        // The server may answer and close before it has read everything (a 413): that is an
        // answer, not a failure to send.
        socket.write(part, () => undefined);
      } else if ('pauseMs' in part) {
        await sleep(part.pauseMs);
      } else {
        finish({ kind: 'closed', detail: 'aborted by the client' });
      }
    }
    // No half-close: Node's server treats a client's FIN as an aborted request and drops the
    // answer, so the connection stays open until the server closes it (Connection: close).
  } catch (error) {
    finish({ kind: 'closed', detail: (error as Error).message });
  }
  return result;
}

/** A complete response in `data`, or undefined while more is needed. */
function parseResponse(
  data: Buffer,
  atEnd: boolean,
  headRequest: boolean,
): RawResponse | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = data.subarray(0, headEnd).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const rest = data.subarray(headEnd + 4);
  const response = (body: Buffer): RawResponse => ({ status, headers, head, body });
  // 1xx are interim (100 Continue): the real answer follows.
  if (status >= 100 && status < 200) return parseResponse(rest, atEnd, headRequest);
  // A HEAD answer describes a body it does not carry.
  if (headRequest || status === 204 || status === 304) return response(Buffer.alloc(0));
  const length = headers.get('content-length')?.[0];
  if (length !== undefined) {
    const n = Number(length);
    return rest.length >= n ? response(rest.subarray(0, n)) : undefined;
  }
  if (headers.get('transfer-encoding')?.[0]?.toLowerCase() === 'chunked') {
    const body = dechunk(rest);
    return body ? response(body) : undefined;
  }
  return atEnd ? response(rest) : undefined;
}

function dechunk(data: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return Buffer.concat(out);
    if (size === 0) return Buffer.concat(out);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
