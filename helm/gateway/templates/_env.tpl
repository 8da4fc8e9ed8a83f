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
{{- if .Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- end }}
{{- end -}}
