{{/* Chart name, overridable. */}}
{{- define "coldstart.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name prefix of every object. */}}
{{- define "coldstart.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "coldstart.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects; call with (dict "root" $ "component" "api"). */}}
{{- define "coldstart.componentName" -}}
{{- printf "%s-%s" (include "coldstart.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels; call with (dict "root" $ "component" NAME). */}}
{{- define "coldstart.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coldstart.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The recommended labels; call with (dict "root" $ "component" NAME). */}}
{{- define "coldstart.labels" -}}
{{ include "coldstart.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: coldstart
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 }}
{{- end -}}

{{- define "coldstart.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "coldstart.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "coldstart.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The BullMQ queue a pool consumes: worker-expand -> expand. */}}
{{- define "coldstart.queue" -}}
{{- trimPrefix "worker-" . -}}
{{- end -}}

{{/* SHUTDOWN_DEADLINE_MS in whole seconds, rounded up, plus 10 s for the kubelet and preStop. */}}
{{- define "coldstart.gracePeriodSeconds" -}}
{{- add (div (add (int .Values.config.shutdownDeadlineMs) 999) 1000) 10 -}}
{{- end -}}

{{/*
The OpenAI-compatible API root of this release's vLLM: its Service when vllm.enabled, else
vllm.externalBaseUrl (may be empty). worker-expand's LLM_BASE_URL and NOTES.txt both use it, so
the URL printed is the one the pool calls.
*/}}
{{- define "coldstart.vllmBaseUrl" -}}
{{- if .Values.vllm.enabled -}}
{{- printf "http://%s.%s.svc:%d/v1" (include "coldstart.componentName" (dict "root" . "component" "vllm")) .Release.Namespace (int .Values.vllm.port) -}}
{{- else -}}
{{- .Values.vllm.externalBaseUrl -}}
{{- end -}}
{{- end -}}
