{{/* Beyond the common variables and its ConfigMap: the consumer group, which KEDA reads the lag of too. */}}
{{- define "search.env" -}}
- name: SEARCH_CONSUMER_GROUP
  value: {{ .Values.consumerGroup | quote }}
{{- end -}}
