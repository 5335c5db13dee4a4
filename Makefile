# LLM Connector Hub: `make run` and `make test` do all set-up on a fresh machine.
# Every target runs with Node 24 (bootstrapped from the npm registry's `node` package into
# .tools/ when the machine's node is older).

SHELL := /bin/bash
NODE_BIN := $(shell ./scripts/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)

SOURCES := $(shell find apps libs bench loadtest scripts -path '*/dist' -prune -o -name '*.ts' -not -name '*.k6.ts' -not -name '*.spec.ts' -not -name '*.e2e-spec.ts' -print 2>/dev/null)

.PHONY: help install system-deps build run test test-unit test-e2e typecheck lint bench scaling chart-docs clean images cluster-build cluster-up cluster-down cluster-status

help:
	@echo "make run        build and start the gateway on port 3000 (mock provider + providers whose keys are set)"
	@echo "make test       install what is missing and run every test (unit + end to end)"
	@echo "make bench      gateway vs a bare forwarder in front of the fake provider (autocannon)"
	@echo "make scaling    throughput at 1, 2, 4, 8 gateway replicas in the test cluster (make cluster-up first)"
	@echo "make typecheck  tsc over everything, specs and the k6 scripts included"
	@echo "make chart-docs the chart's values.schema.json and README values table, from the comments of values.yaml"
	@echo "make lint       ESLint (type-aware) and the import boundaries between libs and apps"
	@echo "make images     the gateway, fake provider, load runner and Redis images, without Docker (.tools/images/*.tar)"
	@echo "make cluster-up     a real one-node Kubernetes 1.34 in namespaces of its own (root; docs/kubernetes.md)"
	@echo "make cluster-down   stop it and remove all its state"

install: node_modules/.install-stamp

# What the tests run for real: Debian's redis-server (Redis Cluster cache specs) and prometheus +
# promtool (dashboard and alert proofs), each spec starting its own on loopback; helm, kustomize,
# kubeconform and helm-docs built with `go install`, and the Kubernetes 1.34 OpenAPI schemas and
# CRDs fetched through the Go module proxy and converted for kubeconform (chart and overlay
# specs, offline after this; the converter needs node_modules); the test cluster's
# Debian packages and its Kubernetes binaries, add-ons and images (scripts/cluster.sh build: about
# 25 min the first time on 2 cores, under a second when cached), so no test hook waits for a build.
system-deps: install
	@./scripts/install-redis.sh
	@./scripts/install-prometheus.sh
	@./scripts/install-helm.sh
	@./scripts/install-chart-tools.sh >/dev/null
	@./scripts/k8s-schemas.sh >/dev/null
	@./scripts/install-cluster-deps.sh
	@./scripts/cluster.sh build

node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: dist/.build-stamp

dist/.build-stamp: node_modules/.install-stamp $(SOURCES) tsconfig.json tsconfig.build.json
	rm -rf dist
	npm run --silent build
	@touch $@

run: build
	node dist/apps/gateway/src/main.js

# The k6 scripts (loadtest/scenarios/*.k6.ts) are checked on their own, against @types/k6 and
# without Node's types: k6 runs them, not Node.
typecheck: install
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p loadtest/scenarios/tsconfig.json

# ESLint with typescript-eslint's type-aware rules (eslint.config.mjs), then the import boundaries
# between libs and apps (.dependency-cruiser.cjs; docs/architecture.md, "Boundaries"). Offline:
# both are npm devDependencies that `make install` already put in place.
LINTED := apps libs bench scripts deploy loadtest

lint: install
	npx eslint --max-warnings 0 $(LINTED)
	npx depcruise $(LINTED) --config .dependency-cruiser.cjs --output-type err

# jest under a time limit (JEST_TIME_LIMIT, default 30m), and whatever test processes are left
# killed after it, whatever happened to it: see scripts/jest.sh and docs/testing.md.
JEST := ./scripts/jest.sh --ci

test: system-deps build typecheck lint images
	$(JEST)

test-unit: install
	$(JEST) --selectProjects unit

test-e2e: system-deps build
	$(JEST) --selectProjects e2e

# The four images as docker-archive tarballs in .tools/images, without Docker or a registry
# (scripts/images.sh; docs/kubernetes.md). Only what changed is rebuilt: under a second when nothing did.
# `scripts/images.sh import` loads them into the test cluster.
images: build
	@./scripts/install-redis.sh >/dev/null
	@./scripts/install-cluster-deps.sh >/dev/null
	@./scripts/images.sh build >/dev/null

bench: system-deps build
	node dist/bench/run.js

# The chart's values.schema.json and its README's values table, generated from the comments of
# values.yaml (`# @schema` blocks and `# --` descriptions): scripts/chart-docs.sh. Run it after
# editing values.yaml or README.md.gotmpl; deploy/test/chart-docs.spec.ts fails when they differ.
chart-docs: install
	@./scripts/chart-docs.sh

# How throughput grows from 1 to 8 gateway replicas in the test cluster (make cluster-up first):
# scripts/scaling.sh; docs/kubernetes.md, "Measuring scaling in your cluster". SCALING_ARGS: runner flags.
scaling: build images
	./scripts/scaling.sh run $(SCALING_ARGS)

cluster-build:
	@./scripts/install-cluster-deps.sh
	@./scripts/cluster.sh build

cluster-up: cluster-build
	@./scripts/install-helm.sh
	@./scripts/cluster.sh up

cluster-down:
	@./scripts/cluster.sh down

cluster-status:
	@./scripts/cluster.sh status

# The cluster's build cache (~/.cache/llm-connector-hub/cluster) is kept: it is shared by every clone.
clean:
	@if [ -d .tools/cluster/pids ]; then ./scripts/cluster.sh down; fi
	rm -rf dist node_modules .tools
