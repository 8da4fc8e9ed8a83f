{{- define "gateway.env" -}}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ .Values.ports.http | quote }}
- name: AUTH_JWKS_URL
  value: {{ required "auth.jwksUrl: the JWKS of the token issuer is required" .Values.auth.jwksUrl | quote }}
- name: AUTH_ISSUER
  value: {{ required "auth.issuer is required" .Values.auth.issuer | quote }}
- name: AUTH_AUDIENCE
  value: {{ required "auth.audience is required" .Values.auth.audience | quote }}
{{- range .Values.networkPolicy.peers }}
- name: {{ printf "%s_ADDR" (upper .) }}
  value: {{ printf "%s:50051" (include "platform-lib.peer" (list $ .)) | quote }}
{{- end }}
{{- if and .Values.config.CACHE_SHARED (not .Values.redis.existingSecret) (not .Values.extraEnvFrom) }}
{{- fail "gateway.config.CACHE_SHARED: the shared item cache needs a Redis: redis.existingSecret, or CACHE_REDIS_URL in a Secret of extraEnvFrom" }}
{{- end }}
{{- if include "platform-lib.itemCacheOn" . }}
- name: KAFKA_BROKERS
  value: {{ required "global.kafka.brokers: the item cache (config.CACHE_ITEMS) reads catalog.item.v1" .Values.global.kafka.brokers | quote }}
{{- include "platform-lib.kafkaAuthEnv" (list . "gateway") | trim | nindent 0 }}
{{- end }}
{{- if .Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- end }}
{{- end -}}
