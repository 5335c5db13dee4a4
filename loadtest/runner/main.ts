/**
 * The Node load runner: `node dist/loadtest/runner/main.js [SCENARIO] [--flag value ...]` (cli.ts).
 * Runs one scenario of loadtest/scenarios/ (the definitions the k6 entries run), prints a k6-like
 * summary, then the JSON result as the last line of stdout (a Job's log is parsed from it), and exits
 * as k6 does: 99 when a threshold failed. Progress goes to stderr.
 */
import { writeFileSync } from 'node:fs';
import { formatDuration } from '../scenarios/duration';
import { settingsFrom, SettingsError } from '../scenarios/settings';
import { parseCli, usage } from './cli';
import { runMetrics } from './metrics';
import { buildResult } from './result';
import { runScenario, type Progress } from './run';
import { SCENARIOS } from './scenarios';
import { summaryText } from './summary';
import { parseThresholds, ThresholdError } from './thresholds';

/** k6's exit codes, so that CI and Jobs treat both tools alike. */
export const EXIT = { ok: 0, thresholdsFailed: 99, invalidConfig: 104, aborted: 105 } as const;

function progressLine(p: Progress): string {
  return `running ${formatDuration(p.elapsedMs)}/${formatDuration(p.scheduleMs)}: ${p.iterations} requests, ${p.failed} failed, ${p.inFlight} in flight\n`;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let cli;
  let settings;
  let definition;
  let thresholds;
  try {
    cli = parseCli(argv, env);
    if (cli.help) {
      process.stdout.write(usage());
      return EXIT.ok;
    }
    settings = settingsFrom(cli.env);
    definition = SCENARIOS[cli.scenario](settings);
    thresholds = parseThresholds(definition.thresholds, runMetrics(() => 0));
  } catch (error) {
    if (!(error instanceof SettingsError || error instanceof ThresholdError)) throw error;
    process.stderr.write(`${error.message}\n\n${usage()}`);
    return EXIT.invalidConfig;
  }

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping, in-flight requests are interrupted\n`);
    stop.abort();
  };
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  process.stderr.write(`${definition.name} against ${settings.targetUrl} (model ${settings.model}): ${definition.description}\n`);
  const outcome = await runScenario(definition, settings, {
    maxIterations: cli.maxIterations,
    stop: stop.signal,
    onProgress: (p) => process.stderr.write(progressLine(p)),
  });
  process.removeListener('SIGTERM', onSignal).removeListener('SIGINT', onSignal);

  const result = buildResult(definition, settings, outcome, thresholds);
  const json = JSON.stringify(result);
  if (cli.resultFile) writeFileSync(cli.resultFile, `${json}\n`);
  process.stdout.write(`\n${summaryText(result)}\n${json}\n`);
  if (outcome.stoppedBy === 'signal') return EXIT.aborted;
  return result.thresholdsPassed ? EXIT.ok : EXIT.thresholdsFailed;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`load runner failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
