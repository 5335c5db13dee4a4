import { mkdtempSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_ENV, killRecords, readRecords } from './reap';

/** jest's own PID, for what must live as long as the run (deploy/test/support/shared-cluster.ts: the test cluster). */
export const JEST_PID_ENV = 'LLM_HUB_JEST_PID';

/** Set when this run made its own run directory (jest-global-teardown.ts then deletes it). */
export const OWN_RUN_DIR = '__llmHubOwnRunDir';

/**
 * Runs once in jest's main process, before any worker exists (workers inherit its environment).
 * Names the run directory where children.ts records every child (scripts/jest.sh names one itself,
 * to reap after jest whatever became of it), and makes a jest stopped by a signal (Ctrl-C, or
 * `timeout` in scripts/jest.sh) kill the recorded children before it goes: they lead process groups
 * of their own, so the terminal's or timeout's signal does not reach them.
 */
export default function globalSetup(): void {
  let dir = process.env[RUN_DIR_ENV];
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'llm-hub-jest-'));
    process.env[RUN_DIR_ENV] = dir;
    (globalThis as Record<string, unknown>)[OWN_RUN_DIR] = dir;
  }
  const runDir = dir;
  process.env[JEST_PID_ENV] = String(process.pid);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killRecords(readRecords(runDir));
      process.exit(128 + constants.signals[signal]);
    });
  }
}
