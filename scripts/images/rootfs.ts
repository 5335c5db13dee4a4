/**
 * What an assembled image takes from this (Debian) machine: dynamically linked binaries with the
 * shared libraries they load (their ldd closure), and the Debian package and version each file
 * comes from, so an image's label and the build's manifest say exactly what it holds.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A file copied from the machine into an image. */
export interface HostFile {
  /** On the machine (links followed when copied). */
  src: string;
  /** In the image. */
  dest: string;
  mode: string;
}

/**
 * Debian's merged /usr (bookworm): /bin, /sbin, /lib and /lib64 are links into /usr. Images get
 * the same links, so the paths compiled into binaries (the loader /lib64/ld-linux-x86-64.so.2)
 * and the paths ldd prints resolve as on the machine.
 */
export const MERGED_USR_LINKS: Array<[string, string]> = [
  ['/bin', 'usr/bin'],
  ['/sbin', 'usr/sbin'],
  ['/lib', 'usr/lib'],
  ['/lib64', 'usr/lib64'],
];

/** Where a machine path lands in an image with merged /usr: its directory resolved, its own name kept. */
function imagePath(path: string): string {
  return join(realpathSync(dirname(path)), basename(path));
}

/**
 * The shared libraries and the loader that `binary` needs, as ldd resolves them on this machine.
 * Each is copied under its soname (the name ldd prints), its content followed through links.
 */
export function sharedLibraries(binary: string): HostFile[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: HostFile[] = [];
  for (const line of out.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match) libs.push({ src: match[1], dest: imagePath(match[1]), mode: '0755' });
    else if (/=>\s*not found/.test(line)) throw new Error(`${binary}: ${line.trim()}`);
  }
  if (libs.length === 0) throw new Error(`${binary}: ldd found no libraries (a static binary needs none: list it as a plain file)`);
  return libs;
}

/** Binaries and everything they load, without duplicates, sorted by destination. */
export function withLibraries(binaries: HostFile[]): HostFile[] {
  const byDest = new Map<string, HostFile>();
  for (const binary of binaries) {
    byDest.set(binary.dest, binary);
    for (const lib of sharedLibraries(binary.src)) byDest.set(lib.dest, lib);
  }
  return [...byDest.values()].sort((a, b) => a.dest.localeCompare(b.dest));
}

/** A command on this machine's PATH, resolved to the file it runs (awk -> /usr/bin/mawk). */
export function hostCommand(name: string): string {
  const path = execFileSync('/bin/sh', ['-c', `command -v "$0"`, name], { encoding: 'utf8' }).trim();
  if (!path.startsWith('/')) throw new Error(`${name} is not a command on this machine`);
  return realpathSync(path);
}

/** `package=version` of the Debian packages that own these files (dpkg knows them by their un-merged or merged path). */
export function debianPackages(paths: string[]): string[] {
  const packages = new Set<string>();
  for (const path of paths) {
    // Bookworm's dpkg database still names many files by their un-merged path (/bin/mv, /lib/...).
    const candidates = [...new Set([path, realpathSync(path)].flatMap((p) => [p, p.replace(/^\/usr\/(bin|sbin|lib)\//, '/$1/')]))];
    const owner = candidates.map((candidate) => dpkgSearch(candidate)).find((found) => found !== undefined);
    if (!owner) throw new Error(`${path}: no Debian package owns it`);
    packages.add(owner);
  }
  const out = execFileSync('dpkg-query', ['-W', '-f', '${Package}=${Version}\n', ...packages], { encoding: 'utf8' });
  return out.trim().split('\n').sort();
}

function dpkgSearch(path: string): string | undefined {
  try {
    const out = execFileSync('dpkg-query', ['-S', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    // "libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6"
    return out.split('\n')[0].split(':')[0].trim() || undefined;
  } catch {
    return undefined;
  }
}
