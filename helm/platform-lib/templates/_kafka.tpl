{{/*
The KAFKA_* variables that connect a pod to the brokers as one SASL user (global.kafka.sasl; the
password by secretKeyRef from existingSecret, never inline) and over TLS (global.kafka.tls), as a
YAML list of env entries; empty for an open cluster.
args: (list $ctx principal)   principal: a key of global.kafka.sasl.users (admin, catalog, ...)
*/}}
{{- define "platform-lib.kafkaAuthEnv" -}}
{{- $ := index . 0 -}}
{{- $principal := index . 1 -}}
{{- with $.Values.global.kafka.sasl }}
{{- if .mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required (printf "global.kafka.sasl.users.%s is required" $principal) (index .users $principal) | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "global.kafka.sasl.existingSecret: the Secret of the Kafka passwords is required with a mechanism" .existingSecret }}
      key: {{ $principal }}
{{- end }}
{{- end }}
{{- if $.Values.global.kafka.tls.enabled }}
- name: KAFKA_TLS
  value: "true"
{{- end }}
{{- end -}}

{{/* The same variables as a list of env dicts, for a Job's extra env. args: (list $ctx principal) */}}
{{- define "platform-lib.kafkaAuthEnvList" -}}
{{- $env := include "platform-lib.kafkaAuthEnv" . -}}
{{- if $env }}{{ $env }}{{ else }}[]{{ end -}}
{{- end -}}
