import getPort from 'get-port';

/** A TCP port that is free on 127.0.0.1 (get-port also keeps it from being handed out twice). */
export const freePort = (): Promise<number> => getPort({ host: '127.0.0.1' });

export function uniqueSuffix(): string {
  return `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
