import { existsSync } from 'node:fs';

let available: Promise<boolean> | undefined;

/**
 * True when a container runtime answers, so fixtures can use testcontainers. Checked once per
 * process; without a socket or DOCKER_HOST it is false at once (no slow probing).
 */
export function dockerAvailable(): Promise<boolean> {
  available ??= (async () => {
    if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  return available;
}

/**
 * The server a fixture uses, found once per process: the URL in `variable` when set, else a
 * testcontainers one where Docker runs, else the local server at `localUrl`.
 */
export function testServer(
  variable: string,
  localUrl: string,
  startContainer: () => Promise<string>,
): () => Promise<string> {
  let server: Promise<string> | undefined;
  return () => {
    server ??= (async () => {
      const explicit = process.env[variable];
      if (explicit) return explicit;
      return (await dockerAvailable()) ? startContainer() : localUrl;
    })();
    return server;
  };
}
