{{- define "serin.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "serin.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "serin.labels" -}}
app.kubernetes.io/name: {{ include "serin.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "serin.selector" -}}
app.kubernetes.io/name: {{ include "serin.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "serin.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "serin.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "serin.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "serin.leaseNamespace" -}}
{{- default .Release.Namespace .Values.namespace -}}
{{- end -}}

{{/* The operator's hook URLs from the values (SLACK_URL, …): a Secret's data, never the container's args. */}}
{{- define "serin.hookURLs" -}}
{{- $urls := dict -}}
{{- with .Values.slack.url }}{{ $_ := set $urls "SLACK_URL" . }}{{ end -}}
{{- with .Values.slack.proxy }}{{ $_ := set $urls "SLACK_PROXY_URL" . }}{{ end -}}
{{- with .Values.msteams.url }}{{ $_ := set $urls "MSTEAMS_URL" . }}{{ end -}}
{{- with .Values.msteams.proxy }}{{ $_ := set $urls "MSTEAMS_PROXY_URL" . }}{{ end -}}
{{- with .Values.eventWebhook }}{{ $_ := set $urls "EVENT_WEBHOOK_URL" . }}{{ end -}}
{{- if $urls }}{{ toYaml $urls }}{{ end -}}
{{- end -}}
