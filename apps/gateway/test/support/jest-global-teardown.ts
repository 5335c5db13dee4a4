import { rmSync } from 'node:fs';
import { stopRunCluster } from '../../../../deploy/test/support/shared-cluster';
import { OWN_RUN_DIR } from './jest-global-setup';
import { RUN_DIR_ENV, describeRecord, readRecords, reap } from './reap';

/**
 * Runs once in jest's main process after every test file and every worker has ended: takes down
 * the test cluster the run's cluster specs shared, if any. Then whatever recorded child still runs
 * belonged to a worker that died (the jest environment reaps the rest after each file): kills it,
 * and says so.
 */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) return;
  // The cluster the run's cluster specs shared, if they brought one up.
  stopRunCluster(dir);
  const { killed, left } = await reap(readRecords(dir));
  if (killed.length > 0) console.warn(`[children] killed children that outlived their test file: ${killed.map(describeRecord).join(', ')}`);
  if (left.length > 0) console.error(`[children] still running after SIGKILL: ${left.map(describeRecord).join(', ')}`);
  if ((globalThis as Record<string, unknown>)[OWN_RUN_DIR] === dir) rmSync(dir, { recursive: true, force: true });
}
