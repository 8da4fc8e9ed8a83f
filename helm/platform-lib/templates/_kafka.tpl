{{/*
The KAFKA_* variables that connect a pod to the brokers as one SASL user (global.kafka.sasl; the
password by secretKeyRef from existingSecret, never inline) and over TLS (global.kafka.tls, with
KAFKA_TLS_CA_FILE where the brokers' CA is mounted), as a YAML list of env entries; empty for an
open cluster.
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
{{- if include "platform-lib.kafkaCaSource" $ }}
- name: KAFKA_TLS_CA_FILE
  value: {{ include "platform-lib.kafkaCaFile" $ }}
{{- end }}
{{- end -}}

{{/* The same variables as a list of env dicts, for a Job's extra env. args: (list $ctx principal) */}}
{{- define "platform-lib.kafkaAuthEnvList" -}}
{{- $env := include "platform-lib.kafkaAuthEnv" . -}}
{{- if $env }}{{ $env }}{{ else }}[]{{ end -}}
{{- end -}}

{{/* Where a pod finds the brokers' CA: the file KAFKA_TLS_CA_FILE names, in the kafka-ca volume. */}}
{{- define "platform-lib.kafkaCaDir" -}}/etc/catalog/kafka-ca{{- end -}}
{{- define "platform-lib.kafkaCaFile" -}}{{ include "platform-lib.kafkaCaDir" . }}/ca.crt{{- end -}}

{{/*
The source of the kafka-ca volume (global.kafka.tls.caSecret or caConfigMap, its key as ca.crt),
or empty: TLS off, or verified against the image's system CAs (systemTrustStore). A cluster of
one's own (Strimzi and the like) signs its brokers with a private CA, so TLS without a CA would fail
every handshake at run time: the chart refuses TLS that names neither a CA nor, explicitly, the
system CAs, and settings that would be ignored.
*/}}
{{- define "platform-lib.kafkaCaSource" -}}
{{- $tls := .Values.global.kafka.tls -}}
{{- $secret := dig "caSecret" "name" "" $tls -}}
{{- $configMap := dig "caConfigMap" "name" "" $tls -}}
{{- $system := dig "systemTrustStore" false $tls -}}
{{- if not $tls.enabled }}
{{- if or $secret $configMap $system }}
{{- fail "global.kafka.tls: caSecret, caConfigMap or systemTrustStore is set but global.kafka.tls.enabled is false, so the brokers would be reached in plaintext: set enabled: true, or remove them" }}
{{- end }}
{{- else if and $secret $configMap }}
{{- fail "global.kafka.tls: both caSecret.name and caConfigMap.name are set: name the brokers' CA once" }}
{{- else if and $system (or $secret $configMap) }}
{{- fail "global.kafka.tls: systemTrustStore is true and a CA is named too: keep one (the CA of a cluster of your own, or the system CAs for a publicly signed one)" }}
{{- else if $secret }}
secret:
  secretName: {{ $secret }}
  items:
    - key: {{ required "global.kafka.tls.caSecret.key is required" $tls.caSecret.key }}
      path: ca.crt
  defaultMode: 0440
{{- else if $configMap }}
configMap:
  name: {{ $configMap }}
  items:
    - key: {{ required "global.kafka.tls.caConfigMap.key is required" $tls.caConfigMap.key }}
      path: ca.crt
  defaultMode: 0440
{{- else if not $system }}
{{- fail "global.kafka.tls.enabled: the brokers' CA is required: set global.kafka.tls.caSecret.name (or caConfigMap.name) to the Secret (ConfigMap) of this namespace holding it in PEM, e.g. a copy of Strimzi's <cluster>-cluster-ca-cert; or set global.kafka.tls.systemTrustStore: true when the brokers' certificates chain to a public CA" }}
{{- end }}
{{- end -}}

{{/* The kafka-ca volume and its mount, each a YAML list: empty without a CA to mount. */}}
{{- define "platform-lib.kafkaCaVolumes" -}}
{{- $source := include "platform-lib.kafkaCaSource" . | trim }}
{{- if $source }}
- name: kafka-ca
  {{- $source | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "platform-lib.kafkaCaVolumeMounts" -}}
{{- if include "platform-lib.kafkaCaSource" . }}
- name: kafka-ca
  mountPath: {{ include "platform-lib.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- end -}}
