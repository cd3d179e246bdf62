import { asRecord, at, fieldPath } from '../access.js';
import { TESTER, TESTER_ENDPOINTS } from '../appdist-contract.js';
import {
  canaryTargetName,
  canaryUrl,
  canaryWebhooks,
  durationSeconds,
  hasTarget,
  serviceHost,
} from '../canary-view.js';
import { type RuleTable, reportUnexpected } from '../rule.js';

/** Flagger's defaults (canary.go): a webhook waits 10s, the analysis runs every 60s. */
const DEFAULT_WEBHOOK_TIMEOUT_S = 10;
const DEFAULT_INTERVAL_S = 60;

function webhookPath(index: number): Array<string | number> {
  return ['spec', 'analysis', 'webhooks', index];
}

export const RULES: RuleTable = {
  /**
   * Every Canary runs its service's conformance suite on the tester before any traffic: a pre-
   * rollout webhook to /hooks/conformance.
   */
  'canary.pre-rollout-webhook'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      const tester = `http://${serviceHost(TESTER, canary)}/hooks/conformance`;
      const hook = canaryWebhooks(canary).find((webhook) => webhook.type === 'pre-rollout');
      if (!hook) {
        report(
          canary,
          'spec.analysis.webhooks',
          `no pre-rollout webhook: add {name: conformance, type: pre-rollout, url: ${tester}}`,
        );
        continue;
      }
      if (hook.url !== tester) {
        const field = fieldPath(...webhookPath(hook.index), 'url');
        report(canary, field, `is ${hook.url || '(empty)'}, expected ${tester}`);
      }
      if (!hasTarget(render, canary)) continue;
      reportUnexpected(report, canary, [...webhookPath(hook.index), 'metadata'], {
        service: canaryTargetName(canary),
        url: canaryUrl(canary),
      });
    }
  },
  /**
   * Every Canary generates load on its canary pods (a rollout webhook to /hooks/load with url, rps,
   * duration), or its metric checks find no values.
   */
  'canary.rollout-webhook'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      const url = `http://${serviceHost(TESTER, canary)}/hooks/load`;
      const hook = canaryWebhooks(canary).find(
        (webhook) => webhook.type === 'rollout' && webhook.url === url,
      );
      if (!hook) {
        report(
          canary,
          'spec.analysis.webhooks',
          `no rollout webhook to ${url}: without load the metric checks find no values`,
        );
        continue;
      }
      const metadata = asRecord(hook.hook.metadata) ?? {};
      const field = (key: string) => fieldPath(...webhookPath(hook.index), 'metadata', key);
      for (const key of ['url', 'rps', 'duration']) {
        if (metadata[key] === undefined) {
          report(canary, field(key), 'missing: the load hook needs url, rps and duration');
        }
      }
      const pods = canaryUrl(canary);
      if (
        hasTarget(render, canary) &&
        typeof metadata.url === 'string' &&
        !metadata.url.startsWith(pods)
      ) {
        report(
          canary,
          field('url'),
          `is ${metadata.url}: load must reach the canary pods at ${pods}`,
        );
      }
    }
  },
  /**
   * The rollout webhooks of one analysis tick finish within the analysis interval (Flagger calls
   * them in sequence every tick).
   */
  'canary.webhook-timeouts'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      const interval =
        durationSeconds(at(canary, 'spec', 'analysis', 'interval')) ?? DEFAULT_INTERVAL_S;
      const total = canaryWebhooks(canary)
        .filter((webhook) => webhook.type === 'rollout')
        .reduce(
          (sum, webhook) =>
            sum + (durationSeconds(webhook.hook.timeout) ?? DEFAULT_WEBHOOK_TIMEOUT_S),
          0,
        );
      if (total < interval) continue;
      report(
        canary,
        'spec.analysis.webhooks',
        `rollout webhook timeouts add up to ${total}s, not below the ${interval}s analysis interval`,
      );
    }
  },
  /** Webhook metadata values are strings (Flagger sends map[string]string). */
  'webhook.metadata-strings'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      for (const webhook of canaryWebhooks(canary)) {
        for (const [key, value] of Object.entries(asRecord(webhook.hook.metadata) ?? {})) {
          if (typeof value === 'string') continue;
          report(
            canary,
            fieldPath(...webhookPath(webhook.index), 'metadata', key),
            `is ${typeof value} ${JSON.stringify(value)}: quote it, metadata values are strings`,
          );
        }
      }
    }
  },
  /**
   * Webhooks to the tester use its documented endpoints on port 80, each with the webhook type it
   * serves (a rollback hook on a 2xx endpoint rolls back every release).
   */
  'webhook.tester-endpoints'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      for (const webhook of canaryWebhooks(canary)) {
        const url = URL.parse(webhook.url);
        if (!url || (url.hostname !== TESTER && !url.hostname.startsWith(`${TESTER}.`))) continue;
        const field = fieldPath(...webhookPath(webhook.index), 'url');
        const endpoint = TESTER_ENDPOINTS.find((candidate) => candidate.path === url.pathname);
        if (url.port && url.port !== '80') {
          report(
            canary,
            field,
            `uses port ${url.port}: the tester Service listens on 80 (http://${url.hostname}/…)`,
          );
        } else if (!endpoint) {
          const paths = TESTER_ENDPOINTS.map((candidate) => candidate.path).join(', ');
          report(canary, field, `${url.pathname} is not a tester endpoint (${paths})`);
        } else if (!endpoint.types.includes(webhook.type)) {
          report(
            canary,
            fieldPath(...webhookPath(webhook.index), 'type'),
            `${webhook.type} webhook calls ${endpoint.path}, which serves ${endpoint.types.join(' or ')}`,
          );
        }
      }
    }
  },
};
