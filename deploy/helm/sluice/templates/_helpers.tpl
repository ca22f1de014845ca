{{/* Labels every object of the chart carries. */}}
{{- define "sluice.labels" -}}
app.kubernetes.io/name: sluice-controller
app.kubernetes.io/part-of: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: sluice-controller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Cluster-scoped names include the release, so two releases do not collide. */}}
{{- define "sluice.clusterName" -}}
{{- printf "%s-sluice-controller" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
