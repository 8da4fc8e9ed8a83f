{{/*
The Deployment; with rollout.enabled, an Argo Rollout takes it over: the Rollout refers to the
Deployment's pod template (workloadRef), runs the canary with its analysis, owns the replicas, and
scales the Deployment to zero once the Rollout is healthy (so turning rollout on has no gap). Rolling back is a rollout undo, or a revert in Git.
*/}}
{{- define "platform-lib.workload" -}}
{{- $rollout := and (hasKey .Values "rollout") .Values.rollout.enabled -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: "1"
spec:
  {{- if and (not $rollout) (not .Values.autoscaling.enabled) }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    {{- include "platform-lib.podTemplate" . | nindent 4 }}
{{- if $rollout }}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: "1"
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  workloadRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "platform-lib.fullname" . }}
    scaleDown: onsuccess
  strategy:
    canary:
      maxSurge: 1
      maxUnavailable: 0
      analysis:
        templates:
          - templateName: {{ include "platform-lib.fullname" . }}-canary
        startingStep: 1
        args:
          - name: canary-hash
            valueFrom:
              podTemplateHashValue: Latest
      steps:
        {{- toYaml .Values.rollout.steps | nindent 8 }}
{{- end }}
{{- end -}}

{{- define "platform-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: "0"
spec:
  type: ClusterIP
  selector:
    {{- include "platform-lib.selectorLabels" . | nindent 4 }}
  ports:
    {{- if eq .Values.kind "grpc" }}
    - name: grpc
      port: {{ .Values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
    - name: metrics
      port: {{ .Values.ports.metrics }}
      targetPort: metrics
      protocol: TCP
    {{- else }}
    - name: http
      port: {{ .Values.ports.http }}
      targetPort: http
      protocol: TCP
      appProtocol: http
    {{- end }}
{{- end -}}

{{- define "platform-lib.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "platform-lib.serviceAccountName" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: "0"
    {{- with .Values.serviceAccount.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{/* Component settings as plain variables; secrets never go here. */}}
{{- define "platform-lib.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: "0"
data:
  {{- range $key, $value := .Values.config }}
  {{- /* YAML integers reach templates as floats: 1048576 must not become "1.048576e+06". */}}
  {{- if and (kindIs "float64" $value) (eq $value (floor $value)) }}
  {{ $key }}: {{ $value | int64 | toString | quote }}
  {{- else }}
  {{ $key }}: {{ $value | toString | quote }}
  {{- end }}
  {{- end }}
{{- end -}}

{{/*
The DATABASE_URL Secret, made only when no existingSecret is named (production names one, kept
by an operator or External Secrets). A hook, so the migrations Job finds it on the first install.
*/}}
{{- define "platform-lib.databaseSecretResource" -}}
{{- if and (eq .Values.kind "grpc") (not .Values.database.existingSecret) }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "platform-lib.databaseSecret" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation
type: Opaque
stringData:
  {{ .Values.database.existingSecretKey }}: {{ required "database.url or database.existingSecret is required" .Values.database.url | quote }}
{{- end }}
{{- end -}}

{{- define "platform-lib.pdb" -}}
{{- if .Values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "platform-lib.fullname" . }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
spec:
  {{- if .Values.pdb.maxUnavailable }}
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  {{- else }}
  minAvailable: {{ .Values.pdb.minAvailable }}
  {{- end }}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* The workload certificate: its SPIFFE identity is what callers are authorised by. */}}
{{- define "platform-lib.certificate" -}}
{{- $name := include "platform-lib.fullname" . -}}
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {{ $name }}
  labels:
    {{- include "platform-lib.labels" . | nindent 4 }}
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
spec:
  secretName: {{ include "platform-lib.tlsSecret" . }}
  duration: {{ .Values.global.tls.duration }}
  renewBefore: {{ .Values.global.tls.renewBefore }}
  privateKey:
    algorithm: ECDSA
    size: 256
    rotationPolicy: Always
  usages: ["digital signature", "key encipherment", "server auth", "client auth"]
  uris:
    - {{ printf "spiffe://%s/%s" .Values.global.trustDomain (include "platform-lib.component" .) }}
  dnsNames:
    - {{ $name }}
    - {{ printf "%s.%s.svc" $name .Release.Namespace }}
    - {{ printf "%s.%s.svc.cluster.local" $name .Release.Namespace }}
  issuerRef:
    name: {{ tpl .Values.global.tls.issuer.name . }}
    kind: {{ .Values.global.tls.issuer.kind }}
    group: cert-manager.io
{{- end -}}
