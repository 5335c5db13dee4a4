/**
 * Runs one load Job and reads its result: the JSON last line of its log (loadtest/README.md).
 */
import * as k8s from '@kubernetes/client-node';
import type { LoadResult } from '../runner/result';

/** The runner's exit codes that still print a result: 0 thresholds passed, 99 one failed. */
const RESULT_EXITS = new Set([0, 99]);
const POLL_MS = 2_000;
const pause = (ms: number) => new Promise((resolvePause) => setTimeout(resolvePause, ms));

export class LoadJobs {
  private readonly batch: k8s.BatchV1Api;
  private readonly core: k8s.CoreV1Api;

  constructor(
    kc: k8s.KubeConfig,
    private readonly namespace: string,
  ) {
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
  }

  /**
   * Creates the Job, waits for it to end (calling onPoll while it runs), returns the result of its
   * log's last line, and deletes the Job. Throws when it ended without a result.
   */
  async run(job: k8s.V1Job, timeoutMs: number, onPoll: () => Promise<void> = async () => {}): Promise<LoadResult> {
    const name = job.metadata!.name!;
    await this.batch.createNamespacedJob({ namespace: this.namespace, body: job });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = (await this.batch.readNamespacedJobStatus({ name, namespace: this.namespace })).status;
        if ((status?.succeeded ?? 0) > 0 || (status?.failed ?? 0) > 0) break;
        if (Date.now() >= deadline) throw new Error(`load Job ${name} did not end within ${timeoutMs} ms`);
        await onPoll();
        await pause(POLL_MS);
      }
      const pods = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `batch.kubernetes.io/job-name=${name}` });
      const pod = pods.items[0];
      const exit = pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
      const log = pod ? await this.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: this.namespace, container: 'load' }) : '';
      const last = log.trim().split('\n').at(-1) ?? '';
      if (exit === undefined || !RESULT_EXITS.has(exit) || !last.startsWith('{')) {
        throw new Error(`load Job ${name} ended with exit ${exit ?? 'unknown'} and no result; its log ends:\n${log.split('\n').slice(-15).join('\n')}`);
      }
      return JSON.parse(last) as LoadResult;
    } finally {
      await this.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy: 'Background' }).catch(() => undefined);
    }
  }
}
