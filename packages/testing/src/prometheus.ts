import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

export interface ScrapeTarget {
  job: string;
  /** host:port serving /metrics. */
  address: string;
  /** Extra target labels, e.g. the kubernetes_* labels a cluster's scrape config would add. */
  labels?: Record<string, string>;
}

export interface PrometheusServer {
  url: string;
  /** An instant query; the value of its single series, or undefined when it has none (or NaN). */
  query(promql: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Scalar of an instant query answer that aggregates to one series, as Flagger requires. */
function singleValue(body: unknown): number | undefined {
  const data = (body as { data?: { resultType?: string; result?: unknown[] } }).data;
  const first = data?.result?.[0] as { value?: [number, string] } | undefined;
  if (!first?.value) return undefined;
  const value = Number(first.value[1]);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * A real Prometheus (the Debian package) of its own, scraping the given targets every
 * intervalSeconds, with its data in a temporary folder removed on stop().
 */
export async function startPrometheus(
  targets: readonly ScrapeTarget[],
  options: { intervalSeconds?: number } = {},
): Promise<PrometheusServer> {
  const binary = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
  if (!existsSync(binary)) {
    throw new Error(
      `Prometheus not found at ${binary}: install it (Debian: apt-get install -y prometheus) or set PROMETHEUS_BIN`,
    );
  }
  const interval = `${options.intervalSeconds ?? 1}s`;
  const dir = await mkdtemp(join(tmpdir(), 'appdist-prometheus-'));
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: targets.map((target) => ({
      job_name: target.job,
      static_configs: [{ targets: [target.address], labels: target.labels ?? {} }],
    })),
  };
  // JSON is YAML, so no YAML writer is needed for the config file.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + String(chunk)).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Prometheus exited at start (${child.exitCode}):\n${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Prometheus was not ready within 15 s:\n${log}`);
    }
    await sleep(100);
  }
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
      const body: unknown = await res.json();
      if (!res.ok)
        throw new Error(
          `Prometheus rejected the query (${res.status}): ${JSON.stringify(body)}\n${promql}`,
        );
      return singleValue(body);
    },
    stop,
  };
}
