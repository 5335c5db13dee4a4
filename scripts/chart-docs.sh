#!/usr/bin/env bash
# Writes the chart's values.schema.json and its README's values table from the comments of
# values.yaml, so that neither can drift from the values (`make chart-docs`):
#
#   - values.schema.json: scripts/chart-values-schema.ts, from the `# @schema` blocks (helm-schema's
#     syntax) and the `# --` descriptions;
#   - README.md: helm-docs (scripts/install-chart-tools.sh) renders README.md.gotmpl, whose values
#     table lists every key with its default and its `# --` description.
#
#   scripts/chart-docs.sh [chart dir]            write both files
#   scripts/chart-docs.sh --check [chart dir]    write nothing; exit 1 naming each file that differs
#                                                from what the generators make (deploy/test/chart-docs.spec.ts)
set -euo pipefail
cd "$(dirname "$0")/.."

check=
if [ "${1:-}" = --check ]; then check=1; shift; fi
chart="${1:-deploy/helm/llm-connector-hub}"
say() { echo "chart-docs: $*" >&2; }

bin="$(./scripts/install-chart-tools.sh)"
node="$(./scripts/ensure-node.sh)/node"
schema() { "$node" --disable-warning=MODULE_TYPELESS_PACKAGE_JSON scripts/chart-values-schema.ts "$chart" "$@"; }
helm_docs() { "$bin/helm-docs" --chart-search-root "$chart" --sort-values-order file --log-level warning "$@"; }

if [ -z "$check" ]; then
  schema --write
  helm_docs
  say "wrote $chart/values.schema.json and $chart/README.md"
  exit 0
fi

stale=0
if [ "$(schema)" != "$(cat "$chart/values.schema.json")" ]; then
  say "$chart/values.schema.json differs from the comments of values.yaml: run make chart-docs"
  diff <(schema) "$chart/values.schema.json" | head -20 >&2 || true
  stale=1
fi
if [ "$(helm_docs --dry-run)" != "$(cat "$chart/README.md")" ]; then
  say "$chart/README.md differs from README.md.gotmpl and the comments of values.yaml: run make chart-docs"
  diff <(helm_docs --dry-run) "$chart/README.md" | head -20 >&2 || true
  stale=1
fi
exit "$stale"
