import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { build } from '@appdist/kustomize/kustomize';
import { launchChromium } from '@appdist/testing/chromium';
import { eventually } from '@appdist/testing/eventually';
import { createTestDatabase } from '@appdist/testing/postgres';
import { type PrometheusServer, startPrometheus } from '@appdist/testing/prometheus';
import { createTestRedis } from '@appdist/testing/redis';
import { freeServicePorts, type LocalStack, type ServiceName, startLocalStack } from './stack.js';

const APP_SERVICES = ['frontend', 'backend', 'cache', 'database'] as const;
type AppService = (typeof APP_SERVICES)[number];
// What the rendered Canaries call the namespace and the in-cluster canary address.
const NAMESPACE = 'app';

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface LocalE2EOptions {
  /** The repository root, where dist/app-kubernetes is rendered from. */
  root: string;
  log?: (line: string) => void;
  /** `{{ interval }}` of the metric queries: short, so each phase is measured on its own. */
  interval?: string;
}

interface Webhook {
  name: string;
  type?: string;
  url: string;
  metadata?: Record<string, string>;
}

interface CanaryMetric {
  name: string;
  templateRef?: { name: string };
  thresholdRange?: { min?: number; max?: number };
}

interface Canary {
  name: string;
  webhooks: Webhook[];
  metrics: CanaryMetric[];
}

/** The Canaries and MetricTemplates of the kubernetes distribution, as kustomize renders them. */
async function renderedGates(root: string) {
  const objects = await build(join(root, 'dist', 'app-kubernetes'));
  const canaries = new Map<string, Canary>();
  const templates = new Map<string, string>();
  for (const object of objects) {
    const spec = (object as KubernetesObject & { spec?: Record<string, unknown> }).spec ?? {};
    if (object.kind === 'Canary') {
      const analysis = (spec.analysis ?? {}) as { webhooks?: Webhook[]; metrics?: CanaryMetric[] };
      canaries.set(object.metadata.name, {
        name: object.metadata.name,
        webhooks: analysis.webhooks ?? [],
        metrics: analysis.metrics ?? [],
      });
    } else if (object.kind === 'MetricTemplate' && typeof spec.query === 'string') {
      templates.set(object.metadata.name, spec.query);
    }
  }
  return { canaries, templates };
}

/** Fills Flagger's template variables; an unknown one is an error, as with Flagger's missingkey=error. */
export function renderQuery(query: string, variables: Record<string, string>): string {
  return query.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_match, key: string) => {
    const value = variables[key];
    if (value === undefined)
      throw new Error(`MetricTemplate uses {{ ${key} }}, which has no value`);
    return value;
  });
}

/** The in-cluster canary address (`http://backend-canary.app:8080`) mapped to the local process. */
function localize(url: string, urls: Record<ServiceName, string>): string {
  return url.replace(/^http:\/\/([a-z]+)-canary\.[a-z0-9-]+:\d+/, (match, service: string) => {
    const local = urls[service as ServiceName];
    return local ?? match;
  });
}

/** The Canaries address the tester as http://tester.app/…; locally it is the tester process. */
function testerUrl(hook: Webhook, urls: Record<ServiceName, string>): string {
  return hook.url.replace(/^http:\/\/tester\.[a-z0-9-]+(:\d+)?/, urls.tester);
}

function webhookOf(canary: Canary, type: string): Webhook {
  const hook = canary.webhooks.find((webhook) => webhook.type === type);
  if (!hook) throw new Error(`Canary ${canary.name} has no ${type} webhook`);
  return hook;
}

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, text: await response.text() };
}

/** What Flagger would send the tester for this hook: the payload shape of its webhook contract. */
function flaggerPayload(
  canary: string,
  metadata: Record<string, string>,
  urls: Record<ServiceName, string>,
) {
  return {
    name: canary,
    namespace: NAMESPACE,
    phase: 'Progressing',
    checksum: 'local-e2e',
    metadata: Object.fromEntries(
      Object.entries(metadata).map(([key, value]) => [key, localize(value, urls)]),
    ),
  };
}

/**
 * The release gates of the distribution, proven against the running services: conformance
 * through the tester, SLO queries from the rendered MetricTemplates against a real Prometheus
 * (healthy, then with injected errors and latency), the approval gate, and the UI in Chromium.
 */
export async function runLocalE2E(options: LocalE2EOptions): Promise<StepResult[]> {
  const log = options.log ?? (() => undefined);
  const interval = options.interval ?? '15s';
  const results: StepResult[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  const step = async (name: string, run: () => Promise<string>) => {
    const start = performance.now();
    try {
      const detail = await run();
      const ms = Math.round(performance.now() - start);
      results.push({ name, ok: true, ms, detail });
      log(`ok    ${name} (${ms} ms) ${detail}`);
    } catch (error) {
      const ms = Math.round(performance.now() - start);
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ name, ok: false, ms, detail });
      log(`FAIL  ${name} (${ms} ms) ${detail}`);
      throw error;
    }
  };

  try {
    let stack: LocalStack | undefined;
    let prometheus: PrometheusServer | undefined;
    let gates: Awaited<ReturnType<typeof renderedGates>> = {
      canaries: new Map(),
      templates: new Map(),
    };
    await step('render dist/app-kubernetes: Canaries and MetricTemplates', async () => {
      gates = await renderedGates(options.root);
      return `${gates.canaries.size} Canaries, MetricTemplates ${[...gates.templates.keys()].join(', ')}`;
    });
    const canary = (service: AppService): Canary => {
      const found = gates.canaries.get(service);
      if (!found) throw new Error(`dist/app-kubernetes renders no Canary ${service}`);
      return found;
    };

    await step('start the services, the tester and Prometheus', async () => {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const redis = await createTestRedis();
      cleanups.push(() => redis.cleanup());
      const ports = await freeServicePorts();
      const started = await startLocalStack({
        ports,
        databaseUrl: database.url,
        redisUrl: redis.url,
        redisKeyPrefix: redis.keyPrefix,
        logLevel: 'warn',
        onLog: (service, line) => log(`      ${service}: ${line}`),
      });
      stack = started;
      cleanups.push(() => started.stop());
      // Labelled as Flagger's bundled Prometheus labels a canary pod, so the rendered queries match.
      const server = await startPrometheus(
        APP_SERVICES.map((service) => ({
          job: service,
          address: `127.0.0.1:${ports[service]}`,
          labels: {
            kubernetes_namespace: NAMESPACE,
            kubernetes_pod_name: `${service}-5d8f7c9b4-e2e01`,
          },
        })),
        { intervalSeconds: 1 },
      );
      prometheus = server;
      cleanups.push(() => server.stop());
      return `frontend ${started.urls.frontend}, tester ${started.urls.tester}, prometheus ${server.url}`;
    });
    if (!stack || !prometheus) throw new Error('setup did not complete');
    const { urls } = stack;
    const prom = prometheus;
    const running = stack;

    const sloValue = async (service: AppService, metric: string) => {
      const template = gates.templates.get(metric);
      if (!template) throw new Error(`dist/app-kubernetes renders no MetricTemplate ${metric}`);
      const query = renderQuery(template, {
        namespace: NAMESPACE,
        target: service,
        name: service,
        service,
        interval,
      });
      return prom.query(query);
    };
    const threshold = (service: AppService, metric: string) => {
      const range = canary(service).metrics.find(
        (m) => m.templateRef?.name === metric,
      )?.thresholdRange;
      if (!range) throw new Error(`Canary ${service} has no ${metric} metric with a threshold`);
      return range;
    };
    /** Flagger's verdict for one metric: within [min, max], or no data yet. */
    const withinThreshold = async (service: AppService, metric: string) => {
      const value = await sloValue(service, metric);
      const { min, max } = threshold(service, metric);
      const ok =
        value !== undefined &&
        (min === undefined || value >= min) &&
        (max === undefined || value <= max);
      return { value, ok, range: `${min ?? '-∞'}..${max ?? '∞'}` };
    };

    for (const service of APP_SERVICES) {
      await step(`conformance hook for ${service} (pre-rollout)`, async () => {
        const hook = webhookOf(canary(service), 'pre-rollout');
        const answer = await postJson(
          testerUrl(hook, urls),
          flaggerPayload(service, hook.metadata ?? {}, urls),
        );
        if (answer.status !== 200)
          throw new Error(`tester answered ${answer.status}: ${answer.text.split('\n')[0]}`);
        return 'tester answered 200';
      });
    }

    await step('load through the tester (rollout hooks)', async () => {
      for (const service of APP_SERVICES) {
        const hook = webhookOf(canary(service), 'rollout');
        // Long enough to cover every phase below; the rendered rps and paths are kept.
        const metadata = { ...hook.metadata, duration: '5m' };
        const answer = await postJson(
          testerUrl(hook, urls),
          flaggerPayload(service, metadata, urls),
        );
        if (answer.status !== 202)
          throw new Error(
            `load hook for ${service}: tester answered ${answer.status}: ${answer.text}`,
          );
      }
      return 'four load jobs accepted (202)';
    });

    await step('SLO queries within thresholds while healthy', async () => {
      const values: string[] = [];
      for (const service of APP_SERVICES) {
        for (const metric of ['success-rate', 'latency']) {
          await eventually(
            async () => {
              const verdict = await withinThreshold(service, metric);
              if (!verdict.ok)
                throw new Error(`${service} ${metric} = ${verdict.value} (want ${verdict.range})`);
              values.push(`${service} ${metric} ${verdict.value?.toFixed(1)}`);
            },
            45_000,
            500,
          );
        }
      }
      return values.join(', ');
    });

    await step('backend with FAULT_ERROR_RATE=0.5 crosses the success-rate threshold', async () => {
      await running.restart('backend', { FAULT_ERROR_RATE: '0.5' });
      let seen: number | undefined;
      await eventually(
        async () => {
          const verdict = await withinThreshold('backend', 'success-rate');
          seen = verdict.value;
          if (verdict.value === undefined || verdict.ok)
            throw new Error(`backend success-rate ${verdict.value} still within ${verdict.range}`);
        },
        45_000,
        500,
      );
      return `success-rate ${seen?.toFixed(1)} % < ${threshold('backend', 'success-rate').min}: Flagger would roll back`;
    });

    await step('backend with FAULT_DELAY_MS=800 crosses the latency threshold', async () => {
      await running.restart('backend', { FAULT_DELAY_MS: '800' });
      let seen: number | undefined;
      await eventually(
        async () => {
          const verdict = await withinThreshold('backend', 'latency');
          seen = verdict.value;
          if (verdict.value === undefined || verdict.ok)
            throw new Error(`backend latency ${verdict.value} still within ${verdict.range}`);
        },
        45_000,
        500,
      );
      await running.restart('backend');
      return `p99 ${seen?.toFixed(0)} ms > ${threshold('backend', 'latency').max} ms: Flagger would roll back`;
    });

    await step('approval gate: closed, opened, approved', async () => {
      const check = () =>
        postJson(`${urls.tester}/gate/check`, {
          name: 'backend',
          namespace: NAMESPACE,
          phase: 'Progressing',
          checksum: 'local-e2e',
        });
      const closed = await check();
      if (closed.status < 400) throw new Error(`a closed gate answered ${closed.status}`);
      const opened = await postJson(`${urls.tester}/gate/open`, {
        name: 'backend',
        namespace: NAMESPACE,
      });
      if (opened.status !== 202) throw new Error(`gate/open answered ${opened.status}`);
      const approved = await check();
      if (approved.status !== 200) throw new Error(`an open gate answered ${approved.status}`);
      return `closed ${closed.status}, open 202, then ${approved.status}`;
    });

    await step('the UI in Chromium: shorten a link and follow it', async () => {
      const landing = createServer((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end('<!doctype html><title>landed</title><h1>landed</h1>');
      });
      landing.listen(0, '127.0.0.1');
      await once(landing, 'listening');
      cleanups.push(async () => landing.close());
      const target = `http://127.0.0.1:${(landing.address() as AddressInfo).port}/landing`;
      const browser = await launchChromium();
      cleanups.push(() => browser.close());
      const page = await browser.newPage();
      await page.goto(urls.frontend);
      await page.getByLabel('Long URL').fill(target);
      await page.getByRole('button', { name: 'Shorten' }).click();
      const shortUrl = await page.locator('#short-url').textContent();
      if (!shortUrl?.includes('/'))
        throw new Error('the page shows no short URL after submitting the form');
      const code = new URL(shortUrl.trim()).pathname;
      await page.goto(`${urls.frontend}${code}`);
      if ((await page.title()) !== 'landed')
        throw new Error(`following ${code} did not land on the target`);
      return `${code} → ${target}`;
    });
  } catch {
    // Recorded by step(); the remaining steps are skipped.
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`cleanup failed: ${(error as Error).message}`));
    }
  }
  return results;
}
