{{/*
Names and labels shared by every template.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "sam-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name: fullnameOverride, else the release name when it already contains the
chart's name, else "<release>-<chart>". Cut to 63 characters (a DNS label).
*/}}
{{- define "sam-operator.fullname" -}}
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

{{- define "sam-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "sam-operator.labels" -}}
helm.sh/chart: {{ include "sam-operator.chart" . }}
{{ include "sam-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sam-operator
{{- end }}

{{/* Labels that select the operator's pods; never change them on upgrade. */}}
{{- define "sam-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sam-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sam-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sam-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sam-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "sam-operator.trainerImage" -}}
{{- default (printf "ghcr.io/sharpness-dev/sam-trainer:%s" .Chart.AppVersion) .Values.trainer.image }}
{{- end }}

{{/*
The watched namespaces as a JSON list, trimmed and without duplicates; empty means all
namespaces. watchNamespaces is a list, or a comma-separated string (as the operator's env takes
it, and as GitOps tools often pass parameters).
*/}}
{{- define "sam-operator.watchNamespaceList" -}}
{{- $given := .Values.watchNamespaces | default list }}
{{- if kindIs "string" $given }}
{{- $given = splitList "," $given }}
{{- end }}
{{- $namespaces := list }}
{{- range $given }}
{{- $namespace := trim (toString .) }}
{{- if and $namespace (not (has $namespace $namespaces)) }}
{{- $namespaces = append $namespaces $namespace }}
{{- end }}
{{- end }}
{{- toJson $namespaces }}
{{- end }}

{{/* The watched namespaces as the operator's env takes them: comma-separated, empty for all. */}}
{{- define "sam-operator.watchNamespaces" -}}
{{- include "sam-operator.watchNamespaceList" . | fromJsonArray | join "," }}
{{- end }}

{{/*
What the operator does to the API in every namespace it watches. The one list behind the
ClusterRole (all namespaces) and each per-namespace Role, so both grant exactly the same.
*/}}
{{- define "sam-operator.workloadRules" -}}
# Exactly what the operator calls (its tests fail on a request these do not grant and on a grant
# they never use). Jobs: listed and watched (the informer's cache answers every read); deleted when
# ttlSecondsAfterFinished has passed. Spec is never written.
- apiGroups: ["sharpness.dev"]
  resources: ["samtrainingjobs"]
  verbs: ["list", "watch", "delete"]
# Status is replaced with optimistic locking (a conflict re-reads the job from the cache and retries).
- apiGroups: ["sharpness.dev"]
  resources: ["samtrainingjobs/status"]
  verbs: ["update"]
# A job's trainer pods are created and deleted one by one, never updated (a restart replaces the pair).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch", "create", "delete"]
# The job's ConfigMap follows its spec at each new attempt.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "create", "update"]
# The exchange token: created once, read for progress calls. Owner references delete it with the job.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]
# The headless Service: created once.
- apiGroups: [""]
  resources: ["services"]
  verbs: ["create"]
# Only to report a missing claim in the job's status.
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
# The exchange port accepts only the job's own pods and the operator.
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "create", "update"]
{{- end }}

{{/*
The operator JVM's options (JAVA_TOOL_OPTIONS): its maximum heap as a share of the container's
memory limit, then jvm.options. Empty when neither is set.
*/}}
{{- define "sam-operator.jvmOptions" -}}
{{- $jvm := .Values.jvm | default dict -}}
{{- $options := list -}}
{{- if not (kindIs "invalid" $jvm.maxRamPercentage) -}}
{{- $percent := float64 $jvm.maxRamPercentage -}}
{{- if or (le $percent 0.0) (gt $percent 100.0) -}}
{{- fail "jvm.maxRamPercentage must be above 0 and at most 100" -}}
{{- end -}}
{{- $options = append $options (printf "-XX:MaxRAMPercentage=%.1f" $percent) -}}
{{- end -}}
{{- with $jvm.options -}}
{{- $options = append $options . -}}
{{- end -}}
{{- join " " $options -}}
{{- end -}}
