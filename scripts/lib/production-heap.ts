/**
 * The V8 heap bound Node 24 gives itself inside the chart's default memory limit
 * (`resources.limits.memory`, 512Mi, in deploy/helm/llm-connector-hub/values.yaml): under a 512 MiB
 * cgroup, `v8.getHeapStatistics().heap_size_limit` is 259 MiB. On a test or bench machine, without
 * a cgroup, V8 sizes the heap from all the machine's memory (gigabytes) and lets garbage pile up
 * before its first full collection, so a peak RSS measured there says nothing about a pod.
 * `--max-heap-size` sets that same total (`--max-old-space-size` would not: it leaves the young
 * generation sized for the whole machine). Used by `make bench` section 7 and by the e2e specs
 * that bound the gateway's memory growth.
 */
export const PRODUCTION_HEAP_ARGS: readonly string[] = ['--max-heap-size=259'];
