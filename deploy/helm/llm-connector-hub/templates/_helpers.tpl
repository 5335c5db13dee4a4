{{/*
Helpers of the llm-connector-hub chart. Their names are stable: templates and the chart's tests
use them. Every helper takes the root context (.) unless its comment says otherwise.
*/}}

{{/* ------------------------------------------------------------------ names */}}

{{/* The chart name, or nameOverride. */}}
{{- define "llm-connector-hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name prefix of every resource: fullnameOverride, else "<release>-<name>", or just the
release name when it already contains the chart name. Truncated to 63 characters (DNS labels);
suffixed names ("-redis-headless") are truncated again where they are built.
*/}}
{{- define "llm-connector-hub.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
"<fullname>-<suffix>" within 63 characters: the full name is shortened, never the suffix, so that
names stay distinct with long release names. Takes a dict: { "ctx": <root context>, "suffix": "..." }.
*/}}
{{- define "llm-connector-hub.suffixedName" -}}
{{- $base := include "llm-connector-hub.fullname" .ctx | trunc (int (sub 62 (len .suffix))) | trimSuffix "-" }}
{{- printf "%s-%s" $base .suffix }}
{{- end }}

{{/* "<chart>-<version>" for the helm.sh/chart label. */}}
{{- define "llm-connector-hub.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* ----------------------------------------------------------------- labels */}}

{{/* Labels of every resource (without a component). */}}
{{- define "llm-connector-hub.labels" -}}
helm.sh/chart: {{ include "llm-connector-hub.chart" . }}
{{ include "llm-connector-hub.selectorLabels" . }}
app.kubernetes.io/version: {{ (.Values.image.tag | default .Chart.AppVersion) | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: llm-connector-hub
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The release's selector labels (name + instance). Every workload adds a component on top, so that
the gateway's selector never matches the bundled Redis pods or the test pod.
*/}}
{{- define "llm-connector-hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "llm-connector-hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of the gateway pods (Deployment, Service, HPA, PDB, NetworkPolicy). */}}
{{- define "llm-connector-hub.gateway.selectorLabels" -}}
{{ include "llm-connector-hub.selectorLabels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{/* Labels of the gateway's resources. */}}
{{- define "llm-connector-hub.gateway.labels" -}}
{{ include "llm-connector-hub.labels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{/* Labels of monitoring resources (ServiceMonitor, PrometheusRule, dashboards, adapter rule). */}}
{{- define "llm-connector-hub.monitoring.labels" -}}
{{ include "llm-connector-hub.labels" . }}
app.kubernetes.io/component: monitoring
{{- end }}

{{/* ---------------------------------------------------------- service account */}}

{{/* The ServiceAccount the gateway runs as. */}}
{{- define "llm-connector-hub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "llm-connector-hub.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* ------------------------------------------------------------------ images */}}

{{/*
"repository:tag", or "repository@digest" when a digest is set (the digest alone identifies the
image; adding the tag would make some runtimes ignore the digest or reject the reference).
Takes a dict: { "image": <image values>, "default": <default tag> }.
*/}}
{{- define "llm-connector-hub.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (.image.tag | default .default | toString) }}
{{- end }}
{{- end }}

{{/* The gateway image; the tag defaults to the chart's appVersion. */}}
{{- define "llm-connector-hub.image" -}}
{{- include "llm-connector-hub.imageRef" (dict "image" .Values.image "default" .Chart.AppVersion) }}
{{- end }}

{{/* ------------------------------------------------------------------ secrets */}}

{{/* The Secret the gateway takes provider keys from (envFrom), or "" when there is none. */}}
{{- define "llm-connector-hub.providers.secretName" -}}
{{- if .Values.providers.existingSecret }}
{{- .Values.providers.existingSecret }}
{{- else if .Values.providers.apiKeys }}
{{- include "llm-connector-hub.suffixedName" (dict "ctx" . "suffix" "providers") }}
{{- end }}
{{- end }}

{{/* The Secret holding LLM_HUB_API_KEYS (key auth.existingSecretKey), or "" when there is none. */}}
{{- define "llm-connector-hub.auth.secretName" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else if .Values.auth.apiKeys }}
{{- include "llm-connector-hub.suffixedName" (dict "ctx" . "suffix" "auth") }}
{{- end }}
{{- end }}

{{/* ------------------------------------------------------------------ metrics */}}

{{/* "true" when the gateway serves metrics (config.observability.metrics.enabled, default true), else "". */}}
{{- define "llm-connector-hub.metrics.enabled" -}}
{{- if dig "observability" "metrics" "enabled" true (.Values.config | default dict) }}true{{ end }}
{{- end }}

{{/* The Service carrying the metrics port, which the ServiceMonitor scrapes. */}}
{{- define "llm-connector-hub.metrics.serviceName" -}}
{{- include "llm-connector-hub.suffixedName" (dict "ctx" . "suffix" "metrics") }}
{{- end }}

{{/* ------------------------------------------------------- capacity planning */}}

{{/*
Capacity plan -> HPA. The EXACT contract shared with the capacity CLI (a test compares both over
a table of inputs), in float64 with the operations in this order:
  instances          = peakRps / targetRpsPerInstance * safetyFactor
  maxReplicas        = max(minReplicas, ceil(peakRps * safetyFactor / targetRpsPerInstance - 1e-9))
  targetAverageValue = ceil(targetRpsPerInstance / safetyFactor * 1000), as a milli quantity ("333334m")
The 1e-9 absorbs float noise (5000 * 1.5 / 500 = 15 exactly must not become 16). The per-pod
target is rounded up so that at peakRps the HPA asks for exactly the formula's count:
ceil(5000 / 333.334) = 15.
*/}}

{{/* Fails the render with a clear message when the capacity values make no sense. */}}
{{- define "llm-connector-hub.capacity.validate" -}}
{{- $c := .Values.capacity }}
{{- if le (float64 $c.targetRpsPerInstance) 0.0 }}
{{- fail (printf "capacity.targetRpsPerInstance must be > 0 (got %v): it is the request rate one replica sustains" $c.targetRpsPerInstance) }}
{{- end }}
{{- if le (float64 $c.peakRps) 0.0 }}
{{- fail (printf "capacity.peakRps must be > 0 (got %v): it is the highest request rate the deployment must absorb" $c.peakRps) }}
{{- end }}
{{- if lt (float64 $c.safetyFactor) 1.0 }}
{{- fail (printf "capacity.safetyFactor must be >= 1 (got %v): below 1 replicas would be planned to run past their capacity at peak" $c.safetyFactor) }}
{{- end }}
{{- if or (lt (float64 $c.minReplicas) 1.0) (ne (float64 $c.minReplicas) (floor $c.minReplicas)) }}
{{- fail (printf "capacity.minReplicas must be a whole number >= 1 (got %v)" $c.minReplicas) }}
{{- end }}
{{- end }}

{{/* peakRps / targetRpsPerInstance * safetyFactor, unrounded (printed with %g). */}}
{{- define "llm-connector-hub.capacity.instances" -}}
{{- include "llm-connector-hub.capacity.validate" . }}
{{- $c := .Values.capacity }}
{{- printf "%g" (mulf (divf $c.peakRps $c.targetRpsPerInstance) $c.safetyFactor) }}
{{- end }}

{{/* HPA minReplicas: capacity.minReplicas. */}}
{{- define "llm-connector-hub.capacity.minReplicas" -}}
{{- include "llm-connector-hub.capacity.validate" . }}
{{- int .Values.capacity.minReplicas }}
{{- end }}

{{/* Replicas needed at peak: ceil(peakRps * safetyFactor / targetRpsPerInstance - 1e-9), before the minReplicas floor. */}}
{{- define "llm-connector-hub.capacity.peakReplicas" -}}
{{- include "llm-connector-hub.capacity.validate" . }}
{{- $c := .Values.capacity }}
{{- int64 (ceil (subf (divf (mulf $c.peakRps $c.safetyFactor) $c.targetRpsPerInstance) 1e-9)) }}
{{- end }}

{{/* HPA maxReplicas: max(minReplicas, peakReplicas). */}}
{{- define "llm-connector-hub.capacity.maxReplicas" -}}
{{- max (int64 .Values.capacity.minReplicas) (include "llm-connector-hub.capacity.peakReplicas" . | int64) }}
{{- end }}

{{/* The per-pod request-rate target in milli-requests/s: ceil(target / safety * 1000). */}}
{{- define "llm-connector-hub.capacity.targetMilli" -}}
{{- include "llm-connector-hub.capacity.validate" . }}
{{- $c := .Values.capacity }}
{{- int64 (ceil (mulf (divf $c.targetRpsPerInstance $c.safetyFactor) 1000)) }}
{{- end }}

{{/* Per-pod AverageValue of llm_hub_requests_per_second (HPA engine), as a milli quantity: "333334m". */}}
{{- define "llm-connector-hub.capacity.targetAverageValue" -}}
{{- printf "%dm" (include "llm-connector-hub.capacity.targetMilli" . | int64) }}
{{- end }}

{{/*
The same target in requests/s with three decimals ("333.334"): the threshold of the KEDA
Prometheus trigger, which KEDA turns back into the HPA's milli quantity (333334m).
*/}}
{{- define "llm-connector-hub.capacity.targetRps" -}}
{{- $milli := include "llm-connector-hub.capacity.targetMilli" . | int64 }}
{{- printf "%d.%03d" (div $milli 1000) (mod $milli 1000) }}
{{- end }}

{{/* The HPA's (or ScaledObject's) annotation recording the plan it was computed from. */}}
{{- define "llm-connector-hub.capacity.annotation" -}}
llm-connector-hub.io/capacity: {{ printf "peakRps=%v targetRpsPerInstance=%v safetyFactor=%v instances=%s" .Values.capacity.peakRps .Values.capacity.targetRpsPerInstance .Values.capacity.safetyFactor (include "llm-connector-hub.capacity.instances" .) | quote }}
{{- end }}

{{/* Which object autoscales the Deployment: "hpa", "keda", or "" when autoscaling is off. */}}
{{- define "llm-connector-hub.autoscaling.engine" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.engine }}{{ end }}
{{- end }}

{{/*
The PromQL behind the KEDA engine's request-rate trigger: the release's total request rate, over
the series scraped from its metrics Service. namespace and service are the labels a
ServiceMonitor (prometheus-operator) gives every series, and so does the scrape config of
docs/kubernetes.md. KEDA's HPA divides the total by the replica count (AverageValue), so it is the
same per-pod metric the HPA engine gets from prometheus-adapter.
*/}}
{{- define "llm-connector-hub.autoscaling.keda.query" -}}
{{- printf "sum(rate(llm_hub_requests_total{namespace=%q,service=%q}[%s]))" .Release.Namespace (include "llm-connector-hub.metrics.serviceName" .) .Values.autoscaling.keda.prometheus.rateWindow }}
{{- end }}

{{/* --------------------------------------------------------------- lifecycle */}}

{{/*
terminationGracePeriodSeconds = lifecycle.preStopSeconds + ceil(config.server.drainTimeoutMs / 1000) + 10:
the preStop sleep, then the gateway's drain of in-flight requests and SSE streams, then 10 s for
closing sockets and exiting before Kubernetes sends SIGKILL.
*/}}
{{- define "llm-connector-hub.terminationGracePeriodSeconds" -}}
{{- $drainMs := include "llm-connector-hub.drainTimeoutMs" . | float64 }}
{{- add (int .Values.lifecycle.preStopSeconds) (int (ceil (divf $drainMs 1000))) 10 }}
{{- end }}

{{/* config.server.drainTimeoutMs, or the gateway's default (30000) when it is not set. */}}
{{- define "llm-connector-hub.drainTimeoutMs" -}}
{{- $ms := dig "server" "drainTimeoutMs" nil (.Values.config | default dict) }}
{{- if kindIs "invalid" $ms }}30000{{ else }}{{ int64 $ms }}{{ end }}
{{- end }}

{{/* ------------------------------------------------------------------- redis */}}

{{/*
Base name of the bundled Redis resources: "<fullname>-redis", at most 52 characters, so that the
StatefulSet's pod names and controller-revision-hash label (name + 11 characters) and the
headless Service name (name + "-headless") stay within 63.
*/}}
{{- define "llm-connector-hub.redis.fullname" -}}
{{- printf "%s-redis" (include "llm-connector-hub.fullname" . | trunc 46 | trimSuffix "-") }}
{{- end }}

{{/* Headless Service of the bundled Redis nodes: their stable DNS names live under it. */}}
{{- define "llm-connector-hub.redis.headlessServiceName" -}}
{{- printf "%s-headless" (include "llm-connector-hub.redis.fullname" .) }}
{{- end }}

{{/* Selector labels of the bundled Redis nodes. */}}
{{- define "llm-connector-hub.redis.selectorLabels" -}}
{{ include "llm-connector-hub.selectorLabels" . }}
app.kubernetes.io/component: redis
{{- end }}

{{/* Labels of the bundled Redis resources. */}}
{{- define "llm-connector-hub.redis.labels" -}}
{{ include "llm-connector-hub.labels" . }}
app.kubernetes.io/component: redis
{{- end }}

{{/*
Labels of the bundled Redis pods: no chart or gateway version, so that upgrading the gateway (or
the chart) does not roll the six Redis nodes for nothing.
*/}}
{{- define "llm-connector-hub.redis.podLabels" -}}
{{ include "llm-connector-hub.redis.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: llm-connector-hub
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The bundled Redis image. */}}
{{- define "llm-connector-hub.redis.image" -}}
{{- include "llm-connector-hub.imageRef" (dict "image" .Values.redis.bundled.image "default" "7.4.2-alpine") }}
{{- end }}

{{/* Number of nodes of the bundled cluster: three masters, three replicas. */}}
{{- define "llm-connector-hub.redis.replicas" -}}6{{- end }}

{{/* The Secret holding the Redis password, or "" (external Redis without a password). */}}
{{- define "llm-connector-hub.redis.secretName" -}}
{{- if eq .Values.redis.mode "bundled" }}
{{- .Values.redis.bundled.existingSecret | default (include "llm-connector-hub.redis.fullname" .) }}
{{- else if eq .Values.redis.mode "external" }}
{{- .Values.redis.external.existingSecret }}
{{- end }}
{{- end }}

{{/* The key of the password inside redis.secretName. */}}
{{- define "llm-connector-hub.redis.passwordKey" -}}
{{- if eq .Values.redis.mode "bundled" }}
{{- if .Values.redis.bundled.existingSecret }}{{ .Values.redis.bundled.existingSecretKey }}{{ else }}password{{ end }}
{{- else }}
{{- .Values.redis.external.passwordKey }}
{{- end }}
{{- end }}

{{/*
The Redis Cluster seed nodes, comma-separated "host:port" ("" with redis.mode none). bundled: the
stable DNS name of each of the six pods, which is also the hostname each node announces
(cluster-announce-hostname), so the names stay valid when pods move.
*/}}
{{- define "llm-connector-hub.redis.nodes" -}}
{{- if eq .Values.redis.mode "external" }}
{{- join "," .Values.redis.external.nodes }}
{{- else if eq .Values.redis.mode "bundled" }}
{{- $name := include "llm-connector-hub.redis.fullname" . }}
{{- $svc := include "llm-connector-hub.redis.headlessServiceName" . }}
{{- $nodes := list }}
{{- range $i := until (int (include "llm-connector-hub.redis.replicas" .)) }}
{{- $nodes = append $nodes (printf "%s-%d.%s.%s.svc.%s:6379" $name $i $svc $.Release.Namespace $.Values.clusterDomain) }}
{{- end }}
{{- join "," $nodes }}
{{- end }}
{{- end }}

{{/* -------------------------------------------------------------- config */}}

{{/*
The gateway's config.yaml: .Values.config merged with what the chart owns (the Redis Cluster
cache when redis.mode is external or bundled). Fails when a secret would land in the ConfigMap.
*/}}
{{- define "llm-connector-hub.config" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- include "llm-connector-hub.config.noSecrets" $config }}
{{- if ne .Values.redis.mode "none" }}
{{- $cache := get $config "cache" | default dict }}
{{- $redis := get $cache "redis" | default dict }}
{{- $_ := set $redis "nodes" (splitList "," (include "llm-connector-hub.redis.nodes" .)) }}
{{- if eq .Values.redis.mode "external" }}
{{- $_ := set $redis "tls" .Values.redis.external.tls }}
{{- end }}
{{- $_ := set $cache "type" "redis-cluster" }}
{{- $_ := set $cache "redis" $redis }}
{{- $_ := set $config "cache" $cache }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/*
Refuses literal secrets in .Values.config (which becomes a ConfigMap). Takes the config map.
Provider apiKeys and the Redis password must be "${ENV_VAR}" references; gateway keys belong in
auth.apiKeys / auth.existingSecret.
*/}}
{{- define "llm-connector-hub.config.noSecrets" -}}
{{- if dig "auth" "apiKeys" nil . }}
{{- fail "config.auth.apiKeys would put gateway keys in a ConfigMap: use auth.apiKeys or auth.existingSecret (passed as LLM_HUB_API_KEYS from a Secret)" }}
{{- end }}
{{- range $name, $provider := (get . "providers" | default dict) }}
{{- if and (kindIs "map" $provider) (hasKey $provider "apiKey") (not (contains "${" (toString $provider.apiKey))) }}
{{- fail (printf "config.providers.%s.apiKey holds a literal key, which would land in a ConfigMap: write \"${SOME_ENV_VAR}\" and put SOME_ENV_VAR in providers.existingSecret (or providers.apiKeys)" $name) }}
{{- end }}
{{- end }}
{{- $token := dig "observability" "metrics" "token" nil . }}
{{- if $token }}
{{- fail "config.observability.metrics.token would put the metrics token in a ConfigMap: use metrics.token.existingSecret (passed as LLM_HUB_METRICS_TOKEN from a Secret)" }}
{{- end }}
{{- $password := dig "cache" "redis" "password" nil . }}
{{- if and $password (not (contains "${" (toString $password))) }}
{{- fail "config.cache.redis.password holds a literal password, which would land in a ConfigMap: use redis.external.existingSecret, or write \"${SOME_ENV_VAR}\"" }}
{{- end }}
{{- end }}
