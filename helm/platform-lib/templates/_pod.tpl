{{/*
The pod template every component runs: the restricted Pod Security profile, its workload
certificate mounted where TLS_*_FILE point and, for a service reaching the brokers over TLS, their
CA where KAFKA_TLS_CA_FILE points; probes, resources and spread over zones and nodes.
The component adds its own env through "<component>.env" (a list of EnvVar) in its chart.
*/}}
{{- define "platform-lib.podTemplate" -}}
metadata:
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "platform-lib.configmap" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "platform-lib.serviceAccountName" . }}
  automountServiceAccountToken: false
  {{- with (concat .Values.global.imagePullSecrets .Values.imagePullSecrets) }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ .Values.podSecurityContext.runAsUser }}
    runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
    fsGroup: {{ .Values.podSecurityContext.fsGroup }}
    seccompProfile:
      type: RuntimeDefault
  {{- if .Values.topologySpread.enabled }}
  topologySpreadConstraints:
    {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
    - maxSkew: {{ $.Values.topologySpread.maxSkew }}
      topologyKey: {{ $key }}
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "platform-lib.selectorLabels" $ | nindent 10 }}
    {{- end }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  affinity:
    {{- if .Values.affinity }}
    {{- toYaml .Values.affinity | nindent 4 }}
    {{- else }}
    # Replicas on different nodes where the cluster allows it, so one node's loss takes one replica.
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "platform-lib.selectorLabels" . | nindent 16 }}
    {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ include "platform-lib.component" . }}
      image: {{ include "platform-lib.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      securityContext:
        {{- include "platform-lib.containerSecurityContext" . | nindent 8 }}
      ports:
        {{- include "platform-lib.containerPorts" . | nindent 8 }}
      env:
        {{- include "platform-lib.commonEnv" . | nindent 8 }}
        {{- include (printf "%s.env" (include "platform-lib.component" .)) . | nindent 8 }}
      envFrom:
        - configMapRef:
            name: {{ include "platform-lib.fullname" . }}
        {{- with .Values.extraEnvFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- include "platform-lib.probes" . | nindent 6 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: tls
          mountPath: /etc/catalog/tls
          readOnly: true
        {{- if include "platform-lib.readsKafka" . }}
        {{- with include "platform-lib.kafkaCaVolumeMounts" . | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ .Values.tmpSizeLimit }}
    - name: tls
      secret:
        secretName: {{ include "platform-lib.tlsSecret" . }}
        defaultMode: 0440
    {{- if include "platform-lib.readsKafka" . }}
    {{- with include "platform-lib.kafkaCaVolumes" . | trim }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/*
Whether the component's pod reaches the brokers, so needs their CA: every gRPC service, and the
gateway when its item cache reads catalog.item.v1 (config.CACHE_ITEMS).
*/}}
{{- define "platform-lib.readsKafka" -}}
{{- if or (eq .Values.kind "grpc") (include "platform-lib.itemCacheOn" .) }}true{{ end -}}
{{- end -}}

{{/* config.CACHE_ITEMS set to true (a boolean, or the string "true" as an env value is written). */}}
{{- define "platform-lib.itemCacheOn" -}}
{{- if eq (toString (dig "CACHE_ITEMS" false (.Values.config | default dict))) "true" }}true{{ end -}}
{{- end -}}

{{- define "platform-lib.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* gRPC services: the mTLS port, the plaintext health port kubelet probes, and metrics. */}}
{{- define "platform-lib.containerPorts" -}}
{{- if eq .Values.kind "grpc" }}
- name: grpc
  containerPort: {{ .Values.ports.grpc }}
  protocol: TCP
- name: grpc-health
  containerPort: {{ .Values.ports.health }}
  protocol: TCP
- name: metrics
  containerPort: {{ .Values.ports.metrics }}
  protocol: TCP
{{- else }}
- name: http
  containerPort: {{ .Values.ports.http }}
  protocol: TCP
{{- end }}
{{- end -}}

{{- define "platform-lib.probes" -}}
{{- if eq .Values.kind "grpc" -}}
startupProbe:
  grpc:
    port: {{ .Values.ports.health }}
  periodSeconds: 2
  failureThreshold: {{ .Values.probes.startupFailureThreshold }}
readinessProbe:
  grpc:
    port: {{ .Values.ports.health }}
  periodSeconds: 5
  failureThreshold: 2
livenessProbe:
  grpc:
    port: {{ .Values.ports.health }}
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
{{- else -}}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: 2
  failureThreshold: {{ .Values.probes.startupFailureThreshold }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: 5
  failureThreshold: 2
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
{{- end -}}
{{- end -}}

{{/* What every component reads the same way: identity, logs, shutdown, its certificate. */}}
{{- define "platform-lib.commonEnv" -}}
- name: SERVICE_NAME
  value: {{ include "platform-lib.component" . | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: SHUTDOWN_TIMEOUT_MS
  {{- /* Leave the kubelet's grace period room to finish the exit after draining. */}}
  value: {{ mul (sub .Values.terminationGracePeriodSeconds 5) 1000 | quote }}
- name: TLS_CA_FILE
  value: /etc/catalog/tls/ca.crt
- name: TLS_CERT_FILE
  value: /etc/catalog/tls/tls.crt
- name: TLS_KEY_FILE
  value: /etc/catalog/tls/tls.key
- name: TLS_REFRESH_MS
  value: {{ .Values.global.tls.refreshMs | quote }}
- name: SERVICE_VERSION
  value: {{ include "platform-lib.imageTag" . | quote }}
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: K8S_NAMESPACE_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- with .Values.global.otel }}
{{- if .endpoint }}
{{- /* Tracing: the standard OpenTelemetry variables; off while no endpoint is set. */}}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .protocol | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ .sampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .samplerArg | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "k8s.pod.name=$(K8S_POD_NAME),k8s.namespace.name=$(K8S_NAMESPACE_NAME),deployment.environment.name=%s" .environment | quote }}
{{- end }}
{{- end }}
{{- if eq .Values.kind "grpc" }}
- name: TLS_TRUST_DOMAIN
  value: {{ .Values.global.trustDomain | quote }}
- name: GRPC_PORT
  value: {{ .Values.ports.grpc | quote }}
- name: HEALTH_PORT
  value: {{ .Values.ports.health | quote }}
- name: METRICS_PORT
  value: {{ .Values.ports.metrics | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "platform-lib.databaseSecret" . }}
      key: {{ .Values.database.existingSecretKey }}
- name: DATABASE_MIGRATE
  value: "false"
- name: DATABASE_POOL_MAX
  value: {{ .Values.database.poolMax | quote }}
- name: DATABASE_STATEMENT_TIMEOUT_MS
  value: {{ .Values.database.statementTimeoutMs | quote }}
- name: KAFKA_BROKERS
  value: {{ required "global.kafka.brokers: the Kafka bootstrap servers are required" .Values.global.kafka.brokers | quote }}
- name: KAFKA_CREATE_TOPICS
  value: "false"
{{- include "platform-lib.kafkaAuthEnv" (list . (include "platform-lib.component" .)) | trim | nindent 0 }}
- name: {{ printf "%s_ALLOWED_CALLERS" (include "platform-lib.component" . | upper) }}
  value: {{ join "," .Values.allowedCallers | quote }}
{{- end }}
{{- end -}}
