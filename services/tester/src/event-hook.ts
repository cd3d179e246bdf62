import type { Logger } from '@appdist/service-kit/logger';
import type { Express } from 'express';
import { canaryId, parseWebhookPayload } from './payload.js';

/**
 * `POST /hooks/event`: Flagger's event webhook, one call per Kubernetes event it records.
 * Logged as JSON, so failures outside the analysis loop (which send no alert) leave a trace.
 */
export function eventHook(app: Express, logger: Logger): void {
  app.post('/hooks/event', (req, res) => {
    const payload = parseWebhookPayload(req.body);
    const { eventType, eventMessage, timestamp, ...metadata } = payload.metadata;
    logger.info(
      {
        flaggerEvent: {
          canary: canaryId(payload),
          name: payload.name,
          namespace: payload.namespace,
          phase: payload.phase,
          checksum: payload.checksum,
          eventType,
          eventMessage,
          timestamp,
          metadata,
        },
      },
      'flagger event',
    );
    res.json({ logged: true });
  });
}
