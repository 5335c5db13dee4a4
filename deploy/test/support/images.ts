import { join } from 'node:path';
import { IMAGE_BUILD_TIMEOUT_MS } from '../../../apps/gateway/test/support/timeouts';
import { run } from './cluster';
import { REPO_ROOT } from './render';

/**
 * The project's images in the test cluster, for the cluster specs: `importImages()` builds what
 * changed (scripts/images.sh: nothing when `make test` or `make images` built them, which takes
 * under a second to find out) and loads into the node what it does not have yet. One call,
 * idempotent: a second spec (or a second call) imports nothing. Pods use the refs it returns with
 * `imagePullPolicy: IfNotPresent` or `Never`: a ref's tag is its image's content key, so a changed
 * image gets a new ref and no pod runs a stale one.
 */

export interface ProjectImages {
  gateway: string;
  'fake-provider': string;
  'load-runner': string;
  redis: string;
}

/** A cold build, then four imports into containerd (a 177 MB archive takes seconds; its Node layer is stored once). */
export const IMAGES_TIMEOUT_MS = IMAGE_BUILD_TIMEOUT_MS + 5 * 60_000;

export async function importImages(): Promise<ProjectImages> {
  const out = await run(join(REPO_ROOT, 'scripts/images.sh'), ['import'], { timeoutMs: IMAGES_TIMEOUT_MS - 30_000 });
  if (out.code !== 0) throw new Error(`scripts/images.sh import failed (exit ${out.code}):\n${out.stdout}${out.stderr}`);
  const refs = Object.fromEntries(out.stdout.trim().split('\n').map((line) => line.split(' '))) as Record<string, string>;
  for (const name of ['gateway', 'fake-provider', 'load-runner', 'redis']) {
    if (!refs[name]) throw new Error(`scripts/images.sh import named no ${name} image:\n${out.stdout}${out.stderr}`);
  }
  return refs as unknown as ProjectImages;
}

/** `repository` and `tag` of a ref, as the chart's image values take them. */
export function imageValues(ref: string): { repository: string; tag: string } {
  const at = ref.lastIndexOf(':');
  return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
}
