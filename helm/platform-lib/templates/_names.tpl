{{/* The component's name: the subchart's own name (catalog, search, ingestion, gateway). */}}
{{- define "platform-lib.component" -}}
{{- .Chart.Name -}}
{{- end -}}

{{/* <release>-<component>, cut to the 63 characters a DNS label allows. */}}
{{- define "platform-lib.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "platform-lib.component" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of another component of the same release, e.g. (include "platform-lib.peer" (list . "catalog")). */}}
{{- define "platform-lib.peer" -}}
{{- $ctx := index . 0 -}}
{{- printf "%s-%s" $ctx.Release.Name (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "platform-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform-lib.component" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "platform-lib.labels" -}}
{{ include "platform-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "platform-lib.imageTag" . | quote }}
app.kubernetes.io/component: {{ include "platform-lib.component" . }}
app.kubernetes.io/part-of: catalog-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Pods of a component of this release, for NetworkPolicy peers. */}}
{{- define "platform-lib.peerSelector" -}}
{{- $ctx := index . 0 -}}
podSelector:
  matchLabels:
    app.kubernetes.io/name: {{ index . 1 }}
    app.kubernetes.io/instance: {{ $ctx.Release.Name }}
{{- end -}}

{{- define "platform-lib.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "platform-lib.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image tag: the component's, else the release-wide one, else the chart's appVersion. Never "latest". */}}
{{- define "platform-lib.imageTag" -}}
{{- $tag := .Values.image.tag | default .Values.global.image.tag | default .Chart.AppVersion | toString -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag: \"latest\" is not allowed; pin a version" -}}
{{- end -}}
{{- $tag -}}
{{- end -}}

{{- define "platform-lib.image" -}}
{{- $registry := .Values.global.image.registry -}}
{{- $repo := .Values.image.repository -}}
{{- $ref := ternary $repo (printf "%s/%s" $registry $repo) (empty $registry) -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $ref .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (include "platform-lib.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding this component's DATABASE_URL. */}}
{{- define "platform-lib.databaseSecret" -}}
{{- default (printf "%s-database" (include "platform-lib.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{- define "platform-lib.tlsSecret" -}}
{{- printf "%s-tls" (include "platform-lib.fullname" .) -}}
{{- end -}}
