import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { serve } from '../src/serve.js';
import { createServiceApp } from '../src/service-app.js';

const logger = createLogger({ name: 'test', level: 'silent' });

async function startSlowApp(delayMs: number) {
  const config = loadConfig(baseConfigSchema, {
    PORT: '0',
    HOST: '127.0.0.1',
    SHUTDOWN_DELAY_MS: String(delayMs),
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  const events: string[] = [];
  const { listener, lifecycle } = createServiceApp({
    info: { name: 'slow', version: '0.0.0', commit: 'x' },
    config,
    logger,
    routes: (app) => {
      app.get('/slow', async (_req, res) => {
        await sleep(400);
        events.push('in-flight request answered');
        res.json({ done: true });
      });
    },
  });
  const running = await serve(
    {
      listener,
      lifecycle,
      close: async () => {
        events.push('pools closed');
      },
    },
    config,
    logger,
  );
  return { running, events };
}

describe('graceful shutdown', () => {
  it('fails readiness first, keeps serving during the delay, finishes in-flight work, then closes pools', async () => {
    const { running, events } = await startSlowApp(300);
    const inFlight = fetch(`${running.url}/slow`);
    await sleep(50);
    const shutdown = running.shutdown();
    await sleep(50);
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    // Still accepting during the delay, so requests routed here before endpoints update succeed.
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await shutdown;
    expect(events).toEqual(['in-flight request answered', 'pools closed']);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('tells keep-alive clients to close their connection while draining', async () => {
    const { running } = await startSlowApp(300);
    const shutdown = running.shutdown();
    const response = await fetch(`${running.url}/healthz`);
    expect(response.headers.get('connection')).toBe('close');
    await shutdown;
  });
});
