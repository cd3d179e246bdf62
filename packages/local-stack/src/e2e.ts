import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CANARY_SERVICES,
  type CanaryService,
  distributionOf,
  NAMESPACE,
  type ServiceName,
} from '@appdist/catalogue';
import { build } from '@appdist/kustomize/kustomize';
import { type PrometheusServer, startPrometheus } from './prometheus.js';
import { freeServicePorts, type LocalStack, startLocalStack } from './stack.js';

// Flagger's view of a release is the kubernetes distribution: its Canaries and MetricTemplates.
const DISTRIBUTION = distributionOf('kubernetes');
const SLO_METRICS = ['success-rate', 'latency'];

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface LocalE2EOptions {
  /** The repository root, where the distribution is rendered from. */
  root: string;
  log?: (line: string) => void;
  /** The stores (tests pass PostgreSQL and Redis); unset: an embedded PostgreSQL of this run and in-process stores. */
  databaseUrl?: string;
  redisUrl?: string;
  redisKeyPrefix?: string;
}

interface Canary {
  webhooks: { type?: string; url: string; metadata?: Record<string, string> }[];
  metrics: { templateRef?: { name: string }; thresholdRange?: { min?: number; max?: number } }[];
}

/** The Canaries and MetricTemplates of the distribution, as kustomize renders them. */
async function renderGates(root: string) {
  const canaries = new Map<string, Canary>();
  const templates = new Map<string, string>();
  for (const object of await build(join(root, 'dist', DISTRIBUTION))) {
    const spec = ((object as { spec?: unknown }).spec ?? {}) as Record<string, unknown>;
    if (object.kind === 'Canary') {
      const analysis = (spec.analysis ?? {}) as Partial<Canary>;
      canaries.set(object.metadata.name, {
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

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * The release gates of the distribution, driven as Flagger drives them, against the services
 * as processes: each Canary's webhooks called on the tester with Flagger's payload, the SLO
 * queries of the rendered MetricTemplates against a real Prometheus (healthy, then with injected
 * errors and latency), and the approval gate.
 */
export async function runLocalE2E(options: LocalE2EOptions): Promise<StepResult[]> {
  const log = options.log ?? (() => undefined);
  // `{{ interval }}` of the metric queries: short, so each phase is measured on its own.
  const interval = '15s';
  const results: StepResult[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  const step = async (name: string, run: () => Promise<string>) => {
    const start = performance.now();
    let result: StepResult;
    try {
      result = { name, ok: true, ms: 0, detail: await run() };
    } catch (error) {
      result = { name, ok: false, ms: 0, detail: (error as Error).message ?? String(error) };
    }
    result.ms = Math.round(performance.now() - start);
    results.push(result);
    log(`${result.ok ? 'ok  ' : 'FAIL'}  ${name} (${result.ms} ms) ${result.detail}`);
    if (!result.ok) throw new Error(result.detail);
  };

  let gates = { canaries: new Map<string, Canary>(), templates: new Map<string, string>() };
  let stack: LocalStack | undefined;
  let prometheus: PrometheusServer | undefined;
  const canary = (service: CanaryService): Canary => {
    const found = gates.canaries.get(service);
    if (!found) throw new Error(`${DISTRIBUTION} renders no Canary ${service}`);
    return found;
  };
  /** Calls a Canary's webhook of this type as Flagger would, at the local tester. */
  const callHook = (
    service: CanaryService,
    type: string,
    metadata: Record<string, string> = {},
  ) => {
    const hook = canary(service).webhooks.find((webhook) => webhook.type === type);
    if (!hook || !stack) throw new Error(`Canary ${service} has no ${type} webhook`);
    const { urls } = stack;
    // In-cluster addresses (http://tester.app/…, http://backend-canary.app:8080) to the processes.
    const local = (url: string) =>
      url.replace(
        /^http:\/\/([a-z]+)(-canary)?\.[a-z0-9-]+(:\d+)?/,
        (match, name: string) => urls[name as ServiceName] ?? match,
      );
    const merged = { ...hook.metadata, ...metadata };
    return postJson(local(hook.url), {
      name: service,
      namespace: NAMESPACE,
      phase: 'Progressing',
      checksum: 'local-e2e',
      metadata: Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, local(v)])),
    });
  };
  /** Flagger's verdict for one metric: its value, and whether it lies within the Canary's range. */
  const verdict = async (service: CanaryService, metric: string) => {
    const template = gates.templates.get(metric);
    const range = canary(service).metrics.find(
      (m) => m.templateRef?.name === metric,
    )?.thresholdRange;
    if (!template || !range || !prometheus)
      throw new Error(`Canary ${service} has no ${metric} metric with a MetricTemplate and range`);
    const variables = { namespace: NAMESPACE, target: service, name: service, service, interval };
    const value = await prometheus.query(renderQuery(template, variables));
    const { min = -Infinity, max = Infinity } = range;
    const ok = value !== undefined && value >= min && value <= max;
    return { value, ok, range: `${range.min ?? '-∞'}..${range.max ?? '∞'}` };
  };
  /** Polls the verdict until it is `wanted` (no data is never a pass), for at most 45 s. */
  const until = async (service: CanaryService, metric: string, wanted: boolean) => {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const seen = await verdict(service, metric);
      if (seen.value !== undefined && seen.ok === wanted) return seen;
      if (Date.now() > deadline)
        throw new Error(
          `${service} ${metric} = ${seen.value}, want ${wanted ? '' : 'outside '}${seen.range}`,
        );
      await sleep(500);
    }
  };

  try {
    await step(`render dist/${DISTRIBUTION}: Canaries and MetricTemplates`, async () => {
      gates = await renderGates(options.root);
      return `${gates.canaries.size} Canaries, MetricTemplates ${[...gates.templates.keys()].join(', ')}`;
    });

    await step('start the services, the tester and Prometheus', async () => {
      const ports = await freeServicePorts();
      const dataDir = await mkdtemp(join(tmpdir(), 'appdist-e2e-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const started = await startLocalStack({
        ports,
        embeddedDataDir: dataDir,
        ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
        ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
        ...(options.redisKeyPrefix ? { redisKeyPrefix: options.redisKeyPrefix } : {}),
        logLevel: 'warn',
        onLog: (service, line) => log(`      ${service}: ${line}`),
      });
      stack = started;
      cleanups.push(() => started.stop());
      // Labelled as Flagger's bundled Prometheus labels a canary pod, so the rendered queries match.
      const server = await startPrometheus(
        CANARY_SERVICES.map((service) => ({
          job: service,
          address: `127.0.0.1:${ports[service]}`,
          labels: {
            kubernetes_namespace: NAMESPACE,
            kubernetes_pod_name: `${service}-5d8f7c9b4-e2e01`,
          },
        })),
      );
      prometheus = server;
      cleanups.push(() => server.stop());
      return `frontend ${started.urls.frontend}, tester ${started.urls.tester}, prometheus ${server.url}`;
    });

    for (const service of CANARY_SERVICES) {
      await step(`conformance hook for ${service} (pre-rollout)`, async () => {
        const answer = await callHook(service, 'pre-rollout');
        if (answer.status !== 200)
          throw new Error(`tester answered ${answer.status}: ${answer.text.split('\n')[0]}`);
        return 'tester answered 200';
      });
    }

    await step('load through the tester (rollout hooks)', async () => {
      for (const service of CANARY_SERVICES) {
        // Long enough to cover every phase below; the rendered rps and paths are kept.
        const answer = await callHook(service, 'rollout', { duration: '5m' });
        if (answer.status !== 202)
          throw new Error(
            `load hook for ${service}: tester answered ${answer.status}: ${answer.text}`,
          );
      }
      return `${CANARY_SERVICES.length} load jobs accepted (202)`;
    });

    await step('SLO queries within thresholds while healthy', async () => {
      const values: string[] = [];
      for (const service of CANARY_SERVICES) {
        for (const metric of SLO_METRICS) {
          const seen = await until(service, metric, true);
          values.push(`${service} ${metric} ${seen.value?.toFixed(1)}`);
        }
      }
      return values.join(', ');
    });

    const faults = [
      ['FAULT_ERROR_RATE', '0.5', 'success-rate'],
      ['FAULT_DELAY_MS', '800', 'latency'],
    ] as const;
    for (const [variable, value, metric] of faults) {
      await step(`backend with ${variable}=${value} crosses the ${metric} threshold`, async () => {
        await stack?.restart('backend', { [variable]: value });
        const seen = await until('backend', metric, false);
        return `${metric} ${seen.value?.toFixed(1)} outside ${seen.range}: Flagger would roll back`;
      });
    }

    await step('approval gate: closed, opened, approved', async () => {
      const tester = stack?.urls.tester;
      const gate = { name: 'backend', namespace: NAMESPACE };
      const check = () =>
        postJson(`${tester}/gate/check`, { ...gate, phase: 'Progressing', checksum: 'local-e2e' });
      const closed = await check();
      if (closed.status < 400) throw new Error(`a closed gate answered ${closed.status}`);
      const opened = await postJson(`${tester}/gate/open`, gate);
      if (opened.status !== 202) throw new Error(`gate/open answered ${opened.status}`);
      const approved = await check();
      if (approved.status !== 200) throw new Error(`an open gate answered ${approved.status}`);
      return `closed ${closed.status}, open 202, then ${approved.status}`;
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
