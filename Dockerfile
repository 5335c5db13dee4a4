# syntax=docker/dockerfile:1.7
#
# LLM Connector Hub gateway image.
#
#   docker build -t ghcr.io/llm-connector-hub/gateway:0.1.0 \
#     --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
#
# Three stages: `build` (all dependencies, compiles TypeScript into dist/), `prod-deps` (production
# dependencies only, no install scripts) and `runtime` (dist/ + those node_modules + package.json,
# nothing else). apps/gateway/test/production-image.e2e-spec.ts replays these stages in a temp dir
# and runs the gateway from the result, so a dependency the gateway needs at runtime but that sits
# in devDependencies, or a file the runtime stage forgets, fails `make test` without a Docker engine.
# `make images` assembles the same runtime stage into an image without Docker, from the same replay
# (scripts/images/), and .github/workflows/release.yml builds this file for amd64 and arm64 and
# pushes ghcr.io/llm-connector-hub/gateway:<version> on every v<version> tag.
#
# Node is pinned to one 24.x release (the version scripts/ensure-node.sh bootstraps for the tests)
# and one Debian release, so a rebuild gets the same runtime; bump NODE_VERSION deliberately.
# To pin harder, append a digest: --build-arg NODE_IMAGE_SUFFIX=-bookworm-slim@sha256:...
ARG NODE_VERSION=24.21.0
ARG NODE_IMAGE_SUFFIX=-bookworm-slim

# --- build: dev dependencies + tsc ------------------------------------------------------------
FROM node:${NODE_VERSION}${NODE_IMAGE_SUFFIX} AS build
WORKDIR /app
ENV npm_config_update_notifier=false
COPY package.json package-lock.json ./
# The npm cache lives in a BuildKit cache mount, not in a layer.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps/ ./apps/
COPY libs/ ./libs/
# tsconfig.build.json leaves out *.spec.ts, test/ and fixtures/ (.dockerignore keeps them out of
# the context too); tsc-alias rewrites the @llm-connector-hub/* imports to relative paths, so the
# runtime needs no path-mapping loader.
RUN npm run build

# --- prod-deps: production dependencies only --------------------------------------------------
FROM node:${NODE_VERSION}${NODE_IMAGE_SUFFIX} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime ----------------------------------------------------------------------------------
FROM node:${NODE_VERSION}${NODE_IMAGE_SUFFIX} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="llm-connector-hub" \
      org.opencontainers.image.description="Kubernetes-native gateway: one OpenAI-compatible API in front of many LLM providers." \
      org.opencontainers.image.source="https://github.com/llm-connector-hub/llm-connector-hub" \
      org.opencontainers.image.url="https://github.com/llm-connector-hub/llm-connector-hub" \
      org.opencontainers.image.documentation="https://github.com/llm-connector-hub/llm-connector-hub/blob/main/README.md" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="llm-connector-hub" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/node:${NODE_VERSION}${NODE_IMAGE_SUFFIX}"

# A fixed non-root user (10001:10001, what the Helm chart's securityContext runs as), and no
# package managers at runtime: the gateway never calls npm, and fewer binaries means fewer CVEs.
RUN groupadd --system --gid 10001 llmhub \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin llmhub \
 && rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /root/.npm

WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000

# Owned by root (readable, not writable, by uid 10001): the process cannot rewrite its own code,
# and the chart's readOnlyRootFilesystem needs nothing writable here (/tmp is an emptyDir).
# package.json is read at startup for llm_hub_build_info's version.
COPY package.json ./
COPY --from=prod-deps /app/node_modules/ ./node_modules/
COPY --from=build /app/dist/libs/ ./dist/libs/
COPY --from=build /app/dist/apps/gateway/ ./dist/apps/gateway/
COPY --from=build /app/dist/apps/capacity/ ./dist/apps/capacity/

USER 10001:10001
EXPOSE 3000 9464

# Node is PID 1, started directly (exec-form CMD, no shell, no npm): SIGTERM from the kubelet reaches
# the gateway's own handler (lifecycle/graceful-shutdown.ts), which turns readiness to 503, lets
# in-flight requests and SSE streams drain, and exits 0. No tini: the only signals that matter
# (SIGTERM, SIGINT) have handlers, and the gateway spawns no child processes, so there are no
# zombies to reap. (`docker run --init` adds one anyway if wanted.) As PID 1, node ignores a
# SIGTERM that arrives before the handler is installed (the first second of start-up); the
# kubelet then kills it after the grace period, which loses nothing since nothing was served yet.
STOPSIGNAL SIGTERM
# No HEALTHCHECK: Kubernetes ignores it and uses the chart's probes (/health/live, /health/ready);
# for plain Docker, probe http://127.0.0.1:3000/health/ready from outside.
# CMD rather than ENTRYPOINT so the same image runs the capacity planner:
#   docker run --rm IMAGE node dist/apps/capacity/src/main.js --peak-rps 5000 --target-rps 500 --safety 1.5
CMD ["node", "dist/apps/gateway/src/main.js"]
