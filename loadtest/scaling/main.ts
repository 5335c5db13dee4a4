/**
 * The scaling runner: how the gateway's throughput grows from 1 to 8 replicas in a real cluster
 * (docs/kubernetes.md, "Measuring scaling in your cluster"). Usage: --help.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { durationMs } from '../scenarios/duration';
import { parseScalingCli, usage, UsageError, type ScalingOptions } from './cli';
import { atCpuLimit, efficiencies, gateStep, meetsGate, millicores, type StepMeasurement } from './efficiency';
import { loadJob } from './job-spec';
import { LoadJobs } from './job';
import { GatewayScaler, type Original } from './kube';
import { markdownTable, svgChart } from './report';

export const EXIT = { ok: 0, failed: 1, belowGate: 2, usage: 64, interrupted: 130 } as const;

/** Beyond the load's own length: the runner's graceful stop (30 s), pod start and log reading. */
const JOB_MARGIN_MS = 3 * 60_000;

const progress = (line: string) => process.stderr.write(`[scaling] ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

function writeOutputs(options: ScalingOptions, steps: StepMeasurement[]): { table: string; files: string[] } {
  const results = efficiencies(steps);
  const table = markdownTable(results);
  const dir = resolve(options.outDir);
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'scaling.md'), join(dir, 'scaling.svg'), join(dir, 'scaling.json')];
  writeFileSync(files[0], `${table}\n`);
  writeFileSync(files[1], svgChart(results));
  writeFileSync(files[2], `${JSON.stringify({ gate: options.gate, steps: results }, null, 2)}\n`);
  return { table, files };
}

/** Measures each step into `steps` (so that a failure keeps what was measured before it). */
async function measure(options: ScalingOptions, scaler: GatewayScaler, jobs: LoadJobs, original: Original, limit: number | undefined, steps: StepMeasurement[]): Promise<void> {
  const runId = Date.now().toString(36);
  for (const [index, replicas] of options.replicas.entries()) {
    const label = `[${index + 1}/${options.replicas.length}] ${replicas} replica${replicas === 1 ? '' : 's'}`;
    const started = Date.now();
    await scaler.pin(replicas, original);
    await scaler.waitReady(replicas, options.readyTimeoutMs);
    const readyMs = Date.now() - started;
    if (durationMs(options.warmup)! > 0) {
      await jobs.run(loadJob(`scaling-${runId}-${replicas}-warmup`, replicas, options.warmup, options), durationMs(options.warmup)! + JOB_MARGIN_MS);
    }
    let cpu: number | undefined;
    const result = await jobs.run(loadJob(`scaling-${runId}-${replicas}`, replicas, options.duration, options), durationMs(options.duration)! + JOB_MARGIN_MS, async () => {
      cpu = (await scaler.cpuPerPod()) ?? cpu;
    });
    const step: StepMeasurement = {
      replicas,
      rps: result.reqPerSec,
      p95Ms: result.latencyMs?.p95 ?? null,
      errorRate: result.errorRate,
      cacheHitRate: result.cache.hitRate,
      cpuMillicoresPerPod: cpu ?? null,
    };
    steps.push(step);
    const [current] = efficiencies(steps).slice(-1);
    progress(
      `${label}: Ready in ${seconds(readyMs)}; ${step.rps.toFixed(1)} req/s (linear ${current.idealRps.toFixed(1)}, efficiency ${(current.efficiency * 100).toFixed(1)} %), ` +
        `p95 ${step.p95Ms === null ? 'n/a' : step.p95Ms.toFixed(0)} ms, errors ${(step.errorRate * 100).toFixed(2)} %, cache hits ${step.cacheHitRate === null ? 'n/a' : `${(step.cacheHitRate * 100).toFixed(0)} %`}, ` +
        `CPU ${cpu === undefined ? 'n/a' : `${cpu.toFixed(0)}m`} per pod, ${result.droppedIterations} arrivals dropped at the in-flight cap`,
    );
    if (atCpuLimit(step.cpuMillicoresPerPod, limit) === false) {
      progress(`${label}: the pods stayed below 80 % of their ${limit}m CPU limit: something else capped this step (the node's free CPU, the upstream, Redis, or too little load)`);
    }
    if (step.errorRate > options.maxErrorRate) {
      throw new Error(`${label}: ${(step.errorRate * 100).toFixed(2)} % of the requests failed (above --max-error-rate ${options.maxErrorRate}): ${JSON.stringify(result.statusCodes)} ${JSON.stringify(result.transportErrors)}`);
    }
  }
}

async function main(argv: string[]): Promise<number> {
  let options: ScalingOptions;
  try {
    options = parseScalingCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${usage()}`);
    return EXIT.usage;
  }
  if (options.help) {
    process.stdout.write(usage());
    return EXIT.ok;
  }

  const kc = new k8s.KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  const service = new URL(options.targetUrl).hostname.split('.')[0];
  const scaler = new GatewayScaler(kc, { namespace: options.namespace, deployment: options.deployment, hpa: options.hpa }, service);
  const jobs = new LoadJobs(kc, options.namespace);

  const original = await scaler.original();
  const limit = await scaler.cpuLimit();
  progress(
    `${options.namespace}/${options.deployment}: ${original.hpa ? `HPA ${options.hpa} min ${original.hpa.minReplicas} max ${original.hpa.maxReplicas}` : `no HPA, ${original.replicas} replicas`}, ` +
      `CPU limit ${limit ?? 'none'}; steps ${options.replicas.join(', ')} of ${options.duration} (warm-up ${options.warmup}), load ${options.targetUrl}`,
  );
  if (!limit) progress("warning: the gateway has no CPU limit, so a pod's capacity is whatever the node has free; set resources.limits.cpu (e.g. 100m) for a meaningful measure");

  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await scaler.restore(original);
    progress(original.hpa ? `HPA restored: min ${original.hpa.minReplicas}, max ${original.hpa.maxReplicas}` : `replicas restored: ${original.replicas}`);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: restoring and stopping (a running load Job ends by itself)`);
    void restore().finally(() => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const steps: StepMeasurement[] = [];
  let failure: unknown;
  try {
    await measure(options, scaler, jobs, original, limit === undefined ? undefined : millicores(limit), steps);
  } catch (error) {
    failure = error;
  } finally {
    await restore();
  }
  if (failure !== undefined) {
    progress(`failed: ${failure instanceof Error ? failure.message : inspect(failure)}`);
    // What was measured, the failing step included, still makes a report (no gate is applied).
    if (steps.length > 0 && steps[0].rps > 0) progress(`wrote ${writeOutputs(options, steps).files.join(', ')} (the steps measured)`);
    return EXIT.failed;
  }

  const { table, files } = writeOutputs(options, steps);
  process.stdout.write(`${table}\n`);
  progress(`wrote ${files.join(', ')}`);
  const results = efficiencies(steps);
  const last = gateStep(results)!;
  const verdict = `efficiency at ${last.replicas} replicas: ${(last.efficiency * 100).toFixed(1)} % (gate ${(options.gate * 100).toFixed(1)} %)`;
  if (!meetsGate(results, options.gate)) {
    progress(`BELOW THE GATE: ${verdict}`);
    return EXIT.belowGate;
  }
  progress(`ok: ${verdict}`);
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(EXIT.failed);
  },
);
