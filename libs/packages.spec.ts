/**
 * Every directory under libs/ is an npm package (docs/architecture.md, "Libraries"). Its
 * package.json must declare exactly what its sources import, at the root's exact versions, and its
 * tsconfig.build.json must reference the siblings it imports, or `npm run build:libs` and an
 * install from the packed tarball break where the repository's own build (which reads every
 * source through `paths`) does not notice. The install itself is proven by
 * apps/gateway/test/library-packages.e2e-spec.ts. A private package (libs/testing, the specs' test
 * support) is none of that: it is outside the npm workspaces and every build, so never packed.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const SCOPE = '@llm-connector-hub/';

interface Manifest {
  name: string;
  private?: boolean;
  workspaces?: string[];
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const root = read<Manifest>(join(ROOT, 'package.json'));
const libs = readdirSync(join(ROOT, 'libs')).filter((name) => statSync(join(ROOT, 'libs', name)).isDirectory());
const isPrivate = (lib: string) => read<Manifest>(join(ROOT, 'libs', lib, 'package.json')).private === true;
const published = libs.filter((lib) => !isPrivate(lib));
const testSupport = libs.filter(isPrivate);

/** The files a package ships: its sources, without specs, spec helpers and fixtures. */
function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : shippedSources(path);
    return entry.name.endsWith('.ts') && !/\.spec(-[^.]+)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The packages a source imports (type-only imports too: the .d.ts files keep them). */
function importedPackages(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\bfrom '([^'.][^']*)'/g)]
    .map((match) => match[1])
    .filter((specifier) => !specifier.startsWith('node:'))
    .map((specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]));
}

describe.each(libs)('libs/%s as a package', (lib) => {
  const dir = join(ROOT, 'libs', lib);
  const manifest = read<Manifest>(join(dir, 'package.json'));
  const dependencies = manifest.dependencies ?? {};

  it('is named after its directory and shares the root version and licence', () => {
    expect([manifest.name, manifest.version, manifest.license]).toEqual([`${SCOPE}${lib}`, root.version, root.license]);
  });

  it('declares exactly the packages its sources import, third-party ones at the root exact version', () => {
    const imported = [...new Set(shippedSources(join(dir, 'src')).flatMap(importedPackages))].filter((name) => name !== manifest.name).sort();
    expect(Object.keys(dependencies).sort()).toEqual(imported);
    for (const [name, version] of Object.entries(dependencies)) {
      const expected = name.startsWith(SCOPE) ? root.version : root.dependencies?.[name];
      expect({ name, version }).toEqual({ name, version: expected });
    }
  });

});

describe.each(published)('libs/%s, published', (lib) => {
  const dir = join(ROOT, 'libs', lib);
  const dependencies = read<Manifest>(join(dir, 'package.json')).dependencies ?? {};

  it('references the siblings it depends on in its build', () => {
    const config = read<{ references?: Array<{ path: string }> }>(join(dir, 'tsconfig.build.json'));
    const referenced = (config.references ?? []).map(({ path }) => `${SCOPE}${path.split('/')[1]}`).sort();
    expect(referenced).toEqual(Object.keys(dependencies).filter((name) => name.startsWith(SCOPE)).sort());
  });
});

describe.each(testSupport)('libs/%s, private test support', (lib) => {
  it('is outside the npm workspaces and every build, so it is never built, packed or installed', () => {
    expect(root.workspaces).toContain(`!libs/${lib}`);
    expect(existsSync(join(ROOT, 'libs', lib, 'tsconfig.build.json'))).toBe(false);
    expect(read<{ exclude: string[] }>(join(ROOT, 'tsconfig.build.json')).exclude).toContain(`libs/${lib}`);
  });
});
