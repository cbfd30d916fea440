{{/* Chart name, truncated for Kubernetes names. */}}
{{- define "minsheng.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "minsheng.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "minsheng.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "minsheng.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. Call with (dict "root" $ "component" "api"). */}}
{{- define "minsheng.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "minsheng.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: minsheng
{{- end -}}

{{/* Selector labels (immutable once a Deployment exists). Call with (dict "root" $ "component" "api"). */}}
{{- define "minsheng.selectorLabels" -}}
app.kubernetes.io/name: {{ include "minsheng.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "minsheng.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Environment shared by api, worker and migrate (settings prefix MINSHENG_). */}}
{{- define "minsheng.env" -}}
- name: MINSHENG_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret: name the Secret holding the database URL" .Values.database.existingSecret }}
      key: {{ .Values.database.secretKey }}
- name: MINSHENG_DB_POOL_SIZE
  value: {{ .Values.database.poolSize | quote }}
- name: MINSHENG_TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required" .Values.temporal.address | quote }}
- name: MINSHENG_TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: MINSHENG_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
- name: MINSHENG_CONFIG_DIR
  value: /app/config
- name: MINSHENG_VAR_DIR
  value: /tmp/minsheng
- name: MINSHENG_LOG_FORMAT
  value: {{ .Values.log.format | quote }}
- name: MINSHENG_LOG_LEVEL
  value: {{ .Values.log.level | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod volumes: the reference data ConfigMap (when named) and a writable /tmp. */}}
{{- define "minsheng.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if .Values.referenceData.configMapName }}
- name: reference-data
  configMap:
    name: {{ .Values.referenceData.configMapName }}
{{- end }}
{{- end -}}

{{- define "minsheng.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.referenceData.configMapName }}
- name: reference-data
  mountPath: /app/config
  readOnly: true
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every pod of the chart. */}}
{{- define "minsheng.podSpecCommon" -}}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{ toYaml . }}
{{- end }}
securityContext:
{{ toYaml .Values.podSecurityContext | indent 2 }}
{{- end -}}
