import { runChild } from './children';

/** promtool (Debian's prometheus package, scripts/install-prometheus.sh) for e2e specs. */

export interface Command {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs promtool (bounded: 30 s, a registered child), with `input` on stdin when given. Never rejects on a non-zero exit. */
export async function promtool(args: string[], options: { input?: string; cwd?: string } = {}): Promise<Command> {
  const result = await runChild('promtool', args, { cwd: options.cwd, input: options.input ?? '', timeoutMs: 30_000 }).catch((error: Error) => {
    throw new Error(`${error.message} (run scripts/install-prometheus.sh)`);
  });
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

/** What `promtool check metrics` says about an exposition: its exit code and complaint lines, sorted. */
export async function promtoolCheckMetrics(text: string): Promise<{ code: number | null; complaints: string[] }> {
  const result = await promtool(['check', 'metrics'], { input: text });
  const complaints = (result.stdout + result.stderr)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();
  return { code: result.code, complaints };
}
