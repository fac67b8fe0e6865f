{{/* Names and labels shared by every template. */}}

{{- define "modelmonitor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every object name: the release name, plus the chart name unless
the release name already contains it ("modelmonitor" for `helm install modelmonitor`). */}}
{{- define "modelmonitor.fullname" -}}
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

{{- define "modelmonitor.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "modelmonitor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: modelmonitor
{{- end }}

{{/* Selects the operator pods; never changes across upgrades (selectors are immutable). */}}
{{- define "modelmonitor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelmonitor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "modelmonitor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (printf "%s-operator" (include "modelmonitor.fullname" .)) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "modelmonitor.webhookService" -}}
{{- printf "%s-webhook" (include "modelmonitor.fullname" .) }}
{{- end }}

{{- define "modelmonitor.webhookConfiguration" -}}
{{- printf "%s-sidecar-injector" (include "modelmonitor.fullname" .) }}
{{- end }}

{{- define "modelmonitor.webhookSecret" -}}
{{- default (printf "%s-webhook-tls" (include "modelmonitor.fullname" .)) .Values.webhook.certificates.secretName }}
{{- end }}

{{- define "modelmonitor.leaseName" -}}
{{- printf "%s-operator" (include "modelmonitor.fullname" .) }}
{{- end }}

{{- define "modelmonitor.operatorImage" -}}
{{- $img := .Values.operator.image }}
{{- if $img.digest }}
{{- printf "%s@%s" $img.repository $img.digest }}
{{- else }}
{{- printf "%s:%s" $img.repository (default .Chart.AppVersion $img.tag) }}
{{- end }}
{{- end }}

{{- define "modelmonitor.sidecarImage" -}}
{{- printf "%s:%s" .Values.sidecar.image.repository (default .Chart.AppVersion .Values.sidecar.image.tag) }}
{{- end }}

{{/* The operator's flags: the same list the Deployment runs and, in development
mode, NOTES.txt prints for the local process (docs/operator.md, docs/injection.md). */}}
{{- define "modelmonitor.operatorArgs" -}}
- --log-level={{ .Values.operator.logLevel }}
- --workers={{ .Values.operator.workers }}
{{- with .Values.operator.watchNamespace }}
- --namespace={{ . }}
{{- end }}
- --list-page-size={{ .Values.operator.listPageSize }}
- --watch-timeout={{ .Values.operator.watchTimeout }}
- --shutdown-timeout={{ .Values.operator.shutdownTimeout }}
- --health-port={{ .Values.operator.healthPort }}
- --leader-elect={{ .Values.operator.leaderElection.enabled }}
- --leader-elect-namespace={{ .Release.Namespace }}
- --leader-elect-lease-name={{ include "modelmonitor.leaseName" . }}
- --leader-elect-lease-duration={{ .Values.operator.leaderElection.leaseDuration }}
- --leader-elect-renew-deadline={{ .Values.operator.leaderElection.renewDeadline }}
- --leader-elect-retry-period={{ .Values.operator.leaderElection.retryPeriod }}
- --webhook-port={{ .Values.webhook.port }}
- --webhook-service={{ include "modelmonitor.webhookService" . }}
- --webhook-namespace={{ .Release.Namespace }}
- --webhook-secret={{ include "modelmonitor.webhookSecret" . }}
- --webhook-configuration={{ include "modelmonitor.webhookConfiguration" . }}
- --no-webhook-manage-configuration
{{- if eq .Values.webhook.certificates.mode "certManager" }}
- --webhook-cert-dir=/etc/modelmonitor/webhook-certs
- --no-webhook-patch-ca-bundle
{{- end }}
- --api-port={{ .Values.api.port }}
- --api-service={{ include "modelmonitor.fullname" . }}-api
{{- if .Values.api.alertReceiver.sharedSecret }}
- --alert-receiver-token-file=/etc/modelmonitor/alert-receiver/token
{{- end }}
{{- with .Values.prometheus.perMonitor }}
{{- if .enabled }}
- --prometheus-objects
{{- range $key, $value := .labels }}
- --prometheus-objects-label={{ $key }}={{ $value }}
{{- end }}
{{- end }}
{{- end }}
- --sidecar-image={{ include "modelmonitor.sidecarImage" . }}
- --sidecar-cpu={{ .Values.sidecar.resources.requests.cpu }}
- --sidecar-memory={{ .Values.sidecar.resources.requests.memory }}
- --sidecar-cpu-limit={{ .Values.sidecar.resources.limits.cpu }}
- --sidecar-memory-limit={{ .Values.sidecar.resources.limits.memory }}
{{- range .Values.operator.extraArgs }}
- {{ . }}
{{- end }}
{{- end }}
