{{/*
Ingestion's own variables beyond the common ones and its ConfigMap: the S3 keys, when a Secret
holds them, and with drops.events.enabled the drop folder whose object store events it reads (the
CronJob still scans it: DROP_CRON is empty here).
*/}}
{{- define "ingestion.env" -}}
{{- include "ingestion.s3Env" . }}
{{- if .Values.drops.events.enabled }}
- name: DROP_URI
  value: {{ required "drops.uri is required when drops.events.enabled" .Values.drops.uri | quote }}
- name: DROP_TENANT
  value: {{ .Values.drops.tenant | quote }}
- name: DROP_CRON
  value: ""
- name: DROP_EVENTS_TOPIC
  value: {{ .Values.drops.events.topic | quote }}
- name: DROP_EVENTS_GROUP
  value: {{ .Values.drops.events.group | quote }}
{{- end }}
{{- end -}}

{{/* The S3 keys, when a Secret holds them (the service and the drops CronJob). */}}
{{- define "ingestion.s3Env" -}}
{{- with .Values.s3.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.s3.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.s3.secretAccessKeyKey }}
{{- end }}
{{- end -}}
