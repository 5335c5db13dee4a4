import { join } from 'node:path';
import { describeRun, runChild } from './children';

const CLIENTS_DIR = join(__dirname, '..', 'clients');

/**
 * Runs an official client that ships only as an ES module (the Vercel AI SDK) unmodified, in its
 * own Node process: jest here runs CommonJS, which cannot load it. The script
 * (apps/gateway/test/clients/<name>.mjs) reads one JSON object from stdin (the gateway's URL and
 * what to do) and prints one JSON object, the result, as its last line of stdout. The process is
 * registered like every child a test starts, and killed past timeoutMs.
 */
export async function runEsmClient<Result>(name: string, input: object, timeoutMs: number): Promise<Result> {
  const result = await runChild(process.execPath, [join(CLIENTS_DIR, `${name}.mjs`)], {
    timeoutMs,
    input: JSON.stringify(input),
    env: { PATH: process.env.PATH },
  });
  const lastLine = result.stdout.trim().split('\n').at(-1);
  if (result.code !== 0 || lastLine === undefined) throw new Error(describeRun(`client script ${name}.mjs`, result));
  return JSON.parse(lastLine) as Result;
}
