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
import { finding, findingsOn, flag, type PolicyRule, type RuleFinding } from '../rule.js';

/** Flagger's defaults (canary.go): a webhook waits 10s, the analysis runs every 60s. */
const DEFAULT_WEBHOOK_TIMEOUT_S = 10;
const DEFAULT_INTERVAL_S = 60;

function webhookField(index: number, ...rest: string[]): string {
  return fieldPath('spec', 'analysis', 'webhooks', index, ...rest);
}

export const preRolloutWebhook: PolicyRule = {
  id: 'canary.pre-rollout-webhook',
  description:
    "Every Canary runs its service's conformance suite on the tester before any traffic: a pre-rollout webhook to /hooks/conformance.",
  check(render) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const tester = `http://${serviceHost(TESTER, canary)}/hooks/conformance`;
      const hook = canaryWebhooks(canary).find((webhook) => webhook.type === 'pre-rollout');
      if (!hook) {
        return flag(
          canary,
          'spec.analysis.webhooks',
          `no pre-rollout webhook: add {name: conformance, type: pre-rollout, url: ${tester}}`,
        );
      }
      const { list: findings, add } = findingsOn(canary);
      if (hook.url !== tester) {
        add(webhookField(hook.index, 'url'), `is ${hook.url || '(empty)'}, expected ${tester}`);
      }
      if (!hasTarget(render, canary)) return findings;
      const expected = { service: canaryTargetName(canary), url: canaryUrl(canary) };
      const metadata = asRecord(hook.hook.metadata) ?? {};
      for (const [key, value] of Object.entries(expected)) {
        if (metadata[key] !== value) {
          add(
            webhookField(hook.index, 'metadata', key),
            `is ${JSON.stringify(metadata[key] ?? null)}, expected ${JSON.stringify(value)}`,
          );
        }
      }
      return findings;
    });
  },
};

export const rolloutWebhook: PolicyRule = {
  id: 'canary.rollout-webhook',
  description:
    'Every Canary generates load on its canary pods (a rollout webhook to /hooks/load with url, rps, duration), or its metric checks find no values.',
  check(render) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const url = `http://${serviceHost(TESTER, canary)}/hooks/load`;
      const hook = canaryWebhooks(canary).find(
        (webhook) => webhook.type === 'rollout' && webhook.url === url,
      );
      if (!hook) {
        return flag(
          canary,
          'spec.analysis.webhooks',
          `no rollout webhook to ${url}: without load the metric checks find no values`,
        );
      }
      const metadata = asRecord(hook.hook.metadata) ?? {};
      const { list: findings, add } = findingsOn(canary);
      for (const key of ['url', 'rps', 'duration']) {
        if (metadata[key] !== undefined) continue;
        add(
          webhookField(hook.index, 'metadata', key),
          'missing: the load hook needs url, rps and duration',
        );
      }
      if (
        hasTarget(render, canary) &&
        typeof metadata.url === 'string' &&
        !metadata.url.startsWith(canaryUrl(canary))
      ) {
        add(
          webhookField(hook.index, 'metadata', 'url'),
          `is ${metadata.url}: load must reach the canary pods at ${canaryUrl(canary)}`,
        );
      }
      return findings;
    });
  },
};

export const webhookTimeouts: PolicyRule = {
  id: 'canary.webhook-timeouts',
  description:
    'The rollout webhooks of one analysis tick finish within the analysis interval (Flagger calls them in sequence every tick).',
  check(render) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const interval =
        durationSeconds(at(canary, 'spec', 'analysis', 'interval')) ?? DEFAULT_INTERVAL_S;
      const total = canaryWebhooks(canary)
        .filter((webhook) => webhook.type === 'rollout')
        .reduce(
          (sum, webhook) =>
            sum + (durationSeconds(webhook.hook.timeout) ?? DEFAULT_WEBHOOK_TIMEOUT_S),
          0,
        );
      if (total < interval) return [];
      return flag(
        canary,
        'spec.analysis.webhooks',
        `rollout webhook timeouts add up to ${total}s, not below the ${interval}s analysis interval`,
      );
    });
  },
};

export const webhookMetadataStrings: PolicyRule = {
  id: 'webhook.metadata-strings',
  description: 'Webhook metadata values are strings (Flagger sends map[string]string).',
  check(render) {
    return render.ofKind('Canary').flatMap((canary) =>
      canaryWebhooks(canary).flatMap((webhook) =>
        Object.entries(asRecord(webhook.hook.metadata) ?? {})
          .filter(([, value]) => typeof value !== 'string')
          .map(([key, value]) =>
            finding(
              canary,
              webhookField(webhook.index, 'metadata', key),
              `is ${typeof value} ${JSON.stringify(value)}: quote it, metadata values are strings`,
            ),
          ),
      ),
    );
  },
};

export const testerEndpoints: PolicyRule = {
  id: 'webhook.tester-endpoints',
  description:
    'Webhooks to the tester use its documented endpoints on port 80, each with the webhook type it serves (a rollback hook on a 2xx endpoint rolls back every release).',
  check(render) {
    return render.ofKind('Canary').flatMap((canary) =>
      canaryWebhooks(canary).flatMap((webhook): RuleFinding[] => {
        let url: URL;
        try {
          url = new URL(webhook.url);
        } catch {
          return [];
        }
        if (url.hostname !== TESTER && !url.hostname.startsWith(`${TESTER}.`)) return [];
        const field = webhookField(webhook.index, 'url');
        if (url.port && url.port !== '80') {
          return [
            {
              object: canary,
              field,
              message: `uses port ${url.port}: the tester Service listens on 80 (http://${url.hostname}/…)`,
            },
          ];
        }
        const endpoint = TESTER_ENDPOINTS.find((candidate) => candidate.path === url.pathname);
        if (!endpoint) {
          return [
            {
              object: canary,
              field,
              message: `${url.pathname} is not a tester endpoint (${TESTER_ENDPOINTS.map((e) => e.path).join(', ')})`,
            },
          ];
        }
        if (!endpoint.types.includes(webhook.type)) {
          return flag(
            canary,
            webhookField(webhook.index, 'type'),
            `${webhook.type} webhook calls ${endpoint.path}, which serves ${endpoint.types.join(' or ')}`,
          );
        }
        return [];
      }),
    );
  },
};
