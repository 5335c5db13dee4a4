/**
 * The load Job of one step: the load-runner image running the cache-mix scenario against the
 * gateway's Service, at saturation for n replicas. Plain data (no client), so a unit spec reads it.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { ScalingOptions } from './cli';

export type JobOptions = Pick<ScalingOptions, 'image' | 'targetUrl' | 'model' | 'promptSuffix' | 'vusPerReplica' | 'ratePerReplica' | 'repeatRatio' | 'promptPool' | 'loadCpu' | 'apiKeySecret'>;

/** The label every Job of the runner carries, so a person (or a spec) can find and clean them. */
export const JOB_LABEL = 'llm-connector-hub.io/scaling-runner';

/**
 * Saturation scales with n: the arrival rate (RATE) is far above what n pods serve, and the number
 * in flight (MAX_VUS) grows with n too, so each pod has enough work queued to stay CPU-bound. An
 * arrival that finds MAX_VUS requests in flight is dropped and counted (as k6 does): what the
 * step measures is the answered rate, reqPerSec.
 */
export function loadJob(name: string, replicas: number, duration: string, options: JobOptions): V1Job {
  const inFlight = String(options.vusPerReplica * replicas);
  const env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }> = [
    // The image's own command runs the runner (loadtest/README.md); the scenario is a setting.
    { name: 'SCENARIO', value: 'cache-mix' },
    { name: 'TARGET_URL', value: options.targetUrl },
    { name: 'MODEL', value: options.model },
    { name: 'RATE', value: String(options.ratePerReplica * replicas) },
    { name: 'VUS', value: inFlight },
    { name: 'MAX_VUS', value: inFlight },
    { name: 'DURATION', value: duration },
    { name: 'PROMPT_SUFFIX', value: options.promptSuffix },
    { name: 'REPEAT_RATIO', value: String(options.repeatRatio) },
    { name: 'PROMPT_POOL', value: String(options.promptPool) },
    // A saturated gateway queues: latency grows by design, and the step's own gate is its error rate.
    { name: 'SLO_P95_MS', value: '60000' },
    { name: 'SLO_P99_MS', value: '60000' },
    { name: 'SLO_CACHE_HIT_RATE', value: '0' },
  ];
  if (options.apiKeySecret) env.push({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: options.apiKeySecret, key: 'API_KEY' } } });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { [JOB_LABEL]: 'load' } },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: { [JOB_LABEL]: 'load' } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'load',
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              env,
              // No CPU limit: the load generator must never be what caps the measured rate.
              resources: { requests: { cpu: options.loadCpu, memory: '128Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}
