{{/* Beyond the common variables and its ConfigMap: the consumer group, which KEDA reads the lag of too. */}}
{{- define "catalog.env" -}}
- name: CATALOG_INGEST_GROUP
  value: {{ .Values.consumerGroup | quote }}
{{- end -}}
