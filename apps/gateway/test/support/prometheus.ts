import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { signalChild, spawnChild } from './children';
import { ALERTS_FILE, CHART_FILES_DIR } from './dashboard-queries';
import { freePort } from './ports';
import { READY_TIMEOUT_MS } from './timeouts';

/**
 * A real Prometheus (Debian's `prometheus`, scripts/install-prometheus.sh) for e2e specs: it
 * scrapes a running gateway and a stand-in kube-state-metrics every second and evaluates the
 * chart's alert rules every second, on 127.0.0.1 ports of its own, with a config, rule file and
 * TSDB in a temp dir that stop() deletes.
 */

export const GATEWAY_JOB = 'llm-connector-hub';
const KUBE_STATE_METRICS_JOB = 'kube-state-metrics';

interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, value as Prometheus prints it ("NaN", "+Inf", "0.25")]. */
  value: [number, string];
}

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

interface PromTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
}

export interface PrometheusHandle {
  url: string;
  port: number;
  /** The temp dir with prometheus.yml, alerts.yaml (the `for: 0s` copy) and the TSDB; stop() deletes it. */
  dir: string;
  /** Instant query at the current time; rejects when Prometheus answers with an error. */
  query(expr: string): Promise<PromSample[]>;
  /** Pending and firing alerts (GET /api/v1/alerts). */
  alerts(): Promise<PromAlert[]>;
  targets(): Promise<PromTarget[]>;
  /** Until both scrape jobs have a target whose last scrape succeeded. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  /**
   * Until every target of `job` has been scraped successfully after `sinceMs` (epoch ms, default
   * now): what a spec calls after traffic so the counters it caused are in the TSDB.
   */
  waitForScrape(job: string, sinceMs?: number, timeoutMs?: number): Promise<void>;
  /** Everything Prometheus logged (for failure messages). */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; stops the kube-state-metrics stand-in; deletes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** `host:port` of the gateway's /metrics. */
  gatewayTarget: string;
  /** How long Prometheus may take to become ready; default READY_TIMEOUT_MS. */
  startTimeoutMs?: number;
}

/**
 * The chart's alerts.yaml with every `for:` set to 0s (everything else as shipped). The live
 * test proves that each expression fires on the data a real gateway exports; how long each one
 * must hold (`for`) is proven by `promtool test rules alerts.test.yaml`, on synthetic series
 * over simulated hours, which a test that runs for seconds cannot do.
 */
function alertRulesWithoutFor(): string {
  const document = parseDocument(readFileSync(join(CHART_FILES_DIR, ALERTS_FILE), 'utf8'));
  const groups = document.toJS() as { groups: Array<{ rules: Array<Record<string, unknown>> }> };
  groups.groups.forEach((group, g) =>
    group.rules.forEach((rule, r) => {
      if (rule.alert !== undefined) document.setIn(['groups', g, 'rules', r, 'for'], '0s');
    }),
  );
  return document.toString({ lineWidth: 0 });
}

/**
 * Stands in for kube-state-metrics, which only exists in a cluster: the Overview dashboard's
 * "Replicas" panel reads the gateway Deployment's available replicas and its HPA's desired,
 * current and max replicas from it. Static values with the labels kube-state-metrics gives them.
 */
const KUBE_STATE_METRICS_TEXT = [
  '# HELP kube_deployment_status_replicas_available The number of available replicas per deployment.',
  '# TYPE kube_deployment_status_replicas_available gauge',
  'kube_deployment_status_replicas_available{namespace="llm-hub",deployment="llm-connector-hub"} 3',
  '# HELP kube_horizontalpodautoscaler_status_desired_replicas Desired number of replicas of pods managed by this autoscaler.',
  '# TYPE kube_horizontalpodautoscaler_status_desired_replicas gauge',
  'kube_horizontalpodautoscaler_status_desired_replicas{namespace="llm-hub",horizontalpodautoscaler="llm-connector-hub"} 4',
  '# HELP kube_horizontalpodautoscaler_status_current_replicas Current number of replicas of pods managed by this autoscaler.',
  '# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge',
  'kube_horizontalpodautoscaler_status_current_replicas{namespace="llm-hub",horizontalpodautoscaler="llm-connector-hub"} 3',
  '# HELP kube_horizontalpodautoscaler_spec_max_replicas Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.',
  '# TYPE kube_horizontalpodautoscaler_spec_max_replicas gauge',
  'kube_horizontalpodautoscaler_spec_max_replicas{namespace="llm-hub",horizontalpodautoscaler="llm-connector-hub"} 10',
  '',
].join('\n');

async function startKubeStateMetrics(): Promise<{ server: Server; port: number }> {
  const server = createHttpServer((request, response) => {
    if (request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(KUBE_STATE_METRICS_TEXT);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

function prometheusConfig(gatewayTarget: string, kubeStateMetricsTarget: string): string {
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: ['alerts.yaml'],
    scrape_configs: [
      { job_name: GATEWAY_JOB, static_configs: [{ targets: [gatewayTarget] }] },
      { job_name: KUBE_STATE_METRICS_JOB, honor_labels: true, static_configs: [{ targets: [kubeStateMetricsTarget] }] },
    ],
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-hub-prometheus-'));
  let ksm: { server: Server; port: number } | undefined;
  let running: RunningPrometheus | undefined;
  try {
    ksm = await startKubeStateMetrics();
    writeFileSync(join(dir, 'alerts.yaml'), alertRulesWithoutFor());
    writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig(options.gatewayTarget, `127.0.0.1:${ksm.port}`));
    // The port may be taken between freePort() and Prometheus binding it: try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3 && !running; attempt++) {
      try {
        running = await launch(dir, await freePort(), options.startTimeoutMs ?? READY_TIMEOUT_MS);
      } catch (error) {
        lastError = error;
      }
    }
    if (!running) throw lastError;
  } catch (error) {
    ksm?.server.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return handle(dir, running, ksm.server);
}

interface RunningPrometheus {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
  output(): string;
}

async function launch(dir: string, port: number, timeoutMs: number): Promise<RunningPrometheus> {
  const child = spawnChild(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error)); // ENOENT: not installed
  const isRunning = () => child.exitCode === null && child.signalCode === null && spawnError === undefined;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isRunning()) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) {
        return { child, port, exited, output: () => output };
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  if (isRunning()) {
    signalChild(child, 'SIGKILL');
    await exited;
  }
  const why = spawnError ? `${spawnError.message} (run scripts/install-prometheus.sh)` : `not ready within ${timeoutMs} ms`;
  throw new Error(`prometheus on 127.0.0.1:${port}: ${why}\n${output}`);
}

function handle(dir: string, running: RunningPrometheus, ksmServer: Server): PrometheusHandle {
  const url = `http://127.0.0.1:${running.port}`;
  let stopped: Promise<void> | undefined;

  async function api<T>(path: string, form?: Record<string, string>): Promise<T> {
    const response = await fetch(`${url}${path}`, {
      method: form ? 'POST' : 'GET',
      headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      body: form ? new URLSearchParams(form).toString() : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(form ?? {})}: ${body.errorType}: ${body.error}`);
    return body.data;
  }

  const targets = async () => (await api<{ activeTargets: PromTarget[] }>('/api/v1/targets?state=active')).activeTargets;

  async function until(what: string, check: () => Promise<string | null>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let problem = await check();
    while (problem !== null && Date.now() < deadline) {
      await sleep(200);
      problem = await check();
    }
    if (problem !== null) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${problem}`);
  }

  return {
    url,
    port: running.port,
    dir,
    output: running.output,
    targets,

    async query(expr) {
      const data = await api<{ resultType: string; result: unknown }>('/api/v1/query', { query: expr });
      if (data.resultType === 'vector') return data.result as PromSample[];
      if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
      throw new Error(`${expr}: expected a vector, got a ${data.resultType}`);
    },

    async alerts() {
      return (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
    },

    async waitForTargetsUp(timeoutMs = 15_000) {
      await until(
        'every scrape target to be up',
        async () => {
          const active = await targets();
          const jobs = [GATEWAY_JOB, KUBE_STATE_METRICS_JOB];
          const missing = jobs.filter((job) => !active.some((t) => t.labels.job === job && t.health === 'up'));
          return missing.length === 0 ? null : `not up: ${missing.join(', ')} (${JSON.stringify(active.map((t) => [t.scrapeUrl, t.health, t.lastError]))})`;
        },
        timeoutMs,
      );
    },

    async waitForScrape(job, sinceMs = Date.now(), timeoutMs = 10_000) {
      await until(
        `a scrape of ${job} after ${new Date(sinceMs).toISOString()}`,
        async () => {
          const ofJob = (await targets()).filter((t) => t.labels.job === job);
          if (ofJob.length === 0) return `no target for job ${job}`;
          const stale = ofJob.filter((t) => t.health !== 'up' || Date.parse(t.lastScrape) <= sinceMs);
          return stale.length === 0 ? null : JSON.stringify(stale.map((t) => [t.scrapeUrl, t.health, t.lastScrape, t.lastError]));
        },
        timeoutMs,
      );
    },

    stop() {
      stopped ??= (async () => {
        const { child, exited } = running;
        if (child.exitCode === null && child.signalCode === null) {
          signalChild(child, 'SIGTERM');
          const timer = setTimeout(() => signalChild(child, 'SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        const closed = new Promise((resolve) => ksmServer.close(resolve));
        ksmServer.closeAllConnections();
        await closed;
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
