import type { ErrorBody } from '@appdist/service-kit/errors';

export interface LinkBody {
  code: string;
  url: string;
  createdAt: string;
  clicks: number;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export async function errorCodeOf(res: Response): Promise<string> {
  return ((await res.json()) as ErrorBody).error.code;
}

export async function jsonOf<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
