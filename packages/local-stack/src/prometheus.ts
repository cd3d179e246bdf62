import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import getPort from 'get-port';
import { exited, terminate } from './stack.js';

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

/**
 * A real Prometheus (the Debian package) of its own, scraping the given targets every
 * second, with its data in a temporary folder removed on stop().
 */
export async function startPrometheus(targets: readonly ScrapeTarget[]): Promise<PrometheusServer> {
  const binary = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
  if (!existsSync(binary)) {
    throw new Error(
      `Prometheus not found at ${binary}: install it (Debian: apt-get install -y prometheus) or set PROMETHEUS_BIN`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'appdist-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: targets.map(({ job, address, labels = {} }) => ({
      job_name: job,
      static_configs: [{ targets: [address], labels }],
    })),
  };
  // JSON is YAML, so no YAML writer is needed for the config file.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await getPort({ host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
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
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + String(chunk)).slice(-4000);
  });
  const stop = async () => {
    await terminate(child);
    await rm(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 15_000; ; await sleep(100)) {
    const ready = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (exited(child) || Date.now() > deadline) {
      await stop();
      throw new Error(
        `Prometheus did not become ready (exit ${child.exitCode ?? child.signalCode}):\n${log}`,
      );
    }
  }
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
      const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
      if (!res.ok)
        throw new Error(
          `Prometheus rejected the query (${res.status}): ${JSON.stringify(body)}\n${promql}`,
        );
      // Flagger requires a query that aggregates to one series; its scalar is the verdict's input.
      const value = Number(body.data?.result?.[0]?.value?.[1] ?? Number.NaN);
      return Number.isNaN(value) ? undefined : value;
    },
    stop,
  };
}
