{{/*
Default deny for the component's pods, then what it needs: callers named in allowedCallers
(by pod labels, matching the certificate identities the service authorises) on its gRPC port,
Prometheus on the metrics port, and egress only to DNS, the peers it calls and the backing
services listed in networkPolicy.egress (targets defined once in global.networkPolicy.egress), and
the OpenSearch cluster for a search service whose config.SEARCH_ENGINE is opensearch.
*/}}
{{- define "platform-lib.networkPolicy" -}}
{{- if .Values.global.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    {{- if eq .Values.kind "grpc" }}
    - from:
        {{- range .Values.allowedCallers }}
        - {{ include "platform-lib.peerSelector" (list $ .) | nindent 10 | trim }}
        {{- end }}
      ports:
        - port: {{ .Values.ports.grpc }}
          protocol: TCP
    {{- else }}
    - {{- with .Values.networkPolicy.ingressFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - port: {{ .Values.ports.http }}
          protocol: TCP
    {{- end }}
    {{- with .Values.global.networkPolicy.metricsFrom }}
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - port: {{ ternary $.Values.ports.metrics $.Values.ports.http (eq $.Values.kind "grpc") }}
          protocol: TCP
    {{- end }}
  egress:
    {{- include "platform-lib.egressRules" . | nindent 4 }}
{{- end }}
{{- end -}}

{{- define "platform-lib.egressRules" -}}
{{- $targets := .Values.global.networkPolicy.egress -}}
- to:
    {{- toYaml $targets.dns.to | nindent 4 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- range .Values.networkPolicy.peers }}
- to:
    - {{ include "platform-lib.peerSelector" (list $ .) | nindent 6 | trim }}
  ports:
    - port: {{ $.Values.ports.grpc | default 50051 }}
      protocol: TCP
{{- end }}
{{- $names := .Values.networkPolicy.egress }}
{{- if .Values.global.otel.endpoint }}
{{- $names = append $names "otlp" }}
{{- end }}
{{- if and (eq (toString (dig "SEARCH_ENGINE" "" (.Values.config | default dict))) "opensearch") (not (has "opensearch" $names)) }}
{{- $names = append $names "opensearch" }}
{{- end }}
{{- range $name := $names }}
{{- $target := get $targets $name }}
{{- if not $target }}
{{- fail (printf "networkPolicy.egress names %q, which global.networkPolicy.egress does not define" $name) }}
{{- end }}
- {{- with $target.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    {{- range $target.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}
{{- end -}}
