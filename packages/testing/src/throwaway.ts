import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

/**
 * A server that fault tests may stop and start again on the same port, never the shared one.
 * Debian binaries where installed; where they are missing the test fails naming the package.
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
    throw new Error(
      'redis-server not found: install it (Debian: apt-get install -y redis-server) for the fault tests',
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
    throw new Error(
      'initdb/pg_ctl not found: install PostgreSQL (Debian: apt-get install -y postgresql) for the fault tests',
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
