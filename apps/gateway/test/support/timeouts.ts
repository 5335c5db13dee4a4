/**
 * Time bounds for specs that drive real processes, sized for a slow 2-core machine shared with
 * other test runs (docs/testing.md says how they were chosen). Each bound is an upper limit for
 * something awaited by condition, never a delay: on an idle machine nothing waits this long.
 */

/** How long a started process may take to say it is listening (startProcess's default). */
export const READY_TIMEOUT_MS = 60_000;
/** A hook (or test) that starts processes: several starts, each bounded by READY_TIMEOUT_MS. */
export const START_TIMEOUT_MS = 180_000;
/** A hook that stops processes (a gateway drains in-flight requests first). */
export const STOP_TIMEOUT_MS = 60_000;
/** Any test or hook of the e2e and deploy projects that does not give its own (jest-setup.ts). */
export const TEST_TIMEOUT_MS = 60_000;
/**
 * Building the project's images (scripts/images.sh) from cold: a replay of the Dockerfile (tsc, an
 * `npm ci` from the registry), then umoci and skopeo over a 177 MB image, three times. Warm, the
 * build takes under a second.
 */
export const IMAGE_BUILD_TIMEOUT_MS = 600_000;
