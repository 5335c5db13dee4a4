/**
 * The layering of docs/architecture.md ("Boundaries"), checked on every import (type-only
 * imports included) by `make lint`:
 *
 *   apps, bench, scripts, deploy, loadtest  ->  libs  (never the other way)
 *   core, config                            ->  no other lib
 *   providers                               ->  core only
 *   a provider's folder                     ->  not another provider's (bar the openai reuse)
 *   outside libs/providers                  ->  no wire format (no *.wire.ts, no translator internals)
 *   testing (test support)                  ->  core only; imported by specs and spec helpers only
 *
 * Rules name paths from the repository root, as dependency-cruiser reports them.
 */
const PROVIDER_INTERNALS = '^libs/providers/src/[^/]+/[^/]+\\.(wire|request|request-config|response|response-format|stream|errors|translator|embeddings|model)\\.ts$';

/** Specs and their helpers: the only files that may import libs/testing. */
const SPECS = '\\.(spec|e2e-spec)\\.ts$|\\.spec-[^/.]+\\.ts$';

/** Folders of libs/providers that are not providers: the transport and helpers, the plugin contract. */
const INFRASTRUCTURE = 'shared|plugin';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'libs-import-no-apps',
      comment: 'A lib is usable without the apps, the bench and the tooling: it imports libs and packages only.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(apps|bench|scripts|deploy|loadtest)/' },
    },
    {
      name: 'core-and-config-import-no-lib',
      comment: 'core (the contracts) and config (the schema) sit at the bottom: they import no other lib.',
      severity: 'error',
      from: { path: '^libs/(core|config)/' },
      to: { path: '^libs/', pathNot: '^libs/$1/' },
    },
    {
      name: 'providers-import-only-core',
      comment: 'Providers translate and transport; routing, resilience, caching and config are above them.',
      severity: 'error',
      from: { path: '^libs/providers/' },
      // libs/testing: the specs' test support (rule testing-only-from-specs keeps it out of the code).
      to: { path: '^libs/', pathNot: '^libs/(providers|core|testing)/' },
    },
    {
      name: 'dialects-import-only-core',
      comment: 'A client-facing dialect translates to and from the canonical types; calling, routing and caching are above it.',
      severity: 'error',
      from: { path: '^libs/dialects/' },
      to: { path: '^libs/', pathNot: '^libs/(dialects|core|testing)/' },
    },
    {
      name: 'providers-import-no-other-provider',
      comment:
        "A folder of libs/providers imports its own files and the shared infrastructure (shared/, plugin/) only. " +
        "azure-openai and openai-compatible speak OpenAI's wire format and reuse openai/'s translator: the one " +
        'deliberate exception (docs/architecture.md). The registry (libs/providers/src/*.ts) lists every provider.',
      severity: 'error',
      from: {
        path: `^libs/providers/src/([^/]+)/`,
        // The shared transport's spec drives it through the OpenAI-family providers.
        pathNot: ['^libs/providers/src/(azure-openai|openai-compatible)/', '^libs/providers/src/shared/[^/]+\\.spec\\.ts$'],
      },
      to: { path: '^libs/providers/src/[^/]+/', pathNot: `^libs/providers/src/($1|${INFRASTRUCTURE})/` },
    },
    {
      name: 'openai-reuse-only',
      comment: 'azure-openai and openai-compatible may reuse openai/ (same wire format), and no other provider.',
      severity: 'error',
      from: { path: '^libs/providers/src/(azure-openai|openai-compatible)/' },
      to: { path: '^libs/providers/src/[^/]+/', pathNot: `^libs/providers/src/($1|openai|${INFRASTRUCTURE})/` },
    },
    {
      name: 'no-wire-format-above-providers',
      comment:
        "Nothing above libs/providers knows a wire format: no import of a provider's *.wire.ts or its " +
        'translator internals (request, response, stream, errors, translator files) from outside libs/providers.',
      severity: 'error',
      from: { pathNot: '^libs/providers/' },
      to: { path: PROVIDER_INTERNALS },
    },
    {
      name: 'testing-only-from-specs',
      comment:
        'libs/testing (the one scripted LlmProvider and the helpers the specs share) is test support: never packed, ' +
        'so only specs and spec helpers import it, never the code they test.',
      severity: 'error',
      from: { pathNot: [SPECS, '^libs/testing/'] },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'testing-imports-only-core',
      comment: 'The test support builds on the contracts only, so that every lib above core can use it in its specs.',
      severity: 'error',
      from: { path: '^libs/testing/' },
      to: { path: '^libs/', pathNot: '^libs/(testing|core)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build outputs too: the app build's and each lib package's (libs/<lib>/dist).
    exclude: { path: '(^|/)(dist|node_modules|\\.tools)/' },
    // Type-only imports count: knowing a wire type is knowing the wire format.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
