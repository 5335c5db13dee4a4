# LLM Connector Hub: `make run` and `make test` do all set-up on a fresh machine.
# Every target runs with Node 24 (bootstrapped from the npm registry's `node` package into
# .tools/ when the machine's node is older).

SHELL := /bin/bash
NODE_BIN := $(shell ./scripts/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)

SOURCES := $(shell find apps libs bench -name '*.ts' -not -name '*.spec.ts' -not -name '*.e2e-spec.ts' 2>/dev/null)

.PHONY: help install system-deps build run test test-unit test-e2e typecheck bench clean

help:
	@echo "make run        build and start the gateway on port 3000 (mock provider + providers whose keys are set)"
	@echo "make test       install what is missing and run every test (unit + end to end)"
	@echo "make bench      gateway vs a bare forwarder in front of the fake provider (autocannon)"
	@echo "make typecheck  tsc over everything, specs included"

install: node_modules/.install-stamp

# What the tests run for real: Debian's redis-server (Redis Cluster cache specs) and prometheus +
# promtool (dashboard and alert proofs), each spec starting its own on loopback; helm and
# kustomize built with `go install`, and the Kubernetes 1.34 OpenAPI schemas and CRDs fetched
# through the Go module proxy (chart and overlay specs, offline after this).
system-deps:
	@./scripts/install-redis.sh
	@./scripts/install-prometheus.sh
	@./scripts/install-helm.sh
	@./scripts/k8s-schemas.sh

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

typecheck: install
	npx tsc -p tsconfig.json --noEmit

# jest under a time limit (JEST_TIME_LIMIT, default 30m), and whatever test processes are left
# killed after it, whatever happened to it: see scripts/jest.sh and docs/testing.md.
JEST := ./scripts/jest.sh --ci

test: system-deps build typecheck
	$(JEST)

test-unit: install
	$(JEST) --selectProjects unit

test-e2e: system-deps build
	$(JEST) --selectProjects e2e

bench: system-deps build
	node dist/bench/run.js

clean:
	rm -rf dist node_modules .tools
