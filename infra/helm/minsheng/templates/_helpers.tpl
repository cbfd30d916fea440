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

{{/* Pod volumes: a writable /tmp, and the reference data assembled from its ConfigMaps. */}}
{{- define "minsheng.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if .Values.referenceData.configMapName }}
- name: reference-data
  emptyDir: {}
- name: reference-src
  configMap:
    name: {{ .Values.referenceData.configMapName }}
{{- range $i, $folder := .Values.referenceData.folders }}
- name: reference-src-{{ $i }}
  configMap:
    name: {{ required "referenceData.folders[].configMapName is required" $folder.configMapName }}
{{- end }}
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

{{/* Init container that assembles /app/config from the ConfigMaps (folders included), then
validates it. Renders nothing when the image's baked-in config/ is used. */}}
{{- define "minsheng.referenceInit" -}}
{{- if .Values.referenceData.configMapName }}
- name: reference-data
  image: {{ include "minsheng.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: ["sh", "-c"]
  args:
    - |
      set -eu
      cp -L /reference-src/root/* /app/config/
      {{- range $i, $folder := .Values.referenceData.folders }}
      mkdir -p /app/config/{{ required "referenceData.folders[].path is required" $folder.path }}
      cp -L /reference-src/{{ $i }}/* /app/config/{{ $folder.path }}/
      {{- end }}
      minsheng check-config
  env:
    - name: MINSHENG_CONFIG_DIR
      value: /app/config
    - name: MINSHENG_LOG_FORMAT
      value: {{ .Values.log.format | quote }}
  securityContext:
{{ toYaml .Values.securityContext | indent 4 }}
  resources:
    requests: { cpu: 50m, memory: 64Mi }
    limits: { memory: 256Mi }
  volumeMounts:
    - name: reference-data
      mountPath: /app/config
    - name: reference-src
      mountPath: /reference-src/root
      readOnly: true
    {{- range $i, $folder := .Values.referenceData.folders }}
    - name: reference-src-{{ $i }}
      mountPath: /reference-src/{{ $i }}
      readOnly: true
    {{- end }}
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
