{{/*
Expand the name of the chart.
*/}}
{{- define "mailreach-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name, truncated at 63 characters (DNS names).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "mailreach-gateway.fullname" -}}
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
Chart name and version, as used by the chart label.
*/}}
{{- define "mailreach-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "mailreach-gateway.labels" -}}
helm.sh/chart: {{ include "mailreach-gateway.chart" . }}
{{ include "mailreach-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ (default .Chart.AppVersion .Values.image.tag) | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "mailreach-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mailreach-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the service account to use.
*/}}
{{- define "mailreach-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mailreach-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the Secret holding the MailReach key and the callers file: the existing one, or the chart's.
*/}}
{{- define "mailreach-gateway.secretName" -}}
{{- if .Values.mailreach.existingSecret }}
{{- .Values.mailreach.existingSecret }}
{{- else }}
{{- include "mailreach-gateway.fullname" . }}
{{- end }}
{{- end }}

{{/*
Key of the MailReach API key in the Secret.
*/}}
{{- define "mailreach-gateway.apiKeySecretKey" -}}
{{- if .Values.mailreach.existingSecret }}
{{- .Values.mailreach.existingSecretKeys.apiKey }}
{{- else -}}
mailreach-api-key
{{- end }}
{{- end }}

{{/*
Key of the callers file in the Secret.
*/}}
{{- define "mailreach-gateway.callersSecretKey" -}}
{{- if .Values.mailreach.existingSecret }}
{{- .Values.mailreach.existingSecretKeys.callers }}
{{- else -}}
callers.yaml
{{- end }}
{{- end }}

{{/*
Most pods that can run at once: autoscaling.maxReplicas when autoscaling is on, else replicaCount.
*/}}
{{- define "mailreach-gateway.maxReplicas" -}}
{{- if .Values.autoscaling.enabled }}
{{- max (int .Values.replicaCount) (int .Values.autoscaling.maxReplicas) }}
{{- else }}
{{- int .Values.replicaCount }}
{{- end }}
{{- end }}

{{/*
Requests per second of the MailReach budget in each pod's configuration. With redis.enabled the
pods share one bucket in Redis, so every pod gets the whole budget (and takes
floor(budget / maxReplicas) on its own only while Redis is unreachable). Without Redis the rate
limit lives in each pod's memory, so with more than one pod the budget must be divided, or every
pod would use all of it.
*/}}
{{- define "mailreach-gateway.requestsPerSecond" -}}
{{- $replicas := int (include "mailreach-gateway.maxReplicas" .) }}
{{- $budget := int .Values.rateLimit.requestsPerSecond }}
{{- if or (le $replicas 1) .Values.redis.enabled }}
{{- $budget }}
{{- else if .Values.rateLimit.dividePerReplica }}
{{- max 1 (div $budget $replicas) }}
{{- else }}
{{- fail (printf "%d replicas would each use the whole MailReach budget of %d req/s: set redis.enabled=true (one shared budget), or rateLimit.dividePerReplica=true (each replica gets requestsPerSecond / maxReplicas), or run one replica" $replicas $budget) }}
{{- end }}
{{- end }}

{{/*
The gateway's non-secret configuration (application.yaml in the ConfigMap). Kept apart from the
policy so that the checksum that rolls the pods ignores policy edits, which are hot-reloaded.
*/}}
{{- define "mailreach-gateway.applicationYaml" -}}
server:
  port: 8080
management:
  server:
    port: 8081
  endpoints:
    web:
      exposure:
        include: health,info,prometheus
  metrics:
    tags:
      # Lets the alerts and the dashboard tell this service's generic metrics from other apps'.
      application: mailreach-gateway
    distribution:
      percentiles-histogram:
        http.server.requests: true
gateway:
  mailreach:
    base-url: {{ required "mailreach.baseUrl is required, e.g. https://api.mailreach.co/api" .Values.mailreach.baseUrl | quote }}
    connect-timeout: {{ .Values.mailreach.connectTimeout }}
    response-timeout: {{ .Values.mailreach.responseTimeout }}
    deadline: {{ .Values.mailreach.deadline }}
    max-pause: {{ .Values.mailreach.maxPause }}
    rate-limit:
      requests-per-second: {{ include "mailreach-gateway.requestsPerSecond" . }}
      max-wait: {{ .Values.rateLimit.maxWait }}
    retry:
      max-attempts: {{ .Values.mailreach.retry.maxAttempts }}
      initial-backoff: {{ .Values.mailreach.retry.initialBackoff }}
      max-backoff: {{ .Values.mailreach.retry.maxBackoff }}
    circuit-breaker:
      failure-rate-threshold: {{ .Values.mailreach.circuitBreaker.failureRateThreshold }}
      minimum-calls: {{ .Values.mailreach.circuitBreaker.minimumCalls }}
      open-duration: {{ .Values.mailreach.circuitBreaker.openDuration }}
  cache:
    ttl: {{ .Values.cache.ttl }}
    stale-if-error: {{ .Values.cache.staleIfError }}
    max-entries: {{ .Values.cache.maxEntries }}
  sandbox:
    enabled: false
  redis:
    enabled: {{ .Values.redis.enabled }}
    {{- if .Values.redis.enabled }}
    key-prefix: {{ .Values.redis.keyPrefix | quote }}
    on-failure: {{ .Values.redis.onFailure }}
    expected-replicas: {{ include "mailreach-gateway.maxReplicas" . }}
    {{- end }}
  policy-file: /config/policy/policy.yaml
{{- if .Values.redis.enabled }}
spring:
  data:
    redis:
      timeout: {{ .Values.redis.timeout }}
{{- end }}
{{- end }}

{{/*
The warming policy file (policy.yaml in the ConfigMap), hot-reloaded by the gateway.
*/}}
{{- define "mailreach-gateway.policyYaml" -}}
gateway:
  policy:
    {{- toYaml .Values.policy | nindent 4 }}
{{- end }}

{{/*
The callers file (callers.yaml in the Secret).
*/}}
{{- define "mailreach-gateway.callersYaml" -}}
gateway:
  callers:
  {{- range .Values.callers }}
    - name: {{ .name | quote }}
      key-sha256: {{ .keySha256 | lower | quote }}
      {{- with .tier }}
      tier: {{ . | quote }}
      {{- end }}
      {{- with .allowedFields }}
      allowed-fields:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  {{- else }} []
  {{- end }}
{{- end }}
