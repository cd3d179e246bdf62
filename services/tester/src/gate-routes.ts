import { storeCall } from '@appdist/service-kit/redis';
import type { Express, Response } from 'express';
import type { GateStore, SwitchKind } from './gate-store.js';
import { canaryId, parseCanaryRef, parseWebhookPayload } from './payload.js';

/**
 * flagger-loadtester's gate API, which providers already know, with the switches in a store.
 * Non-2xx answers are short text: Flagger shows a 4xx body as is in the Canary's events.
 */
export function gateRoutes(app: Express, store: GateStore): void {
  app.post('/gate/check', async (req, res) => {
    const canary = parseWebhookPayload(req.body);
    if (await storeCall('gate', () => store.isOpen('gate', canary))) {
      text(res, 200, 'approved');
    } else {
      text(res, 403, `gate closed: open it with appdist approve ${canaryId(canary)}`);
    }
  });

  // Type `rollback` hooks are inverted: a 2xx makes Flagger roll back, so only an opened switch
  // answers 2xx, and a store outage (503) never triggers a rollback.
  app.post('/rollback/check', async (req, res) => {
    const canary = parseWebhookPayload(req.body);
    if (await storeCall('gate', () => store.isOpen('rollback', canary))) {
      text(res, 200, `rollback requested for ${canaryId(canary)}`);
    } else {
      text(
        res,
        403,
        `no rollback requested: request one with appdist rollback ${canaryId(canary)}`,
      );
    }
  });

  for (const kind of ['gate', 'rollback'] as const) {
    for (const action of ['open', 'close'] as const) {
      app.post(`/${kind}/${action}`, async (req, res) => {
        const canary = parseCanaryRef(req.body);
        const state = await storeCall('gate', () => store.set(kind, canary, action === 'open'));
        res.status(202).json({ kind, ...state });
      });
    }
  }

  // Unconditional answers, kept for Canaries written against flagger-loadtester.
  app.post('/gate/approve', (_req, res) => {
    text(res, 200, 'approved');
  });
  app.post('/gate/halt', (_req, res) => {
    text(res, 403, 'halted: /gate/halt never approves');
  });

  app.get('/gates', async (_req, res) => {
    const [gates, rollbacks] = await storeCall('gate', () =>
      Promise.all((['gate', 'rollback'] as const satisfies SwitchKind[]).map((k) => store.list(k))),
    );
    res.json({ gates, rollbacks });
  });
}

function text(res: Response, status: number, body: string): void {
  res.status(status).type('text/plain').send(`${body}\n`);
}
