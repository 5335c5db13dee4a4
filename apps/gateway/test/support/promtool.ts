import { execFile } from 'node:child_process';

/** promtool (Debian's prometheus package, scripts/install-prometheus.sh) for e2e specs. */

export interface Command {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs promtool (bounded: 30 s), with `input` on stdin when given. Never rejects on a non-zero exit. */
export function promtool(args: string[], options: { input?: string; cwd?: string } = {}): Promise<Command> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', args, { cwd: options.cwd, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`promtool ${args.join(' ')}: ${error.message} (run scripts/install-prometheus.sh)\n${stderr}`));
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
    child.stdin!.on('error', () => undefined); // EPIPE when promtool is missing or exits early: reported above
    child.stdin!.end(options.input ?? '');
  });
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
