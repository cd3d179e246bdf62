#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVICE_NAMES, SERVICES } from '@appdist/catalogue';
import { formatLogLine } from './log-format.js';
import { FRONTEND_PORT, startLocalStack } from './stack.js';

const offsets = SERVICES.filter((s) => s.localPort !== FRONTEND_PORT).map(
  (s) => `${s.name} +${s.localPort - FRONTEND_PORT}`,
);
const HELP = `Usage: npm start [-- options]

Runs ${SERVICE_NAMES.join(', ')} as local processes and stops them all on Ctrl-C.

Options:
  --port <n>        frontend port; the others keep their offsets from it:
                    ${offsets.join(', ')} (default: $PORT or ${FRONTEND_PORT})
  --data-dir <dir>  embedded PostgreSQL data folder when DATABASE_URL is unset (default: .data/pglite)
  --log-level <l>   fatal|error|warn|info|debug|trace|silent (default: info)
  --quiet           print only warnings and errors of the services
  -h, --help        show this help

Environment:
  DATABASE_URL      use this PostgreSQL instead of the embedded one
  REDIS_URL         use this Redis instead of the cache's in-process store
`;

async function main(): Promise<void> {
  const { values } = (() => {
    try {
      return parseArgs({
        options: {
          port: { type: 'string' },
          'data-dir': { type: 'string' },
          'log-level': { type: 'string' },
          quiet: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
      process.exit(2);
    }
  })();
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? FRONTEND_PORT);
  const highest = 65535 - Math.max(...SERVICES.map((s) => s.localPort - FRONTEND_PORT));
  if (!Number.isInteger(port) || port < 1 || port > highest) {
    process.stderr.write(
      `--port: expected a port number from 1 to ${highest}, got ${JSON.stringify(values.port ?? process.env.PORT)}\n`,
    );
    process.exit(2);
  }
  const logLevel = values.quiet ? 'warn' : (values['log-level'] ?? 'info');
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const redisUrl = process.env.REDIS_URL || undefined;
  const dataDir = resolve(values['data-dir'] ?? '.data/pglite');

  process.stdout.write(
    `Starting appdist: database on ${databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${dataDir}`}, ` +
      `cache on ${redisUrl ? 'REDIS_URL' : 'its in-process store'}…\n`,
  );
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      detached: true,
      basePort: port,
      logLevel,
      embeddedDataDir: dataDir,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(redisUrl ? { redisUrl } : {}),
      onLog: (service, line) => process.stdout.write(`${formatLogLine(service, line)}\n`),
    });
  } catch (error) {
    process.stderr.write(`appdist failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }

  process.stdout.write(
    `\nappdist is running: ${stack.urls.frontend} (API: /api/links)\n` +
      `  tester ${stack.urls.tester}: Flagger's webhooks and the approval gates\n` +
      `  ${SERVICE_NAMES.map((name) => `${name} ${stack.urls[name]}`).join('   ')}\n` +
      'Press Ctrl-C to stop.\n\n',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping services…\n`);
    stack.stop().then(
      () => {
        process.stdout.write('All services stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stop failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const [name, service] of stack.services) {
    service.child.once('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(
        `${name} exited unexpectedly (${code ?? signal}); stopping the others.\n`,
      );
      stop('SIGTERM');
    });
  }
}

await main();
