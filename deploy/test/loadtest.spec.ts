import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../loadtest/scenarios/settings';
import { START_TIMEOUT_MS } from '../../apps/gateway/test/support/timeouts';
import { schemaErrors, type K8sObject } from './support/k8s-schema';
import { containerOf, envOf, podSpec, restrictedViolations } from './support/objects';
import { kustomizeBuildAsync, list, one, parseManifests, REPO_ROOT } from './support/render';
import { TESTRUN_SCRIPT_DIR, testRunErrors, testRunPod } from './support/testrun';

/**
 * deploy/k8s/loadtest: the k6 scripts of loadtest/scenarios/ as a ConfigMap, run by a plain k6 Job
 * or by a k6-operator TestRun. The built-in kinds are validated against the Kubernetes schemas like
 * every other manifest; the TestRun by support/testrun.ts (its CRD cannot be fetched here), whose
 * own tests come first. Then what makes them run: the ConfigMap carries every file the entries
 * import, and the Job and the TestRun run an entry of it with settings the scripts read.
 */

const SCRIPTS_DIR = join(REPO_ROOT, 'loadtest/scenarios');

const TESTRUN = `
apiVersion: k6.io/v1alpha1
kind: TestRun
metadata: { name: sample }
spec:
  parallelism: 4
  arguments: --tag testid=sample
  script: { configMap: { name: k6-test, file: test.js } }
  runner:
    image: grafana/k6:1.8.1
    env: [{ name: TARGET_URL, value: http://hub }, { name: API_KEY, valueFrom: { secretKeyRef: { name: keys, key: API_KEY, optional: true } } }]
    resources: { requests: { cpu: 500m, memory: 256Mi }, limits: { memory: 1Gi } }
    securityContext: { runAsNonRoot: true, runAsUser: 12345 }
    containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
    volumes: [{ name: tmp, emptyDir: {} }]
    volumeMounts: [{ name: tmp, mountPath: /tmp }]
`;

function sample(): K8sObject & { spec: Record<string, any> } {
  return parseManifests(TESTRUN)[0] as K8sObject & { spec: Record<string, any> };
}

describe('TestRun checker (k6-operator, k6.io/v1alpha1)', () => {
  it("accepts a TestRun like k6-operator's samples", () => {
    expect(testRunErrors(sample())).toEqual([]);
  });

  it('rejects misspelled fields of the spec, the script and a pod', () => {
    const bad = sample();
    bad.spec.paralelism = 2;
    bad.spec.script.configMap.fiel = 'x.js';
    bad.spec.runner.envv = [];
    expect(testRunErrors(bad)).toEqual(['/spec: unknown field "paralelism"', '/spec/script/configMap: unknown field "fiel"', '/spec/runner: unknown field "envv"']);
  });

  it("rejects what the API server would refuse in a pod's Kubernetes types: an env entry, a quantity, a volume mount", () => {
    const bad = sample();
    bad.spec.runner.env[1].valueFrom.secretKeyRef.nam = 'keys';
    bad.spec.runner.resources.limits.memory = '1GB';
    bad.spec.runner.volumeMounts.push({ name: 'missing', mountPath: '/x' });
    expect(testRunErrors(bad)).toEqual([
      'runner pod: /spec/containers/0/env/1/valueFrom/secretKeyRef: unknown field "nam"',
      "runner pod: /spec/containers/0/resources/limits/memory: 'oneOf' failed, none matched",
      'runner pod: /spec/containers/0/volumeMounts/2/name: no volume "missing" in the pod',
    ]);
  });

  it('rejects what the operator constrains: parallelism, one script source, cleanup, a path as the ConfigMap key', () => {
    const bad = sample();
    bad.spec.parallelism = 0;
    bad.spec.script.localFile = '/test/a.js';
    bad.spec.script.configMap.file = 'dir/test.js';
    bad.spec.cleanup = 'always';
    expect(testRunErrors(bad)).toEqual([
      '/spec/parallelism: must be an integer of at least 1',
      '/spec/cleanup: must be equal to one of the allowed values ["post"]',
      '/spec/script: needs exactly one of configMap, volumeClaim, localFile (has configMap, localFile)',
      '/spec/script/configMap/file: a key of the ConfigMap, without a path',
    ]);
  });
});

/** The files a k6 entry loads: itself and, transitively, every relative import. */
function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(SCRIPTS_DIR, file), 'utf8');
    for (const [, target] of text.matchAll(/^import [^;]*? from '\.\/([^']+)';$/gm)) visit(target);
  };
  visit(entry);
  return seen;
}

describe('deploy/k8s/loadtest', () => {
  const builds = new Map<string, K8sObject[] | Error>();
  const DIRS = { job: 'deploy/k8s/loadtest', operator: 'deploy/k8s/loadtest/k6-operator' } as const;

  beforeAll(async () => {
    await Promise.all(
      Object.entries(DIRS).map(async ([name, dir]) => {
        try {
          builds.set(name, await kustomizeBuildAsync(dir));
        } catch (error) {
          builds.set(name, error as Error);
        }
      }),
    );
  }, START_TIMEOUT_MS);

  function build(name: keyof typeof DIRS): K8sObject[] {
    const objects = builds.get(name);
    if (objects instanceof Error) throw objects;
    return objects!;
  }

  const scripts = (objects: K8sObject[]) => one(objects, 'ConfigMap', 'llm-hub-loadtest-scripts') as K8sObject & { data: Record<string, string> };

  it('the plain k6 Job: a ConfigMap and a Job, valid for Kubernetes (strict schemas), its pod restricted', () => {
    const objects = build('job');
    expect(list(objects).sort()).toEqual(['ConfigMap/llm-hub-loadtest-scripts', 'Job/llm-hub-k6']);
    expect(schemaErrors(objects)).toEqual([]);
    expect(restrictedViolations(one(objects, 'Job'))).toEqual([]);
  });

  it('the k6-operator TestRun: valid, every pod the operator makes from it restricted', () => {
    const objects = build('operator');
    expect(list(objects).sort()).toEqual(['ConfigMap/llm-hub-loadtest-scripts', 'TestRun/llm-hub-smoke']);
    const testRun = one(objects, 'TestRun');
    expect(schemaErrors(objects.filter((o) => o !== testRun))).toEqual([]);
    expect(testRunErrors(testRun)).toEqual([]);
    for (const role of ['runner', 'starter'] as const) {
      // The initializer is left out on purpose: the operator makes it from the runner.
      expect(restrictedViolations(testRunPod(testRun, role))).toEqual([]);
    }
    expect((testRun.spec as Record<string, unknown>).initializer).toBeUndefined();
  });

  it('the ConfigMap carries the scripts as they are, every file an entry imports, and nothing else', () => {
    const data = scripts(build('job')).data;
    const entries = readdirSync(SCRIPTS_DIR).filter((file) => file.endsWith('.k6.ts') && file !== 'adapter.k6.ts');
    const needed = new Set(entries.flatMap((entry) => [...importClosure(entry)]));
    expect(Object.keys(data).sort()).toEqual([...needed].sort());
    for (const [file, text] of Object.entries(data)) expect(text).toBe(readFileSync(join(SCRIPTS_DIR, file), 'utf8'));
    expect(scripts(build('operator')).data).toEqual(data);
  });

  it('the Job and the TestRun run an entry of the ConfigMap, with the same k6 and only settings the scripts read', () => {
    const job = one(build('job'), 'Job');
    const testRun = one(build('operator'), 'TestRun') as K8sObject & { spec: Record<string, any> };
    const k6 = containerOf(job, 'k6');
    const mount = k6.volumeMounts!.find((m) => podSpec(job).volumes!.find((v) => v.name === m.name)?.configMap)!;
    expect(k6.args).toEqual(['run', `${mount.mountPath}/smoke.k6.ts`]);
    const data = scripts(build('job')).data;
    expect(Object.keys(data)).toContain('smoke.k6.ts');
    expect(testRun.spec.script.configMap).toEqual({ name: 'llm-hub-loadtest-scripts', file: 'smoke.k6.ts' });
    expect(testRunPod(testRun, 'runner').spec).toMatchObject({ volumes: [{ configMap: { name: 'llm-hub-loadtest-scripts' } }, { name: 'tmp' }] });
    expect(TESTRUN_SCRIPT_DIR).toBe('/test');
    expect(testRun.spec.runner.image).toBe(k6.image);
    const names = [...envOf(k6).keys()];
    expect(names).toEqual(['TARGET_URL', 'MODEL', 'API_KEY']);
    expect(names.filter((name) => !Object.hasOwn(SETTINGS, name))).toEqual([]);
    expect(testRun.spec.runner.env).toEqual(k6.env);
  });
});
