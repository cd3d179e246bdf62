import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { dockerAvailable } from './docker.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

/**
 * A server that fault tests may stop and start again on the same port, never the shared one.
 * Debian binaries where installed, else a container where Docker runs; with neither, the test
 * fails naming the package to install.
 */
export interface ThrowawayServer {
  url: string;
  port: number;
  /** Stops the server abruptly, as a crash or a lost node would. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

function findBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** A redis-server of its own on a free port, persisting nothing. */
export async function startThrowawayRedis(): Promise<ThrowawayServer> {
  const binary = findBinary('redis-server');
  if (!binary) {
    if (await dockerAvailable())
      return startContainer('redis:7-alpine', 6379, 'redis://127.0.0.1:{port}', []);
    throw new Error(
      'redis-server not found: install it (Debian: apt-get install -y redis-server) or run Docker, for the fault tests',
    );
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await waitForPort(port, 10_000);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, kill, dispose: kill };
}

function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

/** A PostgreSQL cluster of its own (initdb + pg_ctl) on a free port, with trust auth for user postgres. */
export async function startThrowawayPostgres(): Promise<ThrowawayServer> {
  const initdb = findBinary('initdb', postgresBinDirs());
  const pgCtl = findBinary('pg_ctl', postgresBinDirs());
  if (!initdb || !pgCtl) {
    if (await dockerAvailable()) {
      return startContainer(
        'postgres:17-alpine',
        5432,
        'postgres://postgres@127.0.0.1:{port}/postgres',
        ['-e', 'POSTGRES_HOST_AUTH_METHOD=trust'],
      );
    }
    throw new Error(
      'initdb/pg_ctl not found: install PostgreSQL (Debian: apt-get install -y postgresql) or run Docker, for the fault tests',
    );
  }
  const root = await mkdtemp(join(tmpdir(), 'appdist-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'postgres.log');
  // initdb refuses to run as root: run the cluster as the postgres user when we are root.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
    await chmod(root, 0o700);
  }
  const exec = (binary: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', binary, ...args]) : run(binary, args);
  await exec(initdb, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    await exec(pgCtl, ['-D', dataDir, '-o', options, '-l', logFile, '-w', '-t', '30', 'start']);
  };
  const kill = async () => {
    await exec(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    kill,
    async dispose() {
      await kill();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * The same contract with a container: a fixed host port, so `docker start` after `docker kill`
 * brings the server back where clients expect it, with its data.
 */
async function startContainer(
  image: string,
  containerPort: number,
  urlTemplate: string,
  args: readonly string[],
): Promise<ThrowawayServer> {
  const port = await freePort();
  const { stdout } = await run('docker', [
    'run',
    '-d',
    '-p',
    `127.0.0.1:${port}:${containerPort}`,
    ...args,
    image,
  ]);
  const id = stdout.trim();
  const ready = async () => {
    await waitForPort(port, 30_000);
    if (containerPort === 5432) {
      // The port opens before PostgreSQL accepts queries; pg_isready answers when it does.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const ok = await run('docker', [
          'exec',
          id,
          'pg_isready',
          '-h',
          '127.0.0.1',
          '-U',
          'postgres',
        ]).then(
          () => true,
          () => false,
        );
        if (ok) return;
        await sleep(200);
      }
      throw new Error(`PostgreSQL in container ${id} was not ready within 30 s`);
    }
  };
  await ready();
  return {
    url: urlTemplate.replace('{port}', String(port)),
    port,
    async kill() {
      await run('docker', ['kill', id]).catch(() => undefined);
    },
    async start() {
      await run('docker', ['start', id]);
      await ready();
    },
    async dispose() {
      await run('docker', ['rm', '-f', '-v', id]).catch(() => undefined);
    },
  };
}
