/**
 * `node dist/scripts/images/main.js [NAME...]`: builds the project's images (all four by default)
 * into IMAGES_DIR and prints images.json. Run it through scripts/images.sh, which sets the
 * environment, holds the lock and imports into the test cluster.
 */
import { resolve } from 'node:path';
import { buildImages, IMAGE_NAMES, type ImageName } from './images';

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  for (const name of names) {
    if (!(IMAGE_NAMES as readonly string[]).includes(name)) throw new Error(`unknown image ${name} (one of ${IMAGE_NAMES.join(', ')})`);
  }
  const repo = resolve(__dirname, '../../..');
  const started = Date.now();
  const manifest = await buildImages(
    {
      repo,
      out: process.env.IMAGES_DIR ?? resolve(repo, '.tools/images'),
      prefix: process.env.IMAGE_PREFIX ?? 'llmhub.local',
      imageScript: resolve(repo, 'scripts/cluster/image.sh'),
      log: (line) => process.stderr.write(`images: ${line}\n`),
    },
    names.length > 0 ? (names as ImageName[]) : IMAGE_NAMES,
  );
  for (const name of names.length > 0 ? names : IMAGE_NAMES) {
    const image = manifest[name];
    process.stderr.write(`images: ${name.padEnd(14)} ${(image.bytes / 1e6).toFixed(1).padStart(6)} MB  ${image.seconds > 0 ? `built in ${image.seconds.toFixed(1)} s` : 'up to date'}  ${image.ref}\n`);
  }
  process.stderr.write(`images: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`images: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
