{{/*
A one-shot pod of the component's image (the migrations Job, the topics Job, the drops CronJob):
same hardening, no inbound traffic, its own command (as args, so the image's tini stays PID 1).
A pod whose env names KAFKA_TLS_CA_FILE (platform-lib.kafkaAuthEnv) gets the brokers' CA mounted there.
args: (list $ctx name command extraEnv)
*/}}
{{- define "platform-lib.jobPod" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- $kafkaCa := false -}}
{{- range index . 3 }}{{ if eq .name "KAFKA_TLS_CA_FILE" }}{{ $kafkaCa = true }}{{ end }}{{ end -}}
metadata:
  labels:
    {{- include "platform-lib.jobLabels" (list $ $name) | nindent 4 }}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  {{- with (concat $.Values.global.imagePullSecrets $.Values.imagePullSecrets) }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ $.Values.podSecurityContext.runAsUser }}
    runAsGroup: {{ $.Values.podSecurityContext.runAsGroup }}
    fsGroup: {{ $.Values.podSecurityContext.fsGroup }}
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: {{ $name }}
      image: {{ include "platform-lib.image" $ }}
      imagePullPolicy: {{ $.Values.image.pullPolicy }}
      args: {{ index . 2 | toJson }}
      securityContext:
        {{- include "platform-lib.containerSecurityContext" $ | nindent 8 }}
      env:
        - name: SERVICE_NAME
          value: {{ include "platform-lib.component" $ | quote }}
        - name: LOG_LEVEL
          value: {{ $.Values.logLevel | quote }}
        {{- with index . 3 }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      resources:
        {{- toYaml $.Values.jobResources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $kafkaCa }}
        {{- with include "platform-lib.kafkaCaVolumeMounts" $ | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- if $kafkaCa }}
    {{- with include "platform-lib.kafkaCaVolumes" $ | trim }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- end }}
{{- end -}}

{{- define "platform-lib.jobLabels" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ printf "%s-%s" (include "platform-lib.component" $) (index . 1) }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/version: {{ include "platform-lib.imageTag" $ | quote }}
app.kubernetes.io/component: {{ index . 1 }}
app.kubernetes.io/part-of: catalog-platform
app.kubernetes.io/managed-by: {{ $.Release.Service }}
{{- end -}}

{{/* The migrations Job: a pre-install/pre-upgrade hook, so replicas roll only onto a migrated schema. */}}
{{- define "platform-lib.migrationsJob" -}}
{{- if and (eq .Values.kind "grpc") .Values.migrations.enabled }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "platform-lib.fullname" . }}-migrations
  labels:
    {{- include "platform-lib.jobLabels" (list . "migrations") | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: {{ .Values.migrations.backoffLimit }}
  activeDeadlineSeconds: {{ .Values.migrations.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: 86400
  template:
    {{- $env := list (dict "name" "DATABASE_URL" "valueFrom" (dict "secretKeyRef" (dict "name" (include "platform-lib.databaseSecret" .) "key" .Values.database.existingSecretKey))) }}
    {{- include "platform-lib.jobPod" (list . "migrations" (list "node" "src/migrate.ts") $env) | nindent 4 }}
{{- end }}
{{- end -}}

{{/*
Jobs talk to nobody but DNS and their backing services, and nobody talks to them.
args: (list $ctx name egressNames hook): a hook Job's policy is a hook too, made before the Job.
*/}}
{{- define "platform-lib.jobNetworkPolicy" -}}
{{- $ := index . 0 -}}
{{- if $.Values.global.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "platform-lib.fullname" $ }}-{{ index . 1 }}
  labels:
    {{- include "platform-lib.labels" $ | nindent 4 }}
  {{- if index . 3 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-20"
    helm.sh/hook-delete-policy: before-hook-creation
  {{- end }}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ printf "%s-%s" (include "platform-lib.component" $) (index . 1) }}
      app.kubernetes.io/instance: {{ $.Release.Name }}
  policyTypes: ["Ingress", "Egress"]
  egress:
    {{- $targets := $.Values.global.networkPolicy.egress }}
    - to:
        {{- toYaml $targets.dns.to | nindent 8 }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- range $name := index . 2 }}
    {{- $target := get $targets $name }}
    - {{- with $target.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        {{- range $target.ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
{{- end }}
{{- end -}}

{{/* Everything a gRPC service chart renders, in one include. */}}
{{- define "platform-lib.grpcService" -}}
{{ include "platform-lib.workload" . }}
---
{{ include "platform-lib.service" . }}
---
{{ include "platform-lib.serviceAccount" . }}
---
{{ include "platform-lib.configmap" . }}
---
{{ include "platform-lib.databaseSecretResource" . }}
---
{{ include "platform-lib.pdb" . }}
---
{{ include "platform-lib.certificate" . }}
---
{{ include "platform-lib.networkPolicy" . }}
---
{{ include "platform-lib.scaling" . }}
---
{{ include "platform-lib.serviceMonitor" . }}
---
{{ include "platform-lib.migrationsJob" . }}
---
{{- if .Values.migrations.enabled }}
{{ include "platform-lib.jobNetworkPolicy" (list . "migrations" (list "postgres") true) }}
{{- end }}
{{- end -}}
