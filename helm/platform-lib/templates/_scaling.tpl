{{/*
Autoscaling: a KEDA ScaledObject when keda.enabled (Kafka consumer lag for consumers, request
rate for the gateway, CPU beside either), else a plain HPA on CPU. A consumer group never uses
more consumers than its topic has partitions, so maxReplicas above the partition count would
only add idle pods: the chart refuses it.
*/}}
{{- define "platform-lib.scaling" -}}
{{- $as := .Values.autoscaling -}}
{{- if $as.enabled }}
{{- $target := include "platform-lib.scaleTarget" . | fromYaml -}}
{{- $kafka := dig "keda" "kafka" dict $as -}}
{{- $prometheus := dig "keda" "prometheus" dict $as -}}
{{- if dig "keda" "enabled" false $as }}
{{- if $kafka.enabled }}
{{- $topic := get .Values.global.kafka.topics $kafka.topic -}}
{{- if not $topic }}
{{- fail (printf "autoscaling.keda.kafka.topic %q is not a topic of global.kafka.topics" $kafka.topic) }}
{{- end }}
{{- if gt (int $as.maxReplicas) (int $topic.partitions) }}
{{- fail (printf "autoscaling.maxReplicas (%d) exceeds the %d partitions of %s: extra consumers would idle" (int $as.maxReplicas) (int $topic.partitions) $kafka.topic) }}
{{- end }}
{{- /* Else KEDA's scaler fails to read the lag and the consumers sit at the fallback, minReplicas. */}}
{{- if and (or .Values.global.kafka.sasl.mechanism .Values.global.kafka.tls.enabled) (not .Values.global.kafka.kedaAuthenticationRef) }}
{{- fail "global.kafka.kedaAuthenticationRef: the brokers need SASL or TLS, so KEDA needs them too to read the consumer lag: name a TriggerAuthentication (sasl, username, password, tls, ca; deploy/README.md), or turn autoscaling.keda.kafka off" }}
{{- end }}
{{- end }}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: "2"
spec:
  scaleTargetRef:
    {{- toYaml $target | nindent 4 }}
  minReplicaCount: {{ $as.minReplicas }}
  maxReplicaCount: {{ $as.maxReplicas }}
  pollingInterval: {{ $as.keda.pollingInterval }}
  cooldownPeriod: {{ $as.keda.cooldownPeriod }}
  fallback:
    failureThreshold: 3
    replicas: {{ $as.minReplicas }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 300
          policies:
            - type: Pods
              value: 1
              periodSeconds: 60
  triggers:
    {{- if $kafka.enabled }}
    - type: kafka
      metricType: AverageValue
      metadata:
        bootstrapServers: {{ .Values.global.kafka.brokers | quote }}
        consumerGroup: {{ required "consumerGroup is required for lag scaling" .Values.consumerGroup | quote }}
        topic: {{ $kafka.topic | quote }}
        lagThreshold: {{ $kafka.lagThreshold | quote }}
        activationLagThreshold: {{ $kafka.activationLagThreshold | quote }}
        offsetResetPolicy: earliest
        allowIdleConsumers: "false"
        {{- with .Values.global.kafka.kedaAuthenticationRef }}
      authenticationRef:
        name: {{ . }}
        {{- end }}
    {{- end }}
    {{- if $prometheus.enabled }}
    - type: prometheus
      metricType: AverageValue
      metadata:
        serverAddress: {{ required "autoscaling.keda.prometheus.serverAddress is required for request-rate scaling" $prometheus.serverAddress | quote }}
        query: {{ tpl $prometheus.query . | quote }}
        threshold: {{ $prometheus.threshold | quote }}
        activationThreshold: {{ $prometheus.activationThreshold | quote }}
    {{- end }}
    - type: cpu
      metricType: Utilization
      metadata:
        value: {{ $as.targetCPUUtilizationPercentage | quote }}
{{- else }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    {{- toYaml $target | nindent 4 }}
  minReplicas: {{ $as.minReplicas }}
  maxReplicas: {{ $as.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $as.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "platform-lib.scaleTarget" -}}
{{- if and (hasKey .Values "rollout") .Values.rollout.enabled -}}
apiVersion: argoproj.io/v1alpha1
kind: Rollout
{{- else -}}
apiVersion: apps/v1
kind: Deployment
{{- end }}
name: {{ include "platform-lib.fullname" . }}
{{- end -}}

{{- define "platform-lib.serviceMonitor" -}}
{{- if .Values.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  {{- if and (hasKey .Values "rollout") .Values.rollout.enabled }}
  # Canary analysis tells canary from stable pods by this label.
  podTargetLabels: [rollouts-pod-template-hash]
  {{- end }}
  endpoints:
    - port: {{ ternary "metrics" "http" (eq .Values.kind "grpc") }}
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
{{- end }}
{{- end -}}
